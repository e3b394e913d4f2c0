"""Officers: search, register, edit, enroll (one session or a series), export, erasure."""

import json
from datetime import UTC, datetime

from flask import Blueprint, Response, redirect, render_template, request, url_for

from services.console.clients.base import ApiRefusedError
from services.console.display import FormError
from services.console.forms import text
from services.console.views.planning import refusal
from services.console.web import registration_api, sessions_api, signed_in

blp = Blueprint("officers", __name__)

GENDERS = ("female", "male", "other", "not_stated")


def _matches(officer: dict, words: list[str], unit: str) -> bool:
    name = f"{officer.get('given_name', '')} {officer.get('family_name', '')}".lower()
    if unit and unit not in (officer.get("unit") or "").lower():
        return False
    return all(w in name for w in words)


@blp.route("/officers")
@signed_in("manage_officers")
def search():
    api = registration_api()
    agency = request.args.get("agency") or None
    words = (request.args.get("name") or "").lower().split()
    unit = (request.args.get("unit") or "").strip().lower()
    found = [o for o in api.officers(agency) if not o.get("erased_at") and
             _matches(o, words, unit)]
    return render_template("officers.html", officers=found, agencies=api.agencies(),
                           query=request.args)


def _profile(api, partial: bool = False) -> dict:
    """The profile from the form; a new officer needs her consent recorded."""
    profile = {"given_name": text("given_name"), "family_name": text("family_name"),
               "gender": text("gender"), "agency": text("agency"),
               "unit": text("unit", required=False), "rank": text("rank", required=False),
               "email": text("email"), "phone": text("phone", required=False),
               "preferred_language": request.form.get("preferred_language") or "en"}
    number = text("service_number", required=False)
    if number:
        profile["service_number"] = number
    if not partial:
        if request.form.get("consent") != "on":
            raise FormError("consent: she must have agreed to the programme's privacy notice")
        profile["consent"] = {"policy_version": api.current_consent_policy(),
                              "given_at": datetime.now(UTC).isoformat()}
    return profile


@blp.route("/officers/new", methods=["GET", "POST"])
@signed_in("manage_officers")
def register():
    api = registration_api()
    if request.method == "GET":
        return render_template("officer_form.html", officer={}, agencies=api.agencies(),
                               genders=GENDERS)
    try:
        created = api.register(_profile(api))
    except (FormError, ApiRefusedError) as exc:
        return render_template("officer_form.html", officer=request.form, genders=GENDERS,
                               agencies=api.agencies(), error=refusal(exc)), 422
    return redirect(url_for("officers.officer", participant_id=created["id"]), 303)


@blp.route("/officers/<participant_id>/edit", methods=["GET", "POST"])
@signed_in("manage_officers")
def edit(participant_id):
    api = registration_api()
    if request.method == "GET":
        return render_template("officer_form.html", officer=api.officer(participant_id),
                               agencies=api.agencies(), genders=GENDERS, editing=True)
    try:
        api.update(participant_id, _profile(api, partial=True))
    except (FormError, ApiRefusedError) as exc:
        return render_template("officer_form.html", officer={**request.form, "id": participant_id},
                               agencies=api.agencies(), genders=GENDERS, editing=True,
                               error=refusal(exc)), 422
    return redirect(url_for("officers.officer", participant_id=participant_id), 303)


@blp.route("/officers/<participant_id>")
@signed_in("manage_officers")
def officer(participant_id, error=None, notice=None, status=200):
    api = registration_api()
    planning = sessions_api()
    return render_template("officer.html", officer=api.officer(participant_id),
                           enrollments=api.enrollments(participant_id=participant_id),
                           sessions={s["id"]: s for s in planning.sessions()},
                           series=planning.series_list(), error=error, notice=notice), status


@blp.route("/officers/<participant_id>/enroll", methods=["POST"])
@signed_in("manage_officers")
def enroll(participant_id):
    api = registration_api()
    try:
        if request.form.get("series_id"):
            joined = api.join_series(request.form["series_id"], participant_id)
            notice = f"enrolled in {len(joined['enrollments'])} session(s) of the series"
        else:
            made = api.enroll(participant_id, text("session_id"))
            notice = f"enrollment {made['status']}" + (
                f" (waiting list position {made['position']})" if made.get("position") else "")
    except (FormError, ApiRefusedError) as exc:
        return officer(participant_id, error=refusal(exc), status=422)
    return officer(participant_id, notice=notice)


@blp.route("/sessions/<session_id>/enrollments", methods=["POST"])
@signed_in("manage_officers")
def enroll_in_session(session_id):
    """Enroll one officer from the session's page; the roster shows where she landed."""
    try:
        registration_api().enroll(text("participant_id"), session_id)
    except (FormError, ApiRefusedError) as exc:
        return render_template("message.html", title="Not enrolled", message=refusal(exc)), 422
    return redirect(url_for("officers.roster", session_id=session_id), 303)


@blp.route("/officers/<participant_id>/export", methods=["GET", "POST"])
@signed_in("manage_officers")
def export(participant_id):
    """Everything held on her, after a confirmation: the file leaves the platform's protection."""
    if request.method == "GET":
        return render_template("export.html", officer=registration_api().officer(participant_id))
    body = json.dumps(registration_api().export(participant_id), indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="officer-{participant_id}.json"'})


@blp.route("/officers/<participant_id>/erasure", methods=["GET", "POST"])
@signed_in("manage_officers")
def erase(participant_id):
    api = registration_api()
    if request.method == "GET":
        return render_template("erase.html", officer=api.officer(participant_id))
    if request.form.get("confirm") != "ERASE":
        return render_template("erase.html", officer=api.officer(participant_id),
                               error="type ERASE to confirm"), 422
    api.erase(participant_id)
    return render_template("message.html", title="Erased", message=(
        "Her name, contact details and service number are erased everywhere; her gender and "
        "agency stay in the indicators."))


@blp.route("/sessions/<session_id>/roster")
@signed_in("manage_officers")
def roster(session_id):
    api = registration_api()
    session = sessions_api().session(session_id)
    enrollments = api.enrollments(session_id=session_id)
    names = {n["participant_id"]: n for n in api.attendance_sheet_names(session_id)} \
        if enrollments else {}
    officers = {}
    for e in enrollments:
        if e["participant_id"] not in names and e["status"] != "confirmed":
            try:
                officers[e["participant_id"]] = api.officer(e["participant_id"])
            except ApiRefusedError:
                pass
    order = {"confirmed": 0, "waitlisted": 1, "withdrawn": 2}
    enrollments.sort(key=lambda e: (order.get(e["status"], 3), e.get("position") or 0))
    return render_template("roster.html", session=session, enrollments=enrollments,
                           names={**officers, **names},
                           capacity_changed=request.args.get("capacity_changed"))


@blp.route("/enrollments/<enrollment_id>/withdrawal", methods=["POST"])
@signed_in("manage_officers")
def withdraw(enrollment_id):
    withdrawn = registration_api().withdraw(enrollment_id)
    return redirect(url_for("officers.roster", session_id=withdrawn["session_id"]), 303)


@blp.route("/series/<series_id>/cohort", methods=["POST"])
@signed_in("manage_officers")
def cohort(series_id):
    try:
        joined = registration_api().cohort_from_session(series_id, text("session_id"),
                                                        text("include"))
    except (FormError, ApiRefusedError) as exc:
        return render_template("message.html", title="Cohort not enrolled",
                               message=refusal(exc)), 422
    return render_template("message.html", title="Cohort enrolled", message=(
        f"{len(joined['joined'])} officer(s) joined the series; "
        f"{len(joined['refused'])} could not (not eligible or erased)."),
        link_to=url_for("planning.series", series_id=series_id))
