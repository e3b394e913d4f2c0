"""`/docs` works in an office without internet: Swagger UI comes from the service itself."""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
import requests


class _References(HTMLParser):
    """Every URL a page makes the browser fetch (scripts, stylesheets, images, icons)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        for name in ("src", "href"):
            if found.get(name) and (tag != "a" or name != "href"):
                self.urls.append(found[name])


@pytest.mark.parametrize("service", ["registration", "sessions", "notifications"])
def test_docs_page_loads_every_asset_from_the_service_itself(stack, service):
    base = stack.urls[service]
    page = requests.get(f"{base}/docs", timeout=10)
    assert page.status_code == 200
    parser = _References()
    parser.feed(page.text)
    external = [u for u in parser.urls if urlparse(u).scheme or urlparse(u).netloc]
    assert external == [], f"/docs of {service} needs the internet for {external}"
    assert any(u.endswith(".js") for u in parser.urls) and any(
        u.endswith(".css") for u in parser.urls), parser.urls
    for reference in parser.urls:
        asset = requests.get(urljoin(page.url, reference), timeout=10)
        assert asset.status_code == 200, reference
        assert asset.content, reference
    script = requests.get(urljoin(page.url, next(u for u in parser.urls
                                                 if u.endswith("swagger-ui-bundle.js"))),
                          timeout=10)
    assert "SwaggerUIBundle" in script.text
    assert "javascript" in script.headers["content-type"]
