"""Registration's app on a throwaway database and topic, for the tests in this folder."""

import pytest

from common.runtime import Runtime
from services.registration.app import create_app
from services.registration.indexes import ensure_indexes


@pytest.fixture
def api(settings, make_topic, unique):
    """Registration's app on a throwaway database and topic: (client, runtime, settings)."""
    config = settings("registration")
    topic = make_topic(f"it.{unique}.registration")
    runtime = Runtime(config, topic, indexes=ensure_indexes)
    app = create_app(runtime)
    yield app.test_client(), runtime, config
    runtime.producer.close()
