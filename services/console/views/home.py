"""The home page and the console's own health."""

from flask import Blueprint, g, jsonify, redirect, render_template, url_for

from services.console import display
from services.console.clients.base import ApiRefusedError, ServiceDownError
from services.console.roles import can
from services.console.web import sessions_api, signed_in, store

blp = Blueprint("home", __name__)


@blp.route("/")
@signed_in()
def index():
    if g.account["role"] == "facilitator":
        return redirect(url_for("attendance.my_sessions"))
    upcoming, outage = [], None
    if can(g.account["role"], "read_plans"):
        try:  # the dashboard works without the sessions service; it only says so
            upcoming = sessions_api().sessions(status="scheduled")[:5]
        except (ServiceDownError, ApiRefusedError) as exc:
            outage = str(exc)
    return render_template("home.html", upcoming=upcoming, outage=outage, local=display.local)


@blp.route("/health/live")
def live():
    return jsonify(status="alive")


@blp.route("/health/ready")
def ready():
    try:
        store().ping()
    except Exception as exc:
        return jsonify(status="not ready",
                       reasons=[f"MongoDB unavailable: {type(exc).__name__}"]), 503
    return jsonify(status="ready")
