import pytest

from common.config import load
from common.mongo import client
from tests.integration.notification_programme import own_sink, programme  # noqa: F401 (fixtures)


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture
def settings(monkeypatch, kafka_bootstrap, mongo_uri, unique):
    """Settings of a throwaway stack: its own databases and consumer groups."""
    monkeypatch.setenv("STACK_NAME", f"it{unique}")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("MONGO_URI", mongo_uri)
    monkeypatch.setenv("OUTBOX_RELAY_GRACE_SECONDS", "0")
    yield load
    for name in client(mongo_uri).list_database_names():
        if name.startswith(f"it{unique}_"):
            client(mongo_uri).drop_database(name)
