"""HTTP resources: recipients' contact details (coordinators only) and their preferences."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from common.auth import requires
from services.notifications import preferences, recipients
from services.notifications.schemas import PreferencesIn, PreferencesOut, RecipientOut

blp = Blueprint("recipients", __name__, url_prefix="/recipients",
                description="Recipients as projected from registration and sessions")


def _runtime():
    return current_app.config["RUNTIME"]


def _recipient_or_404(recipient_id: str) -> dict:
    found = recipients.get(_runtime(), recipient_id)
    if found is None:
        abort(404, message=f"no recipient with id {recipient_id}")
    return found


@blp.route("/<recipient_id>")
class Recipient(MethodView):
    @requires("coordinator")
    @blp.response(200, RecipientOut)
    def get(self, recipient_id):
        """A recipient's contact details and language. Role: coordinator."""
        recipient = _recipient_or_404(recipient_id)
        return {**recipient, "id": recipient["_id"]}


@blp.route("/<recipient_id>/preferences")
class Preferences(MethodView):
    @requires("coordinator")
    @blp.response(200, PreferencesOut)
    def get(self, recipient_id):
        """Which channels carry reminders for this recipient. Role: coordinator."""
        return {"recipient_id": recipient_id,
                **preferences.of(_recipient_or_404(recipient_id))}

    @requires("coordinator")
    @blp.arguments(PreferencesIn)
    @blp.response(200, PreferencesOut)
    def put(self, body, recipient_id):
        """Switch reminders on or off per channel (critical notices always go). Role:
        coordinator."""
        _recipient_or_404(recipient_id)
        changed = preferences.change(_runtime(), recipient_id, body["reminders"])
        if changed is None:
            abort(404, message=f"no recipient with id {recipient_id}")
        return {"recipient_id": recipient_id, **changed}
