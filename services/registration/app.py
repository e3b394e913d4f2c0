"""The registration API: `create_app()` is what gunicorn serves."""

from common.config import load
from common.http import create_base_app
from common.runtime import Runtime
from common.topics import REGISTRATION_EVENTS
from services.registration import events
from services.registration.indexes import ensure_indexes
from services.registration.resources import BLUEPRINTS
from services.registration.resources.errors import register_error_handlers
from services.registration.stores import privacy_store

IMPORT_BODY_BYTES = 1024 * 1024


def create_app(runtime: Runtime | None = None):
    runtime = runtime or Runtime(load("registration"), REGISTRATION_EVENTS,
                                 indexes=ensure_indexes)
    app, api = create_base_app(runtime, "Registration",
                               "Officers' profiles, enrollments, waiting lists and cohorts.",
                               published=events.PUBLISHED)
    # A bulk import of 500 officers is larger than the usual limit of a body.
    app.config["BODY_LIMITS"] = {"participants.Imports": IMPORT_BODY_BYTES}
    app.config["ERASED_IN_ANSWER"] = lambda answer: privacy_store.erased_in(runtime, answer)
    register_error_handlers(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    return app
