"""The donors' figures for a session, a series or a programme, with charts and CSV."""

from flask import Blueprint, Response, g, redirect, render_template, request, url_for

from services.console import display
from services.console.roles import can
from services.console.web import sessions_api, signed_in

blp = Blueprint("indicators", __name__, url_prefix="/indicators")

SCOPES = {"sessions": "Session", "series": "Series", "programmes": "Programme"}


def min_cell() -> int:
    try:
        return max(1, min(1000, int(request.args.get("min_cell", "1"))))
    except ValueError:
        return 1


@blp.route("")
@signed_in("see_indicators")
def choose():
    """What there are figures for: programmes and series for everyone who sees indicators, the
    sessions too for coordinators (a viewer reaches a session's through its series)."""
    if request.args.get("scope") in SCOPES and request.args.get("id"):
        return redirect(url_for("indicators.show", scope=request.args["scope"],
                                scope_id=request.args["id"].strip()))
    api = sessions_api()
    sessions = api.sessions() if can(g.account["role"], "read_plans") else None
    return render_template("indicators_choose.html", programmes=api.programmes(),
                           series=api.series_list(), sessions=sessions, local=display.local)


@blp.route("/<scope>/<scope_id>")
@signed_in("see_indicators")
def show(scope, scope_id):
    if scope not in SCOPES:
        return render_template("message.html", title="Not found", message="no such figures"), 404
    cells = min_cell()
    figures = sessions_api().indicators(scope, scope_id, cells)
    return render_template("indicators.html", scope=scope, scope_name=SCOPES[scope],
                           scope_id=scope_id, figures=figures, min_cell=cells,
                           bars=display.bars, percent=display.percent, local=display.local)


@blp.route("/<scope>/<scope_id>.csv")
@signed_in("see_indicators")
def csv(scope, scope_id):
    if scope not in SCOPES:
        return render_template("message.html", title="Not found", message="no such figures"), 404
    body = sessions_api().indicators_csv(scope, scope_id, min_cell())
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="indicators-{scope}-{scope_id}.csv"'})
