"""The attendance sheet in the room (one tap per officer, saved without a reload) and feedback."""

from flask import Blueprint, g, jsonify, redirect, render_template, request, url_for

from services.console import display
from services.console.clients.base import ApiRefusedError, ServiceDownError
from services.console.display import FormError
from services.console.forms import number, text
from services.console.views.planning import refusal
from services.console.web import registration_api, sessions_api, signed_in

blp = Blueprint("attendance", __name__)

STATUSES = ("present", "late", "excused", "absent")


@blp.route("/my-sessions")
@signed_in("record_attendance")
def my_sessions():
    """A facilitator's sessions (the API lists hers alone); coordinators see every one."""
    return render_template("my_sessions.html", sessions=sessions_api().sessions(),
                           local=display.local)


def _sheet(session_id: str, day: str) -> dict:
    """Names, roster and the day's marks, for the sheet."""
    api = sessions_api()
    session = api.session(session_id)
    days = display.days(session["starts_at"], session["ends_at"], session["timezone"])
    names = {n["participant_id"]: n for n in _names(session_id)}
    roster = [r for r in api.roster(session_id) if r.get("status", "active") == "active"]
    marks = {m["participant_id"]: m["status"] for m in api.attendance(session_id)
             if m["day"] == day}
    people = [{"participant_id": r["participant_id"], "agency": r["agency"],
               "name": _name(names.get(r["participant_id"])), "status": marks.get(
                   r["participant_id"])} for r in roster]
    people.sort(key=lambda p: p["name"])
    return {"session": session, "days": days, "day": day, "people": people,
            "statuses": STATUSES, "local": display.local}


def _names(session_id: str) -> list[dict]:
    """Her officers' names; none while registration has not heard of the session (a draft)."""
    try:
        return registration_api().attendance_sheet_names(session_id)
    except ApiRefusedError as exc:
        if exc.status == 404:
            return []
        raise


def _name(entry: dict | None) -> str:
    if not entry or not entry.get("family_name"):
        return "(name erased)"
    return f"{entry['given_name']} {entry['family_name']}"


@blp.route("/sessions/<session_id>/attendance")
@signed_in("record_attendance")
def choose_day(session_id):
    session = sessions_api().session(session_id)
    days = display.days(session["starts_at"], session["ends_at"], session["timezone"])
    today = display.today_in(session["timezone"])
    return redirect(url_for("attendance.sheet", session_id=session_id,
                            day=today if today in days else days[0]))


@blp.route("/sessions/<session_id>/attendance/<day>")
@signed_in("record_attendance")
def sheet(session_id, day, error=None, notice=None, status=200):
    if not display.valid_day(day):
        return render_template("message.html", title="Not found",
                               message=f"{day} is not a date"), 404
    return render_template("attendance.html", error=error, notice=notice,
                           **_sheet(session_id, day)), status


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@blp.route("/sessions/<session_id>/attendance/<day>", methods=["POST"])
@signed_in("record_attendance")
def record(session_id, day):
    """The whole day at once: the plain form, "all present", or the sheet's script."""
    ids = request.form.getlist("participant_id")
    if request.form.get("all_present"):
        marks = [{"participant_id": pid, "status": "present"} for pid in ids]
    else:
        marks = [{"participant_id": pid, "status": request.form.get(f"status-{pid}")}
                 for pid in ids if request.form.get(f"status-{pid}") in STATUSES]
    if not marks:
        return _answer(session_id, day, error="mark at least one officer", status=422)
    try:
        saved = sessions_api().record_day(session_id, day, marks)
    except ApiRefusedError as exc:
        return _answer(session_id, day, error=refusal(exc), status=exc.status)
    return _answer(session_id, day, notice=f"saved {len(saved)} mark(s) for {day}", saved=saved)


@blp.route("/sessions/<session_id>/attendance/<day>/<participant_id>", methods=["POST"])
@signed_in("record_attendance")
def mark(session_id, day, participant_id):
    """One tap on the sheet: one officer's status, saved at once."""
    chosen = request.form.get("status")
    if chosen not in STATUSES:
        return _answer(session_id, day, error="status: choose present, late, excused or absent",
                       status=422)
    try:
        saved = sessions_api().record_day(session_id, day, [
            {"participant_id": participant_id, "status": chosen}])
    except ApiRefusedError as exc:
        return _answer(session_id, day, error=refusal(exc), status=exc.status)
    return _answer(session_id, day, notice="saved", saved=saved)


def _answer(session_id, day, error=None, notice=None, saved=None, status=200):
    if _wants_json():
        if error:
            return jsonify(error=error), status
        return jsonify(saved=[{"participant_id": m["participant_id"], "status": m["status"]}
                              for m in saved or []])
    if error:
        return sheet(session_id, day, error=error, status=status)
    return redirect(url_for("attendance.sheet", session_id=session_id, day=day, saved=1), 303)


@blp.route("/sessions/<session_id>/feedback", methods=["GET", "POST"])
@signed_in("record_attendance")
def feedback(session_id):
    api = sessions_api()
    session = api.session(session_id)
    names = _names(session_id)
    quotes, error, notice, status = None, None, None, 200
    if request.method == "POST":
        try:
            rating = number("rating")
            api.give_feedback(session_id, text("participant_id"), {
                "rating": rating, "comments": text("comments", required=False),
                "consent_to_quote": request.form.get("consent_to_quote") == "on"})
            notice = "feedback saved"
        except (FormError, ApiRefusedError) as exc:
            error, status = refusal(exc), 422 if isinstance(exc, FormError) else exc.status
    if g.account["role"] in ("admin", "coordinator"):
        try:
            quotes = api.quotes(session_id)
        except ServiceDownError:
            quotes = None
    return render_template("feedback.html", session=session, names=names, quotes=quotes,
                           error=error, notice=notice, name=_name), status
