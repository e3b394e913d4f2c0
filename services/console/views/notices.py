"""The notifications feed for an officer or a session, resending, template previews."""

from flask import Blueprint, redirect, render_template, request, url_for

from services.console.clients.base import ApiRefusedError, ServiceDownError
from services.console.web import notifications_api, registration_api, sessions_api, signed_in

blp = Blueprint("notices", __name__, url_prefix="/notifications")

KINDS = ("enrollment_confirmed", "enrollment_waitlisted", "enrollment_promoted",
         "enrollment_withdrawn", "enrollment_cancelled", "session_invitation",
         "session_reminder", "session_rescheduled", "session_cancelled", "feedback_requested",
         "facilitator_assigned", "registration_acknowledged")


@blp.route("")
@signed_in("see_notifications")
def feed():
    recipient_id = request.args.get("recipient_id") or None
    session_id = request.args.get("session_id") or None
    shown = notifications_api().feed(recipient_id, session_id) \
        if recipient_id or session_id else notifications_api().feed(limit=100)
    return render_template("notifications.html", notices=shown, recipient_id=recipient_id,
                           session_id=session_id, kinds=KINDS, names=_names(session_id))


def _names(session_id: str | None) -> dict[str, str]:
    """Who each recipient is, for a session's feed: its officers and facilitators."""
    if not session_id:
        return {}
    names = {}
    try:
        for officer in registration_api().attendance_sheet_names(session_id):
            if officer.get("family_name"):
                names[officer["participant_id"]] = \
                    f"{officer['given_name']} {officer['family_name']}"
        for person in sessions_api().facilitators():
            names[person["id"]] = f"{person['given_name']} {person['family_name']}"
    except (ApiRefusedError, ServiceDownError):
        pass  # the feed still shows, by id
    return names


@blp.route("/<notification_id>/resend", methods=["POST"])
@signed_in("see_notifications")
def resend(notification_id):
    notifications_api().resend(notification_id)
    return redirect(request.form.get("back") if (request.form.get("back") or "").startswith("/")
                    and not request.form["back"].startswith("//")
                    else url_for("notices.feed"), 303)


@blp.route("/templates/<kind>")
@signed_in("see_notifications")
def preview(kind):
    api = notifications_api()
    return render_template("preview.html", kind=kind, kinds=KINDS,
                           english=api.preview(kind, "en"), urdu=api.preview(kind, "ur"))
