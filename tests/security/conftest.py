"""Hostile and malformed input against the running services (issue 7), on the e2e stack."""

import pytest
import requests

from tests.e2e.conftest import stack, tokens  # noqa: F401  (the real processes, shared)


def pytest_collection_modifyitems(items):
    for item in items:
        if "/security/" in str(item.fspath):
            item.add_marker(pytest.mark.security)
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def openapi(stack):  # noqa: F811
    """Each service's OpenAPI document, as it serves it."""
    return {service: requests.get(f"{url}/openapi.json", timeout=10).json()
            for service, url in stack.urls.items()}
