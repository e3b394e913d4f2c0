"""The registration API: `create_app()` is what gunicorn serves."""

from common.config import load
from common.http import create_base_app
from common.runtime import Runtime
from common.topics import REGISTRATION_EVENTS
from services.registration import participants, resources


def create_app(runtime: Runtime | None = None):
    runtime = runtime or Runtime(load("registration"), REGISTRATION_EVENTS,
                                 indexes=participants.ensure_indexes)
    app, api = create_base_app(runtime.settings, "Registration",
                               "Officers' profiles and their enrollments.")
    app.config["RUNTIME"] = runtime
    app.config["DB"] = lambda: runtime.db
    api.register_blueprint(resources.blp)
    return app
