"""The sessions API: `create_app()` is what gunicorn serves."""

from common.config import load
from common.http import create_base_app
from common.runtime import Runtime
from common.topics import SESSIONS_EVENTS
from services.sessions import events
from services.sessions.indexes import ensure_indexes
from services.sessions.resources import BLUEPRINTS
from services.sessions.resources.errors import register_error_handlers


def create_app(runtime: Runtime | None = None):
    runtime = runtime or Runtime(load("sessions"), SESSIONS_EVENTS, indexes=ensure_indexes)
    app, api = create_base_app(runtime, "Sessions",
                               "Programmes, series, sessions, attendance and indicators.",
                               published=events.PUBLISHED)
    register_error_handlers(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    return app
