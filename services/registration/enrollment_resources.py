"""HTTP resources for enrollments and the seats of sessions."""

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from common.auth import requires
from common.http import error_response
from services.registration import enrollments, participants, rules, seat_log, seats
from services.registration.enrollment_schemas import (
    AttendanceNameOut,
    EnrollmentIn,
    EnrollmentOut,
    EnrollmentQuery,
    SessionSeatsOut,
)
from services.registration.http_errors import conflict, field_error
from services.registration.session_projection import facilitates, get_session

blp = Blueprint("enrollments", __name__, description="Enrollments, seats and waiting lists")


def _runtime():
    return current_app.config["RUNTIME"]


def _out(enrollment: dict) -> dict:
    return {**enrollment, "id": enrollment["_id"]}


@blp.route("/enrollments")
class Enrollments(MethodView):
    @requires("coordinator")
    @blp.arguments(EnrollmentIn)
    @blp.response(201, EnrollmentOut, description="confirmed, waitlisted, or rejected with why")
    @blp.alt_response(409, description="already enrolled (body names it), session closed, "
                                       "or participant erased")
    def post(self, body):
        """Enroll a participant in a session (coordinator); a seat, or a place in the queue."""
        runtime = _runtime()
        try:
            participant = participants.enrollable(runtime, body["participant_id"])
            return _out(seats.enroll(runtime, body["session_id"], participant))
        except participants.UnknownParticipantError as exc:
            return field_error("participant_id", str(exc))
        except seats.UnknownSessionError as exc:
            return field_error("session_id", str(exc))
        except seats.AlreadyEnrolledError as exc:
            return conflict(str(exc), existing_id=exc.existing_id)
        except (participants.ErasedParticipantError, seats.SessionClosedError) as exc:
            return conflict(str(exc))
        except seats.ContentionError as exc:
            return error_response(503, str(exc))

    @requires("coordinator", "viewer", "service")
    @blp.arguments(EnrollmentQuery, location="query")
    @blp.response(200, EnrollmentOut(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Enrollments in order of request, by session, series, participant, status or agency."""
        found, total = enrollments.listing(_runtime(), filters, pagination_parameters.first_item,
                                           pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return [_out(e) for e in found]


@blp.route("/enrollments/<enrollment_id>")
class Enrollment(MethodView):
    @requires("coordinator", "viewer", "service")
    @blp.response(200, EnrollmentOut)
    def get(self, enrollment_id):
        """One enrollment (any role; pseudonymous)."""
        found = enrollments.current(_runtime(), enrollment_id)
        if found is None:
            abort(404, message=f"no enrollment with id {enrollment_id}")
        return _out(found)


@blp.route("/enrollments/<enrollment_id>/withdrawal")
class Withdrawal(MethodView):
    @requires("coordinator")
    @blp.response(200, EnrollmentOut)
    @blp.alt_response(409, description="the enrollment is not confirmed or waitlisted")
    def post(self, enrollment_id):
        """Withdraw (coordinator); the first waitlisted participant is promoted to the seat."""
        try:
            return _out(seats.withdraw(_runtime(), enrollment_id))
        except seats.UnknownEnrollmentError as exc:
            abort(404, message=str(exc))
        except rules.IllegalTransitionError as exc:
            return conflict(str(exc))
        except seats.ContentionError as exc:
            return error_response(503, str(exc))


@blp.route("/sessions/<session_id>")
class SessionSeats(MethodView):
    @requires("coordinator", "viewer", "service")
    @blp.response(200, SessionSeatsOut)
    def get(self, session_id):
        """A session's seats and waiting list, as registration knows them (any role)."""
        session = get_session(_runtime(), session_id)
        seats_now = seat_log.state(_runtime(), session_id)
        if session is None or seats_now is None:
            abort(404, message=f"no session with id {session_id} is known to registration")
        waiting = [{"position": n, "participant_id": pid,
                    "enrollment_id": seats_now.entries[pid]["enrollment_id"]}
                   for n, pid in enumerate(seats_now.waiting, start=1)]
        return {**session, "id": session_id, "status": seats_now.status,
                "capacity": seats_now.capacity, "seats_left": seats_now.seats_left,
                "confirmed": len(seats_now.holders), "waiting_list": waiting}


@blp.route("/sessions/<session_id>/names")
class SessionNames(MethodView):
    @requires("coordinator", "facilitator")
    @blp.response(200, AttendanceNameOut(many=True))
    def get(self, session_id):
        """The names of a session's confirmed officers, for its attendance sheet (coordinator;
        a facilitator for the sessions she facilitates only)."""
        seats_now = seat_log.state(_runtime(), session_id)
        if seats_now is None:
            abort(404, message=f"no session with id {session_id} is known to registration")
        principal = g.principal
        if not principal.has_any(("coordinator",)) and not facilitates(
                _runtime(), session_id, principal.facilitator_id):
            abort(403, message="a facilitator sees the names of her own sessions' officers only")
        shown = []
        for participant_id in seats_now.holders:
            officer = participants.get(_runtime(), participant_id) or {}
            shown.append({"participant_id": participant_id,
                          "given_name": officer.get("given_name"),
                          "family_name": officer.get("family_name"),
                          "agency": officer.get("agency")})
        return sorted(shown, key=lambda o: (o["family_name"] or "", o["given_name"] or ""))
