"""Per-request plumbing: who is signed in, CSRF, language, the API clients, security headers."""

import functools
import time

from flask import current_app, g, redirect, render_template, request, url_for

from services.console import api_tokens, csrf
from services.console.clients.notifications import NotificationsClient
from services.console.clients.registration import RegistrationClient
from services.console.clients.sessions import SessionsClient
from services.console.i18n import translate
from services.console.roles import can

SESSION_COOKIE = "console_session"
LANGUAGE_COOKIE = "console_lang"


def settings():
    return current_app.config["CONSOLE"]


def store():
    return current_app.config["STORE"]


def install(app) -> None:
    app.before_request(_load_person)
    app.before_request(_check_csrf)
    app.after_request(_finish)
    app.context_processor(_template_helpers)


def _load_person() -> None:
    g.account = g.signin = None
    g.csrf_cookie = request.cookies.get(csrf.COOKIE)
    g.new_csrf_cookie = None
    if not g.csrf_cookie:
        g.csrf_cookie = g.new_csrf_cookie = csrf.new_cookie_value()
    secret = request.cookies.get(SESSION_COOKIE)
    if secret and not request.path.startswith(("/static/", "/health/")):
        signin = store().signin(secret)
        account = signin and store().account(signin["account_id"])
        if account and not account["disabled"]:
            g.account, g.signin = account, signin
            # Extend the idle deadline at most once a minute: one write, not one per request.
            idle = settings().session_idle_s
            if signin["expires_at"] - time.time() < idle - 60:
                store().extend_signin(signin["_id"], idle)
    language = (g.account or {}).get("language") or request.cookies.get(LANGUAGE_COOKIE)
    g.language = language if language in ("en", "ur") else "en"


def _check_csrf():
    if request.method in csrf.SAFE_METHODS:
        return None
    sent = request.form.get(csrf.FIELD) or request.headers.get(csrf.HEADER)
    if csrf.valid(request.cookies.get(csrf.COOKIE), sent, settings().secret_key):
        return None
    return render_template("message.html", title="Form expired", page="csrf",
                           message="This form has expired or did not come from the console. "
                                   "Go back, reload the page and try again."), 400


def _finish(response):
    secure = settings().secure_cookies
    if g.get("new_csrf_cookie"):
        response.set_cookie(csrf.COOKIE, g.new_csrf_cookie, httponly=True, secure=secure,
                            samesite="Strict", max_age=30 * 86400)
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if g.get("account"):
        response.headers["Cache-Control"] = "no-store"
    return response


def set_signin_cookie(response, secret: str | None) -> None:
    """Set (or, with None, clear) the sign-in cookie; a fresh CSRF value goes with a new one."""
    secure = settings().secure_cookies
    if secret is None:
        response.delete_cookie(SESSION_COOKIE, secure=secure, httponly=True, samesite="Strict")
        return
    response.set_cookie(SESSION_COOKIE, secret, httponly=True, secure=secure,
                        samesite="Strict", max_age=settings().session_idle_s)
    response.set_cookie(csrf.COOKIE, csrf.new_cookie_value(), httponly=True, secure=secure,
                        samesite="Strict", max_age=30 * 86400)


def t(text: str, **values) -> str:
    return translate(text, g.get("language", "en"), **values)


def _template_helpers() -> dict:
    account = g.get("account")
    return {
        "account": account,
        "csrf_token": lambda: csrf.token_for(g.csrf_cookie, settings().secret_key),
        "can": lambda action: bool(account) and can(account["role"], action),
        "t": t,
        "lang": g.get("language", "en"),
        "direction": "rtl" if g.get("language") == "ur" else "ltr",
    }


def signed_in(action: str | None = None):
    """Only for a signed-in person (and, with ``action``, one whose role allows it)."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if g.get("account") is None:
                return redirect(url_for("auth.signin", next=request.full_path.rstrip("?")))
            if action and not can(g.account["role"], action):
                return render_template("message.html", title="Not allowed", page="refused",
                                       message=t("You are not allowed to do this.")), 403
            return view(*args, **kwargs)
        return wrapper
    return decorate


def _token() -> str:
    if "api_token" not in g:
        g.api_token = api_tokens.token_for(settings(), g.account)
    return g.api_token


def sessions_api() -> SessionsClient:
    return SessionsClient(settings().sessions_url, _token, settings().api_timeout_s)


def registration_api() -> RegistrationClient:
    return RegistrationClient(settings().registration_url, _token, settings().api_timeout_s)


def notifications_api() -> NotificationsClient:
    return NotificationsClient(settings().notifications_url, _token, settings().api_timeout_s)
