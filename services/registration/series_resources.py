"""HTTP resources for series and their cohorts."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from common.auth import requires
from services.registration import cohorts, participants
from services.registration.enrollment_schemas import (
    CohortFromSessionIn,
    CohortFromSessionOut,
    CohortJoinOut,
    CohortMemberIn,
    SeriesOut,
)
from services.registration.http_errors import conflict, field_error
from services.registration.session_projection import get_series

blp = Blueprint("series", __name__, url_prefix="/series", description="Series and cohorts")


def _runtime():
    return current_app.config["RUNTIME"]


def _unknown_series(series_id: str):
    abort(404, message=f"no series with id {series_id} is known to registration")


@blp.route("/<series_id>")
class Series(MethodView):
    @requires("coordinator", "viewer", "service")
    @blp.response(200, SeriesOut)
    def get(self, series_id):
        """A series, its eligibility rule and its cohort's participant ids (any role)."""
        series = get_series(_runtime(), series_id)
        if series is None:
            _unknown_series(series_id)
        return {**series, "id": series["_id"], "cohort": cohorts.members(_runtime(), series_id)}


@blp.route("/<series_id>/cohort")
class Cohort(MethodView):
    @requires("coordinator")
    @blp.arguments(CohortMemberIn)
    @blp.response(200, CohortJoinOut)
    @blp.alt_response(409, description="not eligible for the series, or erased")
    def post(self, body, series_id):
        """Enroll her in the whole series (coordinator): every session, present and future."""
        participant_id = body["participant_id"]
        try:
            joined = cohorts.join_series(_runtime(), series_id, participant_id)
        except cohorts.UnknownSeriesError:
            _unknown_series(series_id)
        except participants.UnknownParticipantError as exc:
            return field_error("participant_id", str(exc))
        except (cohorts.NotEligibleError, participants.ErasedParticipantError) as exc:
            return conflict(str(exc))
        return {"series_id": series_id, "participant_id": participant_id,
                "enrollments": [{**e, "id": e["_id"]} for e in joined]}


@blp.route("/<series_id>/cohort/from-session")
class CohortFromSession(MethodView):
    @requires("coordinator")
    @blp.arguments(CohortFromSessionIn)
    @blp.response(200, CohortFromSessionOut)
    def post(self, body, series_id):
        """Enroll an earlier session's attendees or confirmed participants in the series.

        `attendees` are those whose attendance has reached registration (as events, usually
        within seconds of being recorded in sessions): an officer marked present a moment ago
        may be missing from `joined`; calling again adds her (each officer joins once)."""
        try:
            return cohorts.join_from_session(_runtime(), series_id, body["session_id"],
                                             body["include"])
        except cohorts.UnknownSeriesError:
            _unknown_series(series_id)
        except cohorts.UnknownSourceSessionError as exc:
            return field_error("session_id", str(exc))
