"""The browser suite's own tools work here: Debian's Chromium, its driver, axe-core."""

import pytest

from tests.browser import axe
from tests.browser.conftest import ARTIFACTS, Browser
from tests.browser.driver import TABLET, open_chromium

PAGE_WITH_FAULTS = """<!doctype html><html lang="en"><head><title>faults</title></head><body>
<main><h1>Attendance</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<form><input name="email"><button></button></form></main></body></html>"""


@pytest.fixture(scope="module")
def bare(browser_tools, tmp_path_factory):
    driver = open_chromium(TABLET, tmp_path_factory.mktemp("chromium-bare"),
                           ARTIFACTS / "chromedriver-bare.log")
    yield Browser(driver, "", ARTIFACTS, "bare")
    driver.quit()


def test_the_tablet_window_is_tablet_sized(bare):
    bare.go("about:blank")
    shown = bare.driver.execute_script("return [window.innerWidth, window.innerHeight]")
    assert tuple(shown) == TABLET


def test_axe_names_the_serious_violations_of_a_faulty_page(bare, tmp_path):
    page = tmp_path / "faults.html"
    page.write_text(PAGE_WITH_FAULTS)
    bare.go(page.as_uri())
    found = {v["id"] for v in axe.violations(bare.driver)}
    # An image without alt text and an input without a label: what a screen reader cannot say.
    assert {"image-alt", "label", "button-name"} <= found
    assert "image-alt" in axe.describe(axe.violations(bare.driver))
