"""HTTP resources of the notifications service."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from common.auth import requires
from services.notifications import notifications, recipients
from services.notifications.schemas import NotificationOut, NotificationQuery, RecipientOut

blp = Blueprint("notifications", __name__, description="Notifications and their recipients")


def _runtime():
    return current_app.config["RUNTIME"]


@blp.route("/notifications")
class Notifications(MethodView):
    @requires("coordinator", "viewer", "service")
    @blp.arguments(NotificationQuery, location="query")
    @blp.response(200, NotificationOut(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """The activity feed, newest first, filtered by recipient, status or kind."""
        found, total = notifications.listing(_runtime(), filters,
                                             pagination_parameters.first_item,
                                             pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return [{**n, "id": n["_id"]} for n in found]


@blp.route("/recipients/<recipient_id>")
class Recipient(MethodView):
    @requires("coordinator")
    @blp.response(200, RecipientOut)
    def get(self, recipient_id):
        """A recipient's contact details and language, as projected from registration."""
        recipient = recipients.get(_runtime(), recipient_id)
        if recipient is None:
            abort(404, message=f"no recipient with id {recipient_id}")
        return {**recipient, "id": recipient["_id"]}
