"""Signing in and out, invitations and passwords: decided here, stored by ConsoleStore."""

import time

from services.console import passwords
from services.console.store import ConsoleStore
from services.console.throttle import Throttle


class SignInRefusedError(Exception):
    """Wrong email or password, or a disabled account (the person is not told which)."""


class ThrottledError(Exception):
    def __init__(self, retry_after_s: int):
        super().__init__(f"too many failed sign-ins; try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


class PasswordRefusedError(Exception):
    """The new password does not meet the rules, or the link is used or expired."""


USED_LINK = "this link has been used or has expired; ask an admin for a new one"


def normal_email(email: str) -> str:
    return email.strip().lower()


def sign_in(store: ConsoleStore, throttle: Throttle, email: str, password: str,
            address: str, idle_s: int) -> tuple[dict, str]:
    """The account and a new sign-in cookie secret; raises ThrottledError or SignInRefusedError."""
    email = normal_email(email)
    keys = (f"account:{email}", f"address:{address}")
    now = time.time()
    since = now - throttle.window_s
    wait = max(throttle.retry_after(store.failures(keys[0], since), throttle.per_account, now),
               throttle.retry_after(store.failures(keys[1], since), throttle.per_address, now))
    if wait:
        raise ThrottledError(wait)
    account = store.account_by_email(email)
    matches = passwords.verify_password(account and account.get("password_hash"), password)
    if not matches or account["disabled"]:
        store.record_failure(*keys)
        raise SignInRefusedError("wrong email or password")
    store.forget_failures(keys[0])
    if passwords.needs_rehash(account["password_hash"]):
        store.update_account(account["_id"], {"password_hash": passwords.hash_password(password)})
    return account, store.open_signin(account["_id"], idle_s)


def set_password(store: ConsoleStore, link_secret: str, password: str) -> dict:
    """Use a one-time link to set an account's password; signs it out everywhere."""
    invitation = store.invitation(link_secret)
    if invitation is None:
        raise PasswordRefusedError(USED_LINK)
    account = store.account(invitation["account_id"])
    weakness = passwords.weakness(password, account["email"])
    if weakness:
        raise PasswordRefusedError(weakness)
    if not store.use_invitation(link_secret):
        raise PasswordRefusedError(USED_LINK)
    store.update_account(account["_id"], {"password_hash": passwords.hash_password(password)})
    store.close_signins_of(account["_id"])
    return account
