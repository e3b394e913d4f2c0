"""Admin's work on accounts: invite, change a role, disable; the first admin at start-up."""

import argparse
import secrets
import sys

from services.console import passwords
from services.console.roles import ROLES
from services.console.signin import normal_email
from services.console.store import ConsoleStore, EmailTakenError


class AccountRefusedError(Exception):
    """Bad email, unknown role, or a facilitator without her facilitator id."""


def _checked(role: str, facilitator_id: str | None) -> str | None:
    if role not in ROLES:
        raise AccountRefusedError(f"role: choose one of {', '.join(ROLES)}")
    if role == "facilitator":
        if not facilitator_id:
            raise AccountRefusedError("facilitator: choose who she is in the sessions service")
        return facilitator_id
    return None


def invite(store: ConsoleStore, email: str, role: str,
           facilitator_id: str | None = None) -> tuple[dict, str]:
    """A new account without a password and the one-time link that sets it."""
    email = normal_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountRefusedError("email: give a valid address")
    try:
        account = store.create_account(email, role, _checked(role, facilitator_id))
    except EmailTakenError as exc:
        raise AccountRefusedError(f"email: an account for {email} exists already") from exc
    return account, store.open_invitation(account["_id"])


def change(store: ConsoleStore, account_id: str, role: str, facilitator_id: str | None,
           disabled: bool) -> None:
    """New role, facilitator link or disabled state; signs the account out everywhere."""
    store.update_account(account_id, {"role": role,
                                      "facilitator_id": _checked(role, facilitator_id),
                                      "disabled": disabled})
    store.close_signins_of(account_id)


def ensure(store: ConsoleStore, email: str, role: str, password: str | None = None,
           facilitator_id: str | None = None, reset: bool = False) -> str | None:
    """Create the account unless it exists; returns the password set (None if it existed).
    With ``reset`` (development only: `make run`), an existing account gets a new password."""
    email = normal_email(email)
    existing = store.account_by_email(email)
    password = password or secrets.token_urlsafe(12)
    if existing is not None:
        if not reset:
            return None
        store.update_account(existing["_id"], {
            "password_hash": passwords.hash_password(password), "disabled": False,
            "role": role, "facilitator_id": _checked(role, facilitator_id)})
        store.close_signins_of(existing["_id"])
        return password
    try:
        store.create_account(email, role, _checked(role, facilitator_id),
                             passwords.hash_password(password))
    except EmailTakenError:
        return None  # another process created it at the same moment
    return password


def main(argv: list[str] | None = None) -> int:
    """`python -m services.console.accounts`: create the first admin (compose, operators)."""
    from common.config import load_console

    parser = argparse.ArgumentParser(prog="python -m services.console.accounts")
    parser.add_argument("--email", help="default: CONSOLE_ADMIN_EMAIL")
    parser.add_argument("--role", default="admin", choices=ROLES)
    args = parser.parse_args(argv)
    settings = load_console()
    store = ConsoleStore(settings.mongo_uri, settings.database)
    store.ensure_indexes()
    email = args.email or settings.admin_email
    created = ensure(store, email, args.role, settings.admin_password or None)
    if created is None:
        print(f"console: {email} exists already")
    elif settings.admin_password:
        print(f"console: created {args.role} {email} with CONSOLE_ADMIN_PASSWORD")
    else:
        print(f"console: created {args.role} {email}, password (shown once): {created}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
