"""The console in-process (Flask's test client) on its own throwaway database."""

import dataclasses
import re
import uuid

import pytest

from common.config import DEV_CONSOLE_SECRET_KEY, DEV_JWT_SECRET, ConsoleSettings
from common.mongo import client
from services.console import accounts
from services.console.app import create_app
from services.console.store import ConsoleStore

PASSWORD = "correct horse battery staple"


def pytest_collection_modifyitems(items):
    for item in items:
        if "/console/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


def console_settings(mongo_uri: str, **changes) -> ConsoleSettings:
    base = ConsoleSettings(
        stack=f"con{uuid.uuid4().hex[:8]}", mongo_uri=mongo_uri, development=True,
        secret_key=DEV_CONSOLE_SECRET_KEY, jwt_secret=DEV_JWT_SECRET,
        jwt_audience="glo-act-platform", jwt_issuer="glo-act-platform", secure_cookies=False,
        registration_url="http://127.0.0.1:9", sessions_url="http://127.0.0.1:9",
        notifications_url="http://127.0.0.1:9", api_token_ttl_s=300, api_timeout_s=2,
        session_idle_s=3600, signin_window_s=900, max_failures_per_account=3,
        max_failures_per_address=6, admin_email="admin@glo-act.local", admin_password="",
        log_level="WARNING", max_body_bytes=65536)
    return dataclasses.replace(base, **changes)


@pytest.fixture
def console(mongo_uri):
    """A factory: ``console(**settings_changes)`` gives (app, store); databases dropped after."""
    made = []

    def build(**changes):
        settings = console_settings(changes.pop("mongo_uri", mongo_uri), **changes)
        store = ConsoleStore(settings.mongo_uri, settings.database)
        made.append(settings.database)
        return create_app(settings, store), store

    yield build
    for database in made:
        client(mongo_uri).drop_database(database)


def csrf_of(page: bytes) -> str:
    found = re.search(rb'name="csrf_token" value="([0-9a-f]+)"', page)
    assert found, "the page has no CSRF token"
    return found.group(1).decode()


def sign_in(browser, email: str, password: str = PASSWORD, address: str = "10.0.0.1"):
    token = csrf_of(browser.get("/signin").data)
    return browser.post("/signin", data={"email": email, "password": password,
                                         "csrf_token": token},
                        environ_base={"REMOTE_ADDR": address})


def person(store, email: str, role: str, facilitator_id: str | None = None) -> str:
    accounts.ensure(store, email, role, PASSWORD, facilitator_id)
    return email


from tests.e2e.conftest import stack, tokens  # noqa: E402, F401  (the real processes, shared)


@pytest.fixture
def console_on(console, stack):  # noqa: F811
    """The console in-process against the real APIs of the e2e stack."""
    def build(**changes):
        urls = {f"{s}_url": u for s, u in stack.urls.items()}
        return console(**{**urls, **changes})
    return build
