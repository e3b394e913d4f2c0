"""Template previews: what an officer would receive, with sample data."""

from email.utils import parseaddr

from flask.views import MethodView

from common.auth import requires
from common.config import load_notification_settings
from common.http import Blueprint
from services.notifications import previews
from services.notifications.resources.template_schemas import PreviewOut, PreviewQuery

blp = Blueprint("templates", __name__, url_prefix="/templates",
                description="Notification templates, per kind and language")


@blp.route("/<kind>/preview")
class Preview(MethodView):
    @requires("coordinator")
    @blp.arguments(PreviewQuery, location="query")
    @blp.response(200, PreviewOut)
    def get(self, query, kind):
        """Render a kind's template with sample data (English if it has no such language).

        Role: coordinator.
        """
        organizer = parseaddr(load_notification_settings().mail_from)[1]
        return previews.preview(kind, query["language"], organizer)
