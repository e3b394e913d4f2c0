"""HTTP resources of the registration service: views translate, modules decide."""

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from common.auth import requires
from common.http import error_response
from services.registration import participants
from services.registration.schemas import (
    ParticipantIn,
    ParticipantOut,
    PseudonymousParticipantOut,
)

blp = Blueprint("participants", __name__, url_prefix="/participants",
                description="Officers' profiles")

PERSONAL_DATA_ROLES = {"admin", "coordinator"}


def _runtime():
    return current_app.config["RUNTIME"]


PSEUDONYMOUS_FIELDS = set(PseudonymousParticipantOut().fields)


def _shown(document: dict) -> dict:
    """Everything for coordinators; for other roles, only the pseudonymous fields."""
    view = {**document, "id": document["_id"]}
    if g.principal.roles & PERSONAL_DATA_ROLES:
        return view
    return {k: v for k, v in view.items() if k in PSEUDONYMOUS_FIELDS}


@blp.route("")
class Participants(MethodView):
    @requires("coordinator")
    @blp.arguments(ParticipantIn)
    @blp.response(201, ParticipantOut)
    @blp.alt_response(409, description="a participant with this email exists; body names its id")
    def post(self, profile):
        """Register an officer; publishes `registration.participant.registered`."""
        try:
            stored = participants.register(_runtime(), profile)
        except participants.DuplicateParticipantError as exc:
            return error_response(409, str(exc), existing_id=exc.existing_id)
        return {**stored, "id": stored["_id"]}


@blp.route("/<participant_id>")
class Participant(MethodView):
    @requires("coordinator", "viewer", "service")
    @blp.response(200, ParticipantOut,
                  description="coordinators get every field; viewer and service callers get "
                              "only id, gender, agency and registered_at")
    def get(self, participant_id):
        """One officer's profile; `viewer` and `service` see pseudonymous fields only."""
        document = participants.get(_runtime(), participant_id)
        if document is None:
            abort(404, message=f"no participant with id {participant_id}")
        return _shown(document)
