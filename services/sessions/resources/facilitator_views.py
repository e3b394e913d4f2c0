"""Facilitators and their assignment to sessions. Coordinators only: these are people's names."""

from flask.views import MethodView

from common.auth import requires
from common.contacts import ContactOut, contact_of
from common.http import Blueprint
from common.views import paged, runtime, shown
from services.sessions.resources.access import COORDINATOR
from services.sessions.resources.facilitator_schemas import FacilitatorIn, FacilitatorOut
from services.sessions.resources.session_schemas import AssignmentIn, SessionOut
from services.sessions.stores import facilitator_store, session_store

blp = Blueprint("facilitators", __name__, description="Regional advisors, experts, trainers")


@blp.route("/facilitators")
class Facilitators(MethodView):
    @requires(*COORDINATOR)
    @blp.arguments(FacilitatorIn)
    @blp.response(201, FacilitatorOut)
    def post(self, details):
        """Add a facilitator (coordinator)."""
        return shown(facilitator_store.create(runtime(), details))

    @requires(*COORDINATOR)
    @blp.response(200, FacilitatorOut(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """Facilitators by family name (coordinator)."""
        return paged(pagination_parameters, facilitator_store.listing)


@blp.route("/facilitators/<facilitator_id>")
class Facilitator(MethodView):
    @requires(*COORDINATOR)
    @blp.response(200, FacilitatorOut)
    def get(self, facilitator_id):
        """One facilitator (coordinator)."""
        return shown(facilitator_store.get(runtime(), facilitator_id))


@blp.route("/facilitators/<facilitator_id>/contact")
class FacilitatorContact(MethodView):
    @requires("service")
    @blp.response(200, ContactOut)
    def get(self, facilitator_id):
        """Her names, email, phone and language, for the notifications service (service)."""
        return contact_of(facilitator_store.get(runtime(), facilitator_id))


@blp.route("/sessions/<session_id>/facilitators/<facilitator_id>")
class SessionFacilitator(MethodView):
    @requires(*COORDINATOR)
    @blp.arguments(AssignmentIn)
    @blp.response(200, SessionOut)
    @blp.alt_response(409, description="assigned with another role, or the session is closed")
    def put(self, assignment, session_id, facilitator_id):
        """Assign a facilitator with a role (coordinator); publishes
        `sessions.facilitator.assigned` (ids only: no contact details)."""
        stored = facilitator_store.assign(runtime(), session_id, facilitator_id, assignment["role"])
        return shown(session_store.describe(runtime(), stored))

    @requires(*COORDINATOR)
    @blp.response(200, SessionOut)
    @blp.alt_response(409, description="the facilitator is not assigned")
    def delete(self, session_id, facilitator_id):
        """Remove a facilitator from a session (coordinator); publishes
        `sessions.facilitator.removed`."""
        stored = facilitator_store.remove(runtime(), session_id, facilitator_id)
        return shown(session_store.describe(runtime(), stored))
