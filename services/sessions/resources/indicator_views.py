"""The donors' indicators, as JSON or CSV (`Accept: text/csv` or `?format=csv`)."""

import csv
import io

from flask import Response, request
from flask.views import MethodView

from common.auth import requires
from common.http import Blueprint
from common.views import runtime
from services.sessions.domain import indicator_rules
from services.sessions.resources.access import INDICATOR_READERS
from services.sessions.resources.indicator_schemas import (
    IndicatorQuery,
    ProgrammeIndicators,
    SeriesIndicators,
    SessionIndicators,
)
from services.sessions.stores import indicator_store

DESCRIPTION = "the indicators as JSON, or CSV; `?min_cell=k` hides counts below k"
# flask-smorest declares one content type per response: the CSV is added by hand.
OR_CSV = {200: {"content": {"text/csv": {"schema": {"type": "string", "description": (
    "two columns, `indicator,value`: each figure of the JSON answer named by its path, e.g. "
    "`enrolled.percent_by_agency.Punjab Police`; a hidden figure is an empty value")}}}}}

blp = Blueprint("indicators", __name__,
                description="Participation, attendance, retention and feedback figures; no names")


def _answer(figures: dict, query: dict):
    figures = indicator_rules.suppress(figures, query["min_cell"])
    wants_csv = query["format"] == "csv" or (
        query["format"] is None and request.accept_mimetypes.best_match(
            ["application/json", "text/csv"]) == "text/csv")
    if not wants_csv:
        return figures
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["indicator", "value"])
    writer.writerows(indicator_rules.flatten(figures))
    return Response(out.getvalue(), mimetype="text/csv")


@blp.route("/sessions/<session_id>/indicators")
class SessionIndicators(MethodView):
    @requires(*INDICATOR_READERS)
    @blp.arguments(IndicatorQuery, location="query")
    @blp.response(200, SessionIndicators, description=DESCRIPTION,
                  content_type="application/json")
    @blp.doc(responses=OR_CSV)
    def get(self, query, session_id):
        """Enrolled and attended by gender and agency, attendance per day, feedback, position
        in the series and the next session (coordinator, viewer, service)."""
        return _answer(indicator_store.for_session(runtime(), session_id), query)


@blp.route("/series/<series_id>/indicators")
class SeriesIndicators(MethodView):
    @requires(*INDICATOR_READERS)
    @blp.arguments(IndicatorQuery, location="query")
    @blp.response(200, SeriesIndicators, description=DESCRIPTION,
                  content_type="application/json")
    @blp.doc(responses=OR_CSV)
    def get(self, query, series_id):
        """Retention (who attended every session held so far) and each session's figures
        (coordinator, viewer, service)."""
        return _answer(indicator_store.for_series(runtime(), series_id), query)


@blp.route("/programmes/<programme_id>/indicators")
class ProgrammeIndicators(MethodView):
    @requires(*INDICATOR_READERS)
    @blp.arguments(IndicatorQuery, location="query")
    @blp.response(200, ProgrammeIndicators, description=DESCRIPTION,
                  content_type="application/json")
    @blp.doc(responses=OR_CSV)
    def get(self, query, programme_id):
        """Distinct participants enrolled and attended across the programme, feedback
        (coordinator, viewer, service)."""
        return _answer(indicator_store.for_programme(runtime(), programme_id), query)
