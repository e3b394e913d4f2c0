"""Certificates of a course (a series, or a session held alone): the list with names, issuing
and revoking by hand with a reason, and a series' completion rule (coordinators)."""

from flask import Blueprint, g, redirect, render_template, request, url_for

from services.console.clients.base import ApiRefusedError, ServiceDownError
from services.console.display import FormError
from services.console.forms import number, refusal, text
from services.console.roles import can
from services.console.web import registration_api, sessions_api, settings, signed_in

blp = Blueprint("certificates", __name__)


def verify_base() -> str:
    """The public verification page's address up to the code (no sign-in needed there)."""
    configured = settings().certificate_verify_base_url
    return configured if configured else f"{settings().sessions_url.rstrip('/')}/certificates/"


def course_panel(course_id: str, session_ids: list[str]) -> dict | None:
    """What a course's page shows of its certificates; None for a role that may not see them."""
    if not can(g.account["role"], "manage_certificates"):
        return None
    api = sessions_api()
    found = api.certificates(course_id)
    rostered = {e["participant_id"] for sid in session_ids for e in api.roster(sid)}
    names, names_outage = {}, None
    try:
        names = {o["id"]: o for o in registration_api().officers()}
    except ServiceDownError as exc:
        names_outage = str(exc)  # the certificates still show, by id
    issued = {c["participant_id"] for c in found if c["status"] == "issued"}
    candidates = sorted((pid for pid in rostered - issued if not pid.startswith("erased-")),
                        key=lambda pid: _name(names.get(pid)) or pid)
    return {"course_id": course_id, "session_id": session_ids[0] if session_ids else course_id,
            "certificates": found, "names": names, "names_outage": names_outage,
            "candidates": candidates, "verify_base": verify_base(), "name_of": _name}


def _name(officer: dict | None) -> str | None:
    if not officer or officer.get("erased_at") or not officer.get("family_name"):
        return None
    return f"{officer.get('given_name', '')} {officer['family_name']}".strip()


def _course_page(course_id: str, session_id: str):
    """Back to where the form was: the series' page, or the page of the session held alone."""
    if course_id == session_id:
        return redirect(url_for("planning.session", session_id=session_id), 303)
    return redirect(url_for("planning.series", series_id=course_id), 303)


def _not_done(title: str, exc: Exception, course_id: str, session_id: str):
    status = exc.status if isinstance(exc, ApiRefusedError) else 422
    back = (url_for("planning.session", session_id=session_id) if course_id == session_id
            else url_for("planning.series", series_id=course_id))
    return render_template("message.html", title=title, message=refusal(exc),
                           back=back), status


@blp.route("/courses/<course_id>/certificates", methods=["POST"])
@signed_in("manage_certificates")
def issue(course_id):
    """Issue by hand to an officer of the roster, whatever the rule says, with a reason."""
    session_id = request.form.get("session_id") or course_id
    try:
        sessions_api().issue_certificate(session_id, text("participant_id", max_length=64),
                                         text("reason", max_length=500))
    except (FormError, ApiRefusedError) as exc:
        return _not_done("Certificate not issued", exc, course_id, session_id)
    return _course_page(course_id, session_id)


@blp.route("/courses/<course_id>/certificates/<code>/revocation", methods=["POST"])
@signed_in("manage_certificates")
def revoke(course_id, code):
    session_id = request.form.get("session_id") or course_id
    try:
        sessions_api().revoke_certificate(code, text("reason", max_length=500))
    except (FormError, ApiRefusedError) as exc:
        return _not_done("Certificate not revoked", exc, course_id, session_id)
    return _course_page(course_id, session_id)


@blp.route("/series/<series_id>/certificate-rule", methods=["POST"])
@signed_in("manage_certificates")
def rule(series_id):
    """Change who completes the series; a finished series is decided again at once."""
    try:
        percent = number("min_attendance_percent")
        if not 1 <= percent <= 100:
            raise FormError("min_attendance_percent: give a share from 1 to 100")
        sessions_api().set_certificate_rule(series_id, {
            "min_attendance_share": percent / 100,
            "require_first_days": request.form.get("require_first_days") == "on"})
    except (FormError, ApiRefusedError) as exc:
        return _not_done("Rule not changed", exc, series_id, "")
    return _course_page(series_id, "")
