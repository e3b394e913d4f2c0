"""Admin pages: the accounts, invitations with a one-time link, roles, disabling."""

from flask import Blueprint, g, render_template, request, url_for

from services.console import accounts
from services.console.clients.base import ApiRefusedError, ServiceDownError
from services.console.roles import ROLES
from services.console.web import sessions_api, signed_in, store

blp = Blueprint("admin", __name__, url_prefix="/admin")


def _facilitators() -> tuple[list[dict], str | None]:
    """The sessions service's facilitators to link an account to, or why they are missing."""
    try:
        return sessions_api().facilitators(), None
    except (ServiceDownError, ApiRefusedError) as exc:
        return [], str(exc)


def _page(status: int = 200, **shown):
    facilitators, outage = _facilitators()
    names = {f["id"]: f"{f['given_name']} {f['family_name']}" for f in facilitators}
    return render_template("accounts.html", accounts=store().accounts(), roles=ROLES,
                           facilitators=facilitators, facilitator_names=names,
                           facilitator_outage=outage, **shown), status


@blp.route("/accounts")
@signed_in("manage_accounts")
def account_list():
    return _page()


@blp.route("/accounts", methods=["POST"])
@signed_in("manage_accounts")
def invite():
    try:
        account, link = accounts.invite(store(), request.form.get("email", ""),
                                        request.form.get("role", ""),
                                        request.form.get("facilitator_id") or None)
    except accounts.AccountRefusedError as exc:
        return _page(422, error=str(exc))
    return _page(201, invited=account,
                 link=url_for("auth.set_password", link=link, _external=True))


@blp.route("/accounts/<account_id>", methods=["POST"])
@signed_in("manage_accounts")
def change(account_id):
    target = store().account(account_id)
    if target is None:
        return _page(404, error="no such account")
    if target["_id"] == g.account["_id"]:
        return _page(409, error="you cannot change or disable your own account")
    if request.form.get("action") == "link":
        link = store().open_invitation(account_id)
        return _page(200, invited=target,
                     link=url_for("auth.set_password", link=link, _external=True))
    try:
        accounts.change(store(), account_id, request.form.get("role", target["role"]),
                        request.form.get("facilitator_id") or target.get("facilitator_id"),
                        request.form.get("action") == "disable" or (
                            target["disabled"] and request.form.get("action") != "enable"))
    except accounts.AccountRefusedError as exc:
        return _page(422, error=str(exc))
    return _page(200, notice=f"{target['email']} changed")
