"""The donor's report of a programme or a series, fetched with the person's token and streamed
back: the browser never talks to the API (it needs a bearer token)."""

import re

from flask import Blueprint, Response, render_template, request

from services.console.views.indicators import min_cell
from services.console.web import sessions_api, signed_in

blp = Blueprint("reports", __name__, url_prefix="/reports")

SCOPES = ("programmes", "series")
CHUNK = 64 * 1024
# The report is the API's own page: inline styles and SVG charts, never a script.
REPORT_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                 "frame-ancestors 'none'; form-action 'none'; base-uri 'none'")


@blp.route("/<scope>/<scope_id>")
@signed_in("see_reports")
def report(scope, scope_id):
    """The report as a page, or with ``?format=pdf`` as a PDF to download."""
    if scope not in SCOPES:
        return render_template("message.html", title="Not found", message="no such report"), 404
    pdf = request.args.get("format") == "pdf"
    upstream = sessions_api().report(scope, scope_id, pdf, min_cell())
    headers = {"Content-Security-Policy": REPORT_POLICY}
    if pdf:
        safe_id = re.sub(r"[^A-Za-z0-9_-]", "", scope_id)[:64]
        headers["Content-Disposition"] = f'attachment; filename="report-{scope}-{safe_id}.pdf"'
    answer = Response(upstream.iter_content(CHUNK), headers=headers,
                      mimetype="application/pdf" if pdf else "text/html")
    answer.call_on_close(upstream.close)
    return answer
