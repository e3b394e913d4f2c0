"""The activity feed and resending: what was sent, to whom, with each attempt."""

from datetime import UTC, datetime

from flask.views import MethodView

from common.auth import requires
from common.http import Blueprint
from common.views import runtime, shown
from services.notifications.resources.notification_schemas import (
    NotificationOut,
    NotificationQuery,
    SummaryOut,
    SummaryQuery,
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
        """The feed, newest first, by recipient, session, status, kind or channel (no contact
        details).

        A filter on status, kind or channel without a recipient or session looks through the
        newest 500 notifications only: the header `X-Feed-Looked-Through` then says how many
        were, and the total counts the matches among them. Roles: coordinator, viewer, service.
        """
        found, total, looked_through = notification_store.feed_page(
            runtime(), filters, pagination_parameters.first_item,
            pagination_parameters.page_size)
        pagination_parameters.item_count = total
        headers = {} if looked_through is None else {"X-Feed-Looked-Through": looked_through}
        return [shown(n) for n in found], 200, headers


@blp.route("/summary")
class Summary(MethodView):
    @requires("coordinator", "viewer", "service")
    @blp.arguments(SummaryQuery, location="query")
    @blp.response(200, SummaryOut)
    def get(self, query):
        """How many of the newest notifications are in each status (what is left to send),
        and how many there are in all. Roles: coordinator, viewer, service."""
        return notification_store.summary(runtime(), query["newest"])


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
