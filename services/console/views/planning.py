"""Programmes, series and sessions: lists, pages, create, and the session's lifecycle."""

from flask import Blueprint, g, redirect, render_template, request, url_for

from services.console import display
from services.console.clients.base import ApiRefusedError, ServiceDownError
from services.console.display import FormError
from services.console.forms import lines, number, refusal, text
from services.console.roles import can
from services.console.views.certificates import course_panel
from services.console.web import registration_api, sessions_api, signed_in

blp = Blueprint("planning", __name__)

KINDS = ("coaching_session", "training_workshop")
FACILITATOR_ROLES = ("regional_advisor", "law_enforcement_expert", "prosecution_expert",
                     "trainer", "coach", "interpreter")


@blp.route("/programmes")
@signed_in("read_plans")
def programmes():
    return render_template("programmes.html", programmes=sessions_api().programmes())


@blp.route("/programmes", methods=["POST"])
@signed_in("plan")
def create_programme():
    try:
        created = sessions_api().create_programme({
            "name": text("name"), "description": text("description", required=False),
            "donors": lines("donors"), "countries": lines("countries")})
    except (FormError, ApiRefusedError) as exc:
        return render_template("programmes.html", programmes=sessions_api().programmes(),
                               error=refusal(exc)
                               ), 422
    return redirect(url_for("planning.programme", programme_id=created["id"]), 303)


@blp.route("/programmes/<programme_id>")
@signed_in("read_plans")
def programme(programme_id):
    api = sessions_api()
    return render_template("programme.html", programme=api.programme(programme_id),
                           series=api.series_list(programme_id),
                           sessions=api.sessions(programme_id=programme_id))


@blp.route("/series", methods=["POST"])
@signed_in("plan")
def create_series():
    programme_id = request.form.get("programme_id", "")
    try:
        created = sessions_api().create_series({
            "programme_id": programme_id, "title": text("title"),
            "planned_sessions": number("planned_sessions"),
            "origin_session_id": request.form.get("origin_session_id") or None})
    except (FormError, ApiRefusedError) as exc:
        return render_template("message.html", title="Series not created", message=(
            refusal(exc))), 422
    return redirect(url_for("planning.series", series_id=created["id"]), 303)


@blp.route("/series/<series_id>")
@signed_in("read_plans")
def series(series_id):
    api = sessions_api()
    found = api.series(series_id)
    try:
        cohort = registration_api().get(f"/series/{series_id}").get("cohort", [])
    except ApiRefusedError:
        cohort = []  # registration has not projected the series yet
    return render_template("series.html", series=found, cohort=cohort,
                           workshops=api.sessions(programme_id=found["programme_id"]),
                           local=display.local, certificates=course_panel(
                               series_id, [s["session_id"] for s in found["sessions"]]))


@blp.route("/facilitators", methods=["GET", "POST"])
@signed_in("read_plans")
def facilitators():
    """Regional advisors and experts: the people assigned to sessions (coordinators)."""
    api, error, status = sessions_api(), None, 200
    if request.method == "POST":
        if not can(g.account["role"], "plan"):
            return render_template("message.html", title="Not allowed", page="refused"), 403
        try:
            api.add_facilitator({
                "given_name": text("given_name"), "family_name": text("family_name"),
                "organisation": text("organisation"), "expertise": lines("expertise"),
                "email": text("email", required=False), "phone": text("phone", required=False),
                "preferred_language": request.form.get("preferred_language") or "en"})
            return redirect(url_for("planning.facilitators", added=1), 303)
        except (FormError, ApiRefusedError) as exc:
            error, status = refusal(exc), 422
    return render_template("facilitators.html", facilitators=api.facilitators(),
                           error=error), status


@blp.route("/sessions")
@signed_in("read_plans")
def session_list():
    status = request.args.get("status") or None
    return render_template("sessions.html", sessions=sessions_api().sessions(status=status),
                           status=status, local=display.local)


@blp.route("/sessions/new")
@signed_in("plan")
def new_session():
    api = sessions_api()
    return render_template("session_form.html", programmes=api.programmes(),
                           series=api.series_list(), kinds=KINDS,
                           chosen={"programme_id": request.args.get("programme_id"),
                                   "series_id": request.args.get("series_id"),
                                   "timezone": display.DEFAULT_TIMEZONE})


@blp.route("/sessions", methods=["POST"])
@signed_in("plan")
def create_session():
    api = sessions_api()
    try:
        timezone = text("timezone")
        details = {
            "kind": text("kind"), "title": text("title"), "topics": lines("topics"),
            "starts_at": display.from_form("starts_at", request.form.get("starts_at"), timezone),
            "ends_at": display.from_form("ends_at", request.form.get("ends_at"), timezone),
            "timezone": timezone, "venue": text("venue", required=False),
            "city": text("city", required=False), "country": text("country", required=False),
            "capacity": number("capacity"), "languages": request.form.getlist("languages"),
            "programme_id": request.form.get("programme_id") or None,
            "series_id": request.form.get("series_id") or None,
            "draft": request.form.get("draft") == "on"}
        created = api.create_session(details)
    except (FormError, ApiRefusedError) as exc:
        return render_template("session_form.html", programmes=api.programmes(),
                               series=api.series_list(), kinds=KINDS, chosen=request.form,
                               error=refusal(exc)
                               ), 422
    return redirect(url_for("planning.session", session_id=created["id"]), 303)


def following(series: dict | None, session: dict) -> dict | None:
    """The series' next session after this one that is still to take place."""
    if not series or not session.get("position"):
        return None
    later = [s for s in series.get("sessions", []) if (s.get("position") or 0) >
             session["position"] and s.get("status") in ("draft", "scheduled")]
    return min(later, key=lambda s: s["position"], default=None)


def _series_context(api, session: dict) -> dict | None:
    if not session.get("series_id"):
        return None
    try:
        return api.series(session["series_id"])
    except ApiRefusedError:
        return None


@blp.route("/sessions/<session_id>")
@signed_in("read_plans")
def session(session_id, error=None, notice=None, status=200):
    api = sessions_api()
    found = api.session(session_id)
    parent = _series_context(api, found)
    facilitators = {f["id"]: f for f in api.facilitators()}
    seats, seats_outage, officers = None, None, []
    if can(g.account["role"], "manage_officers") and found["status"] == "scheduled":
        try:
            officers = registration_api().officers()
        except (ApiRefusedError, ServiceDownError):
            officers = []
    try:
        seats = registration_api().seats(session_id)
    except ApiRefusedError:
        seats = None  # registration has not heard of it yet (a draft, or just scheduled)
    except ServiceDownError as exc:
        seats_outage = str(exc)
    return render_template(
        "session.html", session=found, series=parent, next_session=following(parent, found),
        facilitators=facilitators, roles=FACILITATOR_ROLES, seats=seats,
        seats_outage=seats_outage, officers=officers, certificates=None if found.get(
            "series_id") else course_panel(session_id, [session_id]),
        days=display.days(found["starts_at"], found["ends_at"], found["timezone"]),
        local=display.local, local_input=display.local_input, error=error, notice=notice,
        ), status


@blp.route("/sessions/<session_id>/<action>", methods=["POST"])
@signed_in("plan")
def transition(session_id, action):
    api = sessions_api()
    try:
        if action in ("schedule", "start", "complete"):
            api.transition(session_id, action)
        elif action == "cancel":
            api.transition(session_id, "cancel", {"reason": text("reason")})
        elif action == "reschedule":
            timezone = text("timezone")
            api.transition(session_id, "reschedule", {
                "starts_at": display.from_form("starts_at", request.form.get("starts_at"),
                                               timezone),
                "ends_at": display.from_form("ends_at", request.form.get("ends_at"), timezone),
                "timezone": timezone, **{field: text(field, required=False)
                                         for field in ("venue", "city", "country")
                                         if field in request.form}})
        elif action == "capacity":
            return _change_capacity(api, session_id)
        elif action == "facilitator":
            facilitator_id = text("facilitator_id")
            if request.form.get("remove"):
                api.unassign(session_id, facilitator_id)
            else:
                api.assign(session_id, facilitator_id, text("role"))
        else:
            return render_template("message.html", title="Not found",
                                   message=f"no action {action}"), 404
    except (FormError, ApiRefusedError) as exc:
        status = 422 if isinstance(exc, FormError) else exc.status
        return session(session_id, error=refusal(exc), status=status)
    return redirect(url_for("planning.session", session_id=session_id), 303)


def _change_capacity(api, session_id: str):
    """Change the seats; the roster then shows who the waiting list promoted."""
    api.change_capacity(session_id, number("capacity"))
    return redirect(url_for("officers.roster", session_id=session_id, capacity_changed=1), 303)
