"""HTTP resources for enrollments and the seats of sessions."""

from flask import g
from flask.views import MethodView
from flask_smorest import abort

from common.auth import requires
from common.http import Blueprint
from common.views import paged, runtime, shown
from services.registration.domain.errors import UnknownEnrollmentError
from services.registration.resources.enrollment_schemas import (
    AttendanceNameOut,
    EnrollmentIn,
    EnrollmentOut,
    EnrollmentQuery,
    GroupEnrollmentIn,
    GroupEnrollmentOut,
    SessionSeatsOut,
)
from services.registration.stores import enrollment_store, group_enrollment_store, seat_store
from services.registration.stores.session_projection_store import facilitates

blp = Blueprint("enrollments", __name__, description="Enrollments, seats and waiting lists")


@blp.route("/enrollments")
class Enrollments(MethodView):
    @requires("coordinator")
    @blp.arguments(EnrollmentIn)
    @blp.response(201, EnrollmentOut, description="confirmed, waitlisted, or rejected with why")
    @blp.alt_response(409, description="already enrolled (body names it), session closed, "
                                       "or participant erased")
    def post(self, body):
        """Enroll a participant in a session (coordinator); a seat, or a place in the queue."""
        return shown(seat_store.enroll_named(runtime(), body["session_id"],
                                             body["participant_id"]))

    @requires("coordinator", "viewer", "service")
    @blp.arguments(EnrollmentQuery, location="query")
    @blp.response(200, EnrollmentOut(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Enrollments in order of request, by session, series, participant, status or agency."""
        return paged(pagination_parameters, enrollment_store.listing, filters)


@blp.route("/enrollments/<enrollment_id>")
class Enrollment(MethodView):
    @requires("coordinator", "viewer", "service")
    @blp.response(200, EnrollmentOut)
    def get(self, enrollment_id):
        """One enrollment (any role; pseudonymous)."""
        found = enrollment_store.current(runtime(), enrollment_id)
        if found is None:
            raise UnknownEnrollmentError(enrollment_id)
        return shown(found)


@blp.route("/enrollments/<enrollment_id>/withdrawal")
class Withdrawal(MethodView):
    @requires("coordinator")
    @blp.response(200, EnrollmentOut)
    @blp.alt_response(409, description="the enrollment is not confirmed or waitlisted")
    def post(self, enrollment_id):
        """Withdraw (coordinator); the first waitlisted participant is promoted to the seat."""
        return shown(seat_store.withdraw(runtime(), enrollment_id))


@blp.route("/sessions/<session_id>")
class SessionSeats(MethodView):
    @requires("coordinator", "viewer", "service")
    @blp.response(200, SessionSeatsOut)
    def get(self, session_id):
        """A session's seats and waiting list, as registration knows them (any role)."""
        return shown(seat_store.seats_of(runtime(), session_id))


@blp.route("/sessions/<session_id>/enrollments")
class GroupEnrollment(MethodView):
    @requires("coordinator")
    @blp.arguments(GroupEnrollmentIn)
    @blp.response(200, GroupEnrollmentOut, description="each officer's outcome, in order")
    def post(self, body, session_id):
        """Enroll a group of officers in a session (coordinator), each as `POST /enrollments`
        would, decided together; asking again enrolls nobody twice (409 naming hers)."""
        outcomes = group_enrollment_store.enroll_group(runtime(), session_id,
                                                       body["participant_ids"])
        for outcome in outcomes:
            if "enrollment" in outcome:
                outcome["enrollment"] = shown(outcome["enrollment"])
        return {"session_id": session_id, "outcomes": outcomes}


@blp.route("/sessions/<session_id>/names")
class SessionNames(MethodView):
    @requires("coordinator", "facilitator")
    @blp.response(200, AttendanceNameOut(many=True))
    def get(self, session_id):
        """The names of a session's confirmed officers, for its attendance sheet (coordinator;
        a facilitator for the sessions she facilitates only)."""
        seat_store.known_state(runtime(), session_id)
        principal = g.principal
        if not principal.has_any(("coordinator",)) and not facilitates(
                runtime(), session_id, principal.facilitator_id):
            abort(403, message="a facilitator sees the names of her own sessions' officers only")
        return seat_store.confirmed_names(runtime(), session_id)
