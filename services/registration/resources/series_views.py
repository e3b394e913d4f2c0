"""HTTP resources for series and their cohorts."""

from flask.views import MethodView

from common.auth import requires
from common.http import Blueprint
from common.views import runtime, shown
from services.registration.resources.series_schemas import (
    CohortFromSessionIn,
    CohortFromSessionOut,
    CohortJoinOut,
    CohortMemberIn,
    SeriesOut,
)
from services.registration.stores import cohort_store

blp = Blueprint("series", __name__, url_prefix="/series", description="Series and cohorts")


@blp.route("/<series_id>")
class Series(MethodView):
    @requires("coordinator", "viewer", "service")
    @blp.response(200, SeriesOut)
    def get(self, series_id):
        """A series, its eligibility rule and its cohort's participant ids (any role)."""
        series = cohort_store.known_series(runtime(), series_id)
        return shown(series, cohort=cohort_store.members(runtime(), series_id))


@blp.route("/<series_id>/cohort")
class Cohort(MethodView):
    @requires("coordinator")
    @blp.arguments(CohortMemberIn)
    @blp.response(200, CohortJoinOut)
    @blp.alt_response(409, description="not eligible for the series, or erased")
    def post(self, body, series_id):
        """Enroll her in the whole series (coordinator): every session, present and future."""
        joined = cohort_store.join_named(runtime(), series_id, body["participant_id"])
        return {"series_id": series_id, "participant_id": body["participant_id"],
                "enrollments": [shown(e) for e in joined]}


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
        return cohort_store.join_from_session(runtime(), series_id, body["session_id"],
                                              body["include"])
