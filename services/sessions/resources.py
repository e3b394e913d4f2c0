"""HTTP resources of the sessions service."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from common.auth import requires
from services.sessions import sessions
from services.sessions.schemas import SessionIn, SessionOut

blp = Blueprint("sessions", __name__, url_prefix="/sessions",
                description="Training workshops and coaching sessions")


def _runtime():
    return current_app.config["RUNTIME"]


@blp.route("")
class Sessions(MethodView):
    @requires("coordinator")
    @blp.arguments(SessionIn)
    @blp.response(201, SessionOut)
    def post(self, details):
        """Schedule a session; publishes `sessions.session.scheduled`."""
        stored = sessions.schedule(_runtime(), details)
        return {**stored, "id": stored["_id"]}

    @requires("coordinator", "viewer", "service")
    @blp.response(200, SessionOut(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Sessions, earliest first."""
        found, total = sessions.listing(_runtime(), pagination_parameters.first_item,
                                        pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return [{**s, "id": s["_id"]} for s in found]


@blp.route("/<session_id>")
class Session(MethodView):
    @requires("coordinator", "viewer", "service")
    @blp.response(200, SessionOut)
    def get(self, session_id):
        """One session."""
        found = sessions.get(_runtime(), session_id)
        if found is None:
            abort(404, message=f"no session with id {session_id}")
        return {**found, "id": found["_id"]}
