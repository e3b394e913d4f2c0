"""Sessions and their lifecycle: schedule, reschedule, start, complete, cancel."""

from flask.views import MethodView

from common.auth import requires
from common.http import Blueprint
from common.views import paged, runtime, shown
from services.sessions.resources import session_rows
from services.sessions.resources.access import (
    COORDINATOR,
    READERS,
    facilitated,
    only_facilitator,
)
from services.sessions.resources.session_schemas import (
    CancelIn,
    CapacityIn,
    RescheduleIn,
    SessionIn,
    SessionOut,
    SessionQuery,
)
from services.sessions.stores import session_store

blp = Blueprint("sessions", __name__, url_prefix="/sessions",
                description="Training workshops and coaching sessions")


@blp.route("")
class Sessions(MethodView):
    @requires(*COORDINATOR)
    @blp.arguments(SessionIn)
    @blp.response(201, SessionOut)
    def post(self, details):
        """Plan a session (coordinator); unless `draft`, publishes `sessions.session.scheduled`."""
        return _answer(session_store.create(runtime(), details))

    @requires(*READERS, "facilitator")
    @blp.arguments(SessionQuery, location="query")
    @blp.response(200, SessionOut(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Sessions, earliest first, by programme, series or status (coordinator, service;
        a facilitator gets the sessions she facilitates)."""
        facilitator_id = only_facilitator()
        if facilitator_id is not None:
            filters = {**filters, "facilitator_id": facilitator_id}
        return session_rows.page(paged(pagination_parameters, session_store.listing, filters,
                                       show=session_rows.row))


@blp.route("/<session_id>")
class Session(MethodView):
    @requires(*READERS, "facilitator")
    @blp.response(200, SessionOut)
    def get(self, session_id):
        """One session with its position in its series (coordinator, service; a facilitator
        hers)."""
        return _answer(facilitated(session_store.get(runtime(), session_id)))


def _answer(session: dict) -> dict:
    return shown(session_store.describe(runtime(), session))


@blp.route("/<session_id>/schedule", methods=["POST"])
@requires(*COORDINATOR)
@blp.response(200, SessionOut)
@blp.alt_response(409, description="the session is not a draft")
def schedule(session_id):
    """Put a draft on the calendar (coordinator); publishes `sessions.session.scheduled`."""
    return _answer(session_store.schedule(runtime(), session_id))


@blp.route("/<session_id>/reschedule", methods=["POST"])
@requires(*COORDINATOR)
@blp.arguments(RescheduleIn)
@blp.response(200, SessionOut)
@blp.alt_response(409, description="the session is under way, completed or cancelled")
def reschedule(change, session_id):
    """Move a planned session, keeping the old and new dates (coordinator); publishes
    `sessions.session.rescheduled`."""
    return _answer(session_store.reschedule(runtime(), session_id, change))


@blp.route("/<session_id>/capacity", methods=["PUT"])
@requires(*COORDINATOR)
@blp.arguments(CapacityIn)
@blp.response(200, SessionOut)
@blp.alt_response(409, description="the session is under way, completed or cancelled")
def change_capacity(body, session_id):
    """Change the number of seats (coordinator); publishes `sessions.session.capacity_changed`."""
    return _answer(session_store.change_capacity(runtime(), session_id, body["capacity"]))


@blp.route("/<session_id>/start", methods=["POST"])
@requires(*COORDINATOR)
@blp.response(200, SessionOut)
@blp.alt_response(409, description="the session is not scheduled")
def start(session_id):
    """Mark a scheduled session under way (coordinator); publishes `sessions.session.started`."""
    return _answer(session_store.start(runtime(), session_id))


@blp.route("/<session_id>/complete", methods=["POST"])
@requires(*COORDINATOR)
@blp.response(200, SessionOut)
@blp.alt_response(409, description="the session is not under way or has not ended")
def complete(session_id):
    """Complete a session that has ended (coordinator); publishes `sessions.session.completed`."""
    return _answer(session_store.complete(runtime(), session_id))


@blp.route("/<session_id>/cancel", methods=["POST"])
@requires(*COORDINATOR)
@blp.arguments(CancelIn)
@blp.response(200, SessionOut)
@blp.alt_response(409, description="the session is already completed or cancelled")
def cancel(body, session_id):
    """Cancel a session with a reason (coordinator); publishes `sessions.session.cancelled`."""
    return _answer(session_store.cancel(runtime(), session_id, body["reason"]))
