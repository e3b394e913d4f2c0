"""The notifications API: `create_app()` is what gunicorn serves."""

from common.config import load
from common.http import create_base_app
from common.runtime import Runtime
from common.topics import NOTIFICATIONS_EVENTS
from services.notifications import events
from services.notifications.indexes import ensure_indexes
from services.notifications.resources import BLUEPRINTS
from services.notifications.resources.errors import register_error_handlers


def create_app(runtime: Runtime | None = None):
    runtime = runtime or Runtime(load("notifications"), NOTIFICATIONS_EVENTS,
                                 indexes=ensure_indexes)
    app, api = create_base_app(runtime, "Notifications",
                               "Confirmations, invitations, changes and reminders.",
                               published=events.PUBLISHED)
    register_error_handlers(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    return app
