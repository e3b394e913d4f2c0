"""HTTP resources for participants (officer profiles): views translate, stores decide."""

from flask import g
from flask.views import MethodView
from marshmallow import ValidationError

from common.auth import requires
from common.contacts import ContactOut, contact_of
from common.http import Blueprint
from common.views import paged, runtime, shown
from services.registration.resources.participant_schemas import (
    ParticipantExport,
    ParticipantImportIn,
    ParticipantImportOut,
    ParticipantIn,
    ParticipantOut,
    ParticipantPatch,
    ParticipantQuery,
    PseudonymousParticipantOut,
    whole_profile_errors,
)
from services.registration.stores import participant_imports, participant_store, privacy_store

blp = Blueprint("participants", __name__, url_prefix="/participants",
                description="Officers' profiles")

PERSONAL_DATA_ROLES = {"admin", "coordinator"}
PSEUDONYMOUS_FIELDS = set(PseudonymousParticipantOut().fields)


def _for_caller(document: dict) -> dict:
    """Everything for coordinators; for other roles, only the pseudonymous fields."""
    view = shown(document)
    if g.principal.roles & PERSONAL_DATA_ROLES:
        return view
    return {k: v for k, v in view.items() if k in PSEUDONYMOUS_FIELDS}


@blp.route("")
class Participants(MethodView):
    @requires("coordinator")
    @blp.arguments(ParticipantIn)
    @blp.response(201, ParticipantOut)
    @blp.alt_response(409, description="same email, or same agency and service number; "
                                       "the body names the existing id")
    def post(self, profile):
        """Register an officer (coordinator); publishes `registration.participant.registered`."""
        return shown(participant_store.register(runtime(), profile))

    @requires("coordinator", "viewer", "service")
    @blp.arguments(ParticipantQuery, location="query")
    @blp.response(200, ParticipantOut(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Officers by registration order, by agency (coordinator: full; others: pseudonymous)."""
        return paged(pagination_parameters, participant_store.listing, filters["agency"],
                     show=_for_caller)


@blp.route("/imports")
class Imports(MethodView):
    @requires("coordinator")
    @blp.arguments(ParticipantImportIn)
    @blp.response(200, ParticipantImportOut)
    def post(self, body):
        """Register up to 500 officers in one request (coordinator).

        Each row is judged as `POST /participants` would judge it and answered in `rows`, in
        order: 201 with her id, 422 naming the field, 409 naming the officer (`existing_id`)
        or the earlier row (`existing_row`) with her email or agency and service number. Each
        one registered gets her `registration.participant.registered`, and her acknowledgement
        email unless `acknowledge` is false (registered for the record). The body may be up to
        1 MiB."""
        outcomes, valid, schema = {}, [], ParticipantIn()  # one schema: building it costs more
        for row, officer in enumerate(body["officers"]):
            try:
                valid.append((row, schema.load(officer)))
            except ValidationError as exc:
                messages = exc.messages if isinstance(exc.messages, dict) else {
                    "_schema": exc.messages}
                outcomes[row] = {"status": 422, "errors": messages}
        outcomes |= participant_imports.register_many(runtime(), valid, body["acknowledge"])
        rows = [{"row": row, **outcomes[row]} for row in sorted(outcomes)]
        registered = sum(1 for r in rows if r["status"] == 201)
        return {"registered": registered, "refused": len(rows) - registered, "rows": rows}


@blp.route("/<participant_id>")
class Participant(MethodView):
    @requires("coordinator", "viewer", "service")
    @blp.response(200, ParticipantOut,
                  description="coordinators get every field; viewer and service callers get "
                              "only id, gender, agency and registered_at")
    def get(self, participant_id):
        """One officer's profile; `viewer` and `service` see pseudonymous fields only."""
        return _for_caller(participant_store.found(runtime(), participant_id))

    @requires("coordinator")
    @blp.arguments(ParticipantPatch())
    @blp.response(200, ParticipantOut)
    @blp.alt_response(409, description="another officer has this email or service number "
                                       "(the body names her id), or this one was erased")
    def patch(self, changes, participant_id):
        """Change a profile (coordinator); publishes `registration.participant.updated`."""
        return shown(participant_store.update(runtime(), participant_id, changes,
                                              whole_profile_errors))


@blp.route("/<participant_id>/contact")
class Contact(MethodView):
    @requires("service")
    @blp.response(200, ContactOut)
    @blp.alt_response(410, description="she was erased: nothing of her contact is kept")
    def get(self, participant_id):
        """Her names, email, phone and language, for the notifications service (service)."""
        return contact_of(participant_store.contact(runtime(), participant_id))


@blp.route("/<participant_id>/export")
class Export(MethodView):
    @requires("coordinator")
    @blp.response(200, ParticipantExport)
    def get(self, participant_id):
        """Everything held on one officer (coordinator), for her data request."""
        held = privacy_store.export(runtime(), participant_id)
        return {**held, "participant": shown(held["participant"]),
                "enrollments": [shown(e) for e in held["enrollments"]]}


@blp.route("/<participant_id>/erasure")
class Erasure(MethodView):
    @requires("coordinator")
    @blp.response(200, ParticipantOut)
    def post(self, participant_id):
        """Erase her personal data (coordinator); keeps gender and agency for the indicators."""
        return shown(privacy_store.erase(runtime(), participant_id))
