"""The notifications API: `create_app()` is what gunicorn serves."""

from common.config import load
from common.http import create_base_app
from common.runtime import Runtime
from common.topics import NOTIFICATIONS_EVENTS
from services.notifications import events, recipient_resources, resources, template_resources
from services.notifications.indexes import ensure_indexes


def create_app(runtime: Runtime | None = None):
    runtime = runtime or Runtime(load("notifications"), NOTIFICATIONS_EVENTS,
                                 indexes=ensure_indexes)
    app, api = create_base_app(runtime, "Notifications",
                               "Confirmations, invitations, changes and reminders.",
                               published=events.PUBLISHED)
    api.register_blueprint(resources.blp)
    api.register_blueprint(recipient_resources.blp)
    api.register_blueprint(template_resources.blp)
    return app
