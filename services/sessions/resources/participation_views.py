"""The roster, attendance and feedback of a session: coordinators, and a facilitator for the
sessions she facilitates."""

from flask.views import MethodView

from common.auth import requires
from common.http import Blueprint
from common.views import runtime
from services.sessions.resources.access import COORDINATOR, FACILITATING, facilitated, page
from services.sessions.resources.participation_schemas import (
    DayIn,
    FeedbackIn,
    FeedbackOut,
    MarkIn,
    MarkOut,
    QuoteOut,
    RosterEntryOut,
)
from services.sessions.stores import (
    attendance_store,
    feedback_store,
    roster_store,
    session_store,
)

blp = Blueprint("participation", __name__, url_prefix="/sessions",
                description="Roster, attendance per day and feedback")


@blp.route("/<session_id>/roster")
class Roster(MethodView):
    @requires(*FACILITATING)
    @blp.response(200, RosterEntryOut(many=True))
    @blp.paginate()
    def get(self, session_id, pagination_parameters):
        """Who is enrolled, as projected from registration: ids, gender, agency (coordinator,
        her facilitator)."""
        session = facilitated(session_store.get(runtime(), session_id))
        entries = roster_store.entries(runtime(), session, whole=False)
        return page(sorted(entries, key=lambda e: e["participant_id"]), pagination_parameters)


@blp.route("/<session_id>/attendance")
class Attendance(MethodView):
    @requires(*FACILITATING)
    @blp.response(200, MarkOut(many=True))
    @blp.paginate()
    def get(self, session_id, pagination_parameters):
        """Every attendance mark, by day then participant (coordinator, her facilitator)."""
        facilitated(session_store.get(runtime(), session_id))
        return page(attendance_store.listing(runtime(), session_id), pagination_parameters)


@blp.route("/<session_id>/attendance/<day>")
class AttendanceDay(MethodView):
    @requires(*FACILITATING)
    @blp.arguments(DayIn)
    @blp.response(200, MarkOut(many=True))
    @blp.alt_response(409, description="the session is not under way or completed")
    def post(self, body, session_id, day):
        """Record a day's attendance in bulk, rostered participants only (coordinator);
        publishes `sessions.attendance.recorded` per changed mark."""
        facilitated(session_store.get(runtime(), session_id))
        return attendance_store.record(runtime(), session_id, day, body["marks"])


@blp.route("/<session_id>/attendance/<day>/<participant_id>")
class AttendanceMark(MethodView):
    @requires(*FACILITATING)
    @blp.arguments(MarkIn)
    @blp.response(200, MarkOut)
    @blp.alt_response(409, description="the session is not under way or completed")
    def put(self, mark, session_id, day, participant_id):
        """Record or correct one participant's attendance for a day (coordinator, her
        facilitator)."""
        facilitated(session_store.get(runtime(), session_id))
        return attendance_store.record(runtime(), session_id, day, [
            {"participant_id": participant_id, "status": mark["status"]}])[0]


@blp.route("/<session_id>/feedback/<participant_id>")
class Feedback(MethodView):
    @requires(*FACILITATING)
    @blp.arguments(FeedbackIn)
    @blp.response(200, FeedbackOut)
    @blp.alt_response(409, description="the session has not taken place")
    def put(self, given, session_id, participant_id):
        """Record a participant's feedback, replacing any earlier one (coordinator);
        publishes `sessions.feedback.submitted` (the rating only)."""
        facilitated(session_store.get(runtime(), session_id))
        return feedback_store.submit(runtime(), session_id, participant_id, given)


@blp.route("/<session_id>/quotes")
class Quotes(MethodView):
    @requires(*COORDINATOR)
    @blp.response(200, QuoteOut(many=True))
    @blp.paginate()
    def get(self, session_id, pagination_parameters):
        """Comments their authors agreed to have quoted anonymously (coordinator)."""
        quotes = [{"comments": c} for c in feedback_store.quotable(runtime(), session_id)]
        return page(quotes, pagination_parameters)
