"""Sign in, sign out, set a password from a one-time link, choose a language."""

from urllib.parse import urlsplit

from flask import Blueprint, g, redirect, render_template, request, url_for

from services.console import signin as signing
from services.console.throttle import Throttle
from services.console.web import (
    LANGUAGE_COOKIE,
    set_signin_cookie,
    settings,
    signed_in,
    store,
    t,
)

blp = Blueprint("auth", __name__)


def _throttle() -> Throttle:
    s = settings()
    return Throttle(s.signin_window_s, s.max_failures_per_account, s.max_failures_per_address)


def _safe_next(target: str | None) -> str:
    """Only a path on this console: never an open redirect to another site."""
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/") \
            or target.startswith("//"):
        return url_for("home.index")
    return target


@blp.route("/signin", methods=["GET", "POST"])
def signin():
    if request.method == "GET":
        return render_template("signin.html", next=request.args.get("next", ""))
    try:
        _, secret = signing.sign_in(store(), _throttle(), request.form.get("email", ""),
                                    request.form.get("password", ""),
                                    request.remote_addr or "unknown",
                                    settings().session_idle_s)
    except signing.ThrottledError as exc:
        return render_template("signin.html", error=str(exc), next=request.form.get("next")), \
            429, {"Retry-After": str(exc.retry_after_s)}
    except signing.SignInRefusedError:
        return render_template("signin.html", error=t("Wrong email or password."),
                               next=request.form.get("next")), 401
    if g.signin:  # a new session id on every sign-in: no fixation
        store().close_signin(g.signin["_id"])
    response = redirect(_safe_next(request.form.get("next")))
    set_signin_cookie(response, secret)
    return response


@blp.route("/signout", methods=["POST"])
def signout():
    if g.signin:
        store().close_signin(g.signin["_id"])
    response = redirect(url_for("auth.signin"))
    set_signin_cookie(response, None)
    return response


@blp.route("/set-password/<link>", methods=["GET", "POST"])
def set_password(link):
    invitation = store().invitation(link)
    if request.method == "GET":
        account = invitation and store().account(invitation["account_id"])
        return render_template("set_password.html", account=account, link=link,
                               expired=invitation is None), 200 if invitation else 410
    if request.form.get("password") != request.form.get("confirm"):
        return render_template("set_password.html", link=link,
                               error="The two passwords differ."), 422
    try:
        signing.set_password(store(), link, request.form.get("password", ""))
    except signing.PasswordRefusedError as exc:
        return render_template("set_password.html", link=link, error=str(exc)), 422
    return render_template("message.html", title="Password set",
                           message="Your password is set. You can sign in now.",
                           link=url_for("auth.signin"))


@blp.route("/language", methods=["POST"])
def language():
    chosen = request.form.get("language")
    chosen = chosen if chosen in ("en", "ur") else "en"
    if g.account:
        store().update_account(g.account["_id"], {"language": chosen})
    response = redirect(_safe_next(request.form.get("next")))
    response.set_cookie(LANGUAGE_COOKIE, chosen, samesite="Lax", secure=settings().secure_cookies,
                        max_age=365 * 86400)
    return response


@blp.route("/account")
@signed_in()
def account():
    return render_template("account.html")
