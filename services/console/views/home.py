"""The home page and the console's own health."""

from flask import Blueprint, g, jsonify, redirect, render_template, url_for

from services.console.web import signed_in, store

blp = Blueprint("home", __name__)


@blp.route("/")
@signed_in()
def index():
    if g.account["role"] == "facilitator":
        return redirect(url_for("attendance.my_sessions"))
    return render_template("home.html")


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
