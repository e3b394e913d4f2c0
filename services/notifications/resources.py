"""HTTP resources of the notifications service: the activity feed and resending."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from common.auth import requires
from services.notifications import notifications
from services.notifications.schemas import NotificationOut, NotificationQuery

blp = Blueprint("notifications", __name__, url_prefix="/notifications",
                description="The activity feed: what was sent, to whom, with each attempt")


def _runtime():
    return current_app.config["RUNTIME"]


def _shown(document: dict) -> dict:
    return {**document, "id": document["_id"]}


@blp.route("")
class Notifications(MethodView):
    @requires("coordinator", "viewer", "service")
    @blp.arguments(NotificationQuery, location="query")
    @blp.response(200, NotificationOut(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """The feed, newest first, by recipient, session, status or kind (no contact details).

        Roles: coordinator, viewer, service.
        """
        found, total = notifications.listing(_runtime(), filters,
                                             pagination_parameters.first_item,
                                             pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return [_shown(n) for n in found]


@blp.route("/<notification_id>")
class Notification(MethodView):
    @requires("coordinator", "viewer", "service")
    @blp.response(200, NotificationOut)
    def get(self, notification_id):
        """One notification with each attempt. Roles: coordinator, viewer, service."""
        found = notifications.get(_runtime(), notification_id)
        if found is None:
            abort(404, message=f"no notification with id {notification_id}")
        return _shown(found)


@blp.route("/<notification_id>/resend")
class Resend(MethodView):
    @requires("coordinator")
    @blp.response(200, NotificationOut)
    @blp.alt_response(409, description="only a failed notification can be resent")
    def post(self, notification_id):
        """Queue a failed notification again, with a fresh round of tries. Role: coordinator."""
        runtime = _runtime()
        resent = notifications.resend(runtime, notification_id)
        if resent is None:
            found = notifications.get(runtime, notification_id)
            if found is None:
                abort(404, message=f"no notification with id {notification_id}")
            abort(409, message=f"notification {notification_id} is {found['status']}; "
                               "only a failed notification can be resent")
        resent.pop("outbox", None)
        return _shown(resent)
