"""Series: ordered groups of sessions of a programme, e.g. a coaching series of 3."""

from flask.views import MethodView

from common.auth import requires
from common.http import Blueprint
from common.views import paged, runtime, shown
from services.sessions import agency_list
from services.sessions.resources.access import COORDINATOR, PLAN_READERS
from services.sessions.resources.series_schemas import SeriesIn, SeriesOut, SeriesQuery
from services.sessions.resources.session_schemas import ScheduleIn, SessionOut
from services.sessions.stores import series_store, session_store

blp = Blueprint("series", __name__, url_prefix="/series",
                description="Ordered groups of sessions, e.g. a coaching series of 3")


@blp.route("")
class SeriesList(MethodView):
    @requires(*COORDINATOR)
    @blp.arguments(SeriesIn)
    @blp.response(201, SeriesOut)
    @blp.alt_response(503, description="registration's list of agencies is unavailable")
    def post(self, details):
        """Create a series of a programme (coordinator); publishes `sessions.series.created`.
        Agencies in `eligibility` must be on registration's list (asked for over HTTP)."""
        eligibility = agency_list.eligibility_with_listed_agencies(runtime().settings,
                                                                   details.get("eligibility"))
        created = series_store.create(runtime(), {**details, "eligibility": eligibility})
        return shown(series_store.overview(runtime(), created["_id"]))

    @requires(*PLAN_READERS)
    @blp.arguments(SeriesQuery, location="query")
    @blp.response(200, SeriesOut(many=True))
    @blp.paginate()
    def get(self, filters, pagination_parameters):
        """Series, oldest first, optionally of one programme (coordinator, service, viewer)."""
        return paged(pagination_parameters, series_store.listing, filters.get("programme_id"))


@blp.route("/<series_id>")
class Series(MethodView):
    @requires(*PLAN_READERS)
    @blp.response(200, SeriesOut)
    def get(self, series_id):
        """A series with its sessions in order and its next planned one (coordinator, service,
        viewer)."""
        return shown(series_store.overview(runtime(), series_id))


@blp.route("/<series_id>/sessions", methods=["POST"])
@requires(*COORDINATOR)
@blp.arguments(ScheduleIn)
@blp.response(201, SessionOut(many=True))
def plan_schedule(body, series_id):
    """Plan several sessions of a series in one request, e.g. its whole schedule
    (coordinator): each as `POST /sessions` with this `series_id` would, all or none; each one
    not a `draft` publishes `sessions.session.scheduled`."""
    return [shown(session) for session in
            session_store.create_in_series(runtime(), series_id, body["sessions"])]
