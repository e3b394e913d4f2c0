"""HTTP resources for participants (officer profiles): views translate, modules decide."""

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from common.auth import requires
from common.contacts import ContactOut, contact_of
from services.registration import participants, privacy
from services.registration.http_errors import conflict, field_error, fields_error
from services.registration.schemas import (
    ParticipantExport,
    ParticipantIn,
    ParticipantOut,
    ParticipantPatch,
    ParticipantQuery,
    PseudonymousParticipantOut,
    whole_profile_errors,
)

blp = Blueprint("participants", __name__, url_prefix="/participants",
                description="Officers' profiles")

PERSONAL_DATA_ROLES = {"admin", "coordinator"}
PSEUDONYMOUS_FIELDS = set(PseudonymousParticipantOut().fields)


def _runtime():
    return current_app.config["RUNTIME"]


def _shown(document: dict) -> dict:
    """Everything for coordinators; for other roles, only the pseudonymous fields."""
    view = {**document, "id": document["_id"]}
    if g.principal.roles & PERSONAL_DATA_ROLES:
        return view
    return {k: v for k, v in view.items() if k in PSEUDONYMOUS_FIELDS}


def _refused(exc: Exception):
    if isinstance(exc, participants.DuplicateParticipantError):
        return conflict(str(exc), existing_id=exc.existing_id)
    if isinstance(exc, participants.InvalidFieldError):
        return field_error(exc.field, str(exc))
    if isinstance(exc, participants.InvalidProfileError):
        return fields_error("the profile would be incomplete or invalid after this change",
                            exc.errors)
    if isinstance(exc, participants.UnknownParticipantError):
        abort(404, message=str(exc))
    return conflict(str(exc))  # erased


PROFILE_ERRORS = (participants.DuplicateParticipantError, participants.InvalidFieldError,
                  participants.InvalidProfileError, participants.UnknownParticipantError,
                  participants.ErasedParticipantError)


@blp.route("")
class Participants(MethodView):
    @requires("coordinator")
    @blp.arguments(ParticipantIn)
    @blp.response(201, ParticipantOut)
    @blp.alt_response(409, description="same email, or same agency and service number; "
                                       "the body names the existing id")
    def post(self, profile):
        """Register an officer (coordinator); publishes `registration.participant.registered`."""
        try:
            stored = participants.register(_runtime(), profile)
        except PROFILE_ERRORS as exc:
            return _refused(exc)
        return {**stored, "id": stored["_id"]}

    @requires("coordinator", "viewer", "service")
    @blp.arguments(ParticipantQuery, location="query")
    @blp.response(200, ParticipantOut(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Officers by registration order, by agency (coordinator: full; others: pseudonymous)."""
        found, total = participants.listing(_runtime(), filters["agency"],
                                            pagination_parameters.first_item,
                                            pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return [_shown(p) for p in found]


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

    @requires("coordinator")
    @blp.arguments(ParticipantPatch())
    @blp.response(200, ParticipantOut)
    @blp.alt_response(409, description="another officer has this email or service number "
                                       "(the body names her id), or this one was erased")
    def patch(self, changes, participant_id):
        """Change a profile (coordinator); publishes `registration.participant.updated`."""
        try:
            stored = participants.update(_runtime(), participant_id, changes,
                                         whole_profile_errors)
        except PROFILE_ERRORS as exc:
            return _refused(exc)
        return {**stored, "id": stored["_id"]}


@blp.route("/<participant_id>/contact")
class Contact(MethodView):
    @requires("service")
    @blp.response(200, ContactOut)
    @blp.alt_response(410, description="she was erased: nothing of her contact is kept")
    def get(self, participant_id):
        """Her names, email, phone and language, for the notifications service (service)."""
        try:
            found = participants.enrollable(_runtime(), participant_id)
        except participants.UnknownParticipantError as exc:
            abort(404, message=str(exc))
        except participants.ErasedParticipantError as exc:
            abort(410, message=str(exc))
        return contact_of(found)


@blp.route("/<participant_id>/export")
class Export(MethodView):
    @requires("coordinator")
    @blp.response(200, ParticipantExport)
    def get(self, participant_id):
        """Everything held on one officer (coordinator), for her data request."""
        try:
            return privacy.export(_runtime(), participant_id)
        except participants.UnknownParticipantError as exc:
            abort(404, message=str(exc))


@blp.route("/<participant_id>/erasure")
class Erasure(MethodView):
    @requires("coordinator")
    @blp.response(200, ParticipantOut)
    def post(self, participant_id):
        """Erase her personal data (coordinator); keeps gender and agency for the indicators."""
        try:
            stored = privacy.erase(_runtime(), participant_id)
        except participants.UnknownParticipantError as exc:
            abort(404, message=str(exc))
        return {**stored, "id": stored["_id"]}
