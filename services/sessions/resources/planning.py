"""Programmes and series."""

from flask.views import MethodView
from flask_smorest import Blueprint

from common.auth import requires
from services.sessions import agency_list, programmes, series
from services.sessions.resources.common import COORDINATOR, PLAN_READERS, runtime, shown
from services.sessions.schemas import ProgrammeIn, ProgrammeOut, SeriesIn, SeriesOut, SeriesQuery

programmes_blp = Blueprint("programmes", __name__, url_prefix="/programmes",
                           description="Programmes, e.g. GLO.ACT Asia and the Middle East")
series_blp = Blueprint("series", __name__, url_prefix="/series",
                       description="Ordered groups of sessions, e.g. a coaching series of 3")


@programmes_blp.route("")
class Programmes(MethodView):
    @requires(*COORDINATOR)
    @programmes_blp.arguments(ProgrammeIn)
    @programmes_blp.response(201, ProgrammeOut)
    def post(self, details):
        """Create a programme (coordinator); publishes `sessions.programme.created`."""
        return shown(programmes.create(runtime(), details))

    @requires(*PLAN_READERS)
    @programmes_blp.response(200, ProgrammeOut(many=True))
    @programmes_blp.paginate()
    def get(self, pagination_parameters):
        """Programmes, oldest first (coordinator, service, viewer)."""
        found, total = programmes.listing(runtime(), pagination_parameters.first_item,
                                          pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return [shown(p) for p in found]


@programmes_blp.route("/<programme_id>")
class Programme(MethodView):
    @requires(*PLAN_READERS)
    @programmes_blp.response(200, ProgrammeOut)
    def get(self, programme_id):
        """One programme (coordinator, service, viewer)."""
        return shown(programmes.get(runtime(), programme_id))


@series_blp.route("")
class SeriesList(MethodView):
    @requires(*COORDINATOR)
    @series_blp.arguments(SeriesIn)
    @series_blp.response(201, SeriesOut)
    @series_blp.alt_response(503, description="registration's list of agencies is unavailable")
    def post(self, details):
        """Create a series of a programme (coordinator); publishes `sessions.series.created`.
        Agencies in `eligibility` must be on registration's list (asked for over HTTP)."""
        eligibility = agency_list.eligibility_with_listed_agencies(runtime().settings,
                                                                  details.get("eligibility"))
        created = series.create(runtime(), {**details, "eligibility": eligibility})
        return shown(series.overview(runtime(), created["_id"]))

    @requires(*PLAN_READERS)
    @series_blp.arguments(SeriesQuery, location="query")
    @series_blp.response(200, SeriesOut(many=True))
    @series_blp.paginate()
    def get(self, filters, pagination_parameters):
        """Series, oldest first, optionally of one programme (coordinator, service, viewer)."""
        found, total = series.listing(runtime(), filters.get("programme_id"),
                                      pagination_parameters.first_item,
                                      pagination_parameters.page_size)
        pagination_parameters.item_count = total
        return [shown(s) for s in found]


@series_blp.route("/<series_id>")
class Series(MethodView):
    @requires(*PLAN_READERS)
    @series_blp.response(200, SeriesOut)
    def get(self, series_id):
        """A series with its sessions in order and its next planned one (coordinator, service,
        viewer)."""
        return shown(series.overview(runtime(), series_id))
