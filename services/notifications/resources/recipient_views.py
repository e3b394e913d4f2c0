"""Recipients' contact details (coordinators only) and their preferences."""

from flask.views import MethodView

from common.auth import requires
from common.http import Blueprint
from common.views import runtime, shown
from services.notifications.resources.recipient_schemas import (
    PreferencesIn,
    PreferencesOut,
    RecipientOut,
)
from services.notifications.stores import preference_store, recipient_store

blp = Blueprint("recipients", __name__, url_prefix="/recipients",
                description="Recipients as projected from registration and sessions")


@blp.route("/<recipient_id>")
class Recipient(MethodView):
    @requires("coordinator")
    @blp.response(200, RecipientOut)
    def get(self, recipient_id):
        """A recipient's contact details and language. Role: coordinator."""
        return shown(recipient_store.found(runtime(), recipient_id))


@blp.route("/<recipient_id>/preferences")
class Preferences(MethodView):
    @requires("coordinator")
    @blp.response(200, PreferencesOut)
    def get(self, recipient_id):
        """Which channels carry reminders for this recipient. Role: coordinator."""
        return {"recipient_id": recipient_id, **preference_store.of(runtime(), recipient_id)}

    @requires("coordinator")
    @blp.arguments(PreferencesIn)
    @blp.response(200, PreferencesOut)
    def put(self, body, recipient_id):
        """Switch reminders on or off per channel (critical notices always go). Role:
        coordinator."""
        changed = preference_store.change(runtime(), recipient_id, body["reminders"])
        return {"recipient_id": recipient_id, **changed}
