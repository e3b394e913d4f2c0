"""The activity feed and resending: what was sent, to whom, with each attempt."""

from datetime import UTC, datetime

from flask.views import MethodView

from common.auth import requires
from common.http import Blueprint
from common.views import paged, runtime, shown
from services.notifications.resources.notification_schemas import (
    NotificationOut,
    NotificationQuery,
)
from services.notifications.stores import notification_store

blp = Blueprint("notifications", __name__, url_prefix="/notifications",
                description="The activity feed: what was sent, to whom, with each attempt")


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
        return paged(pagination_parameters, notification_store.listing, filters)


@blp.route("/<notification_id>")
class Notification(MethodView):
    @requires("coordinator", "viewer", "service")
    @blp.response(200, NotificationOut)
    def get(self, notification_id):
        """One notification with each attempt. Roles: coordinator, viewer, service."""
        return shown(notification_store.found(runtime(), notification_id))


@blp.route("/<notification_id>/resend")
class Resend(MethodView):
    @requires("coordinator")
    @blp.response(200, NotificationOut)
    @blp.alt_response(409, description="only a failed notification can be resent")
    def post(self, notification_id):
        """Queue a failed notification again, with a fresh round of tries. Role: coordinator."""
        return shown(notification_store.resend(runtime(), notification_id, datetime.now(UTC)))
