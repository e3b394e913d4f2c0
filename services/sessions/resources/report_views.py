"""The donor's report in HTML or PDF (`Accept: application/pdf` or `?format=pdf`)."""

from pathlib import Path

from flask import Response, request
from flask.views import MethodView
from jinja2 import Environment, FileSystemLoader, select_autoescape
from marshmallow import fields, validate

from common.auth import requires
from common.http import Blueprint
from common.schemas import Query
from common.views import runtime
from services.sessions import donor_report
from services.sessions.resources.access import REPORT_READERS

PAGES = Environment(loader=FileSystemLoader(Path(__file__).parents[1] / "templates"),
                    autoescape=select_autoescape(["html"]))
PAGES.globals["pct"] = lambda rate: "n/a" if rate is None else f"{round(rate * 100)}%"
AS_HTML_OR_PDF = {200: {"content": {"text/html": {"schema": {"type": "string"}},
                                    "application/pdf": {"schema": {"type": "string",
                                                                   "format": "binary"}}}}}

blp = Blueprint("reports", __name__, description="The donor's report: figures, charts, quotes")


class ReportQuery(Query):
    min_cell = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1000),
                              metadata={"description": "hide counts smaller than this"})
    format = fields.String(load_default=None, validate=validate.OneOf(("html", "pdf")))


def _answer(report: dict, query: dict) -> Response:
    html = PAGES.get_template("report.html").render(r=report)
    wants_pdf = query["format"] == "pdf" or (query["format"] is None and (
        request.accept_mimetypes.best_match(["text/html", "application/pdf"])
        == "application/pdf"))
    if not wants_pdf:
        return Response(html, mimetype="text/html")
    import weasyprint  # loaded on first use: it pulls in Pango

    return Response(weasyprint.HTML(string=html).write_pdf(), mimetype="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="report.pdf"'})


@blp.route("/programmes/<programme_id>/report")
class ProgrammeReport(MethodView):
    @requires(*REPORT_READERS)
    @blp.arguments(ReportQuery, location="query")
    @blp.response(200, description="the report", content_type="text/html")
    @blp.doc(responses=AS_HTML_OR_PDF)
    def get(self, query, programme_id):
        """The programme's report for its donors: series, sessions, participation by agency
        and gender, attendance, retention, certificates, feedback (coordinator, viewer)."""
        report = donor_report.for_programme(runtime(), programme_id, query["min_cell"])
        return _answer(report, query)


@blp.route("/series/<series_id>/report")
class SeriesReport(MethodView):
    @requires(*REPORT_READERS)
    @blp.arguments(ReportQuery, location="query")
    @blp.response(200, description="the report", content_type="text/html")
    @blp.doc(responses=AS_HTML_OR_PDF)
    def get(self, query, series_id):
        """One series' report for the donors (coordinator, viewer)."""
        return _answer(donor_report.for_series(runtime(), series_id, query["min_cell"]), query)
