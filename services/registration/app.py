"""The registration API: `create_app()` is what gunicorn serves."""

from common.config import load
from common.http import create_base_app
from common.runtime import Runtime
from common.topics import REGISTRATION_EVENTS
from services.registration import (
    agency_resources,
    enrollment_resources,
    events,
    privacy,
    resources,
    series_resources,
)
from services.registration.indexes import ensure_all


def create_app(runtime: Runtime | None = None):
    runtime = runtime or Runtime(load("registration"), REGISTRATION_EVENTS, indexes=ensure_all)
    app, api = create_base_app(runtime, "Registration",
                               "Officers' profiles, enrollments, waiting lists and cohorts.",
                               published=events.PUBLISHED)
    app.config["ERASED_IN_ANSWER"] = lambda answer: privacy.erased_in(runtime, answer)
    for module in (resources, agency_resources, enrollment_resources, series_resources):
        api.register_blueprint(module.blp)
    return app
