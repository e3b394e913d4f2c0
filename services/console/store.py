"""The console's own database: accounts, sign-in sessions, invitations, sign-in failures."""

import hashlib
import secrets
import time
import uuid

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from common.mongo import client


class EmailTakenError(Exception):
    """Another account already has this email."""


def digest(secret: str) -> str:
    """What is stored of a cookie or link secret: its SHA-256, never the secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ConsoleStore:
    """Reads and writes by `_id` where it matters (sign-in sessions are read on every request)."""

    def __init__(self, mongo_uri: str, database: str):
        self.db = client(mongo_uri)[database]

    def ensure_indexes(self) -> None:
        self.db.accounts.create_index([("email", ASCENDING)], unique=True)
        self.db.signin_failures.create_index([("key", ASCENDING)])

    # accounts
    def create_account(self, email: str, role: str, facilitator_id: str | None = None,
                       password_hash: str | None = None, language: str = "en") -> dict:
        account = {"_id": uuid.uuid4().hex, "email": email, "role": role,
                   "facilitator_id": facilitator_id, "password_hash": password_hash,
                   "language": language, "disabled": False, "created_at": time.time()}
        try:
            self.db.accounts.insert_one(account)
        except DuplicateKeyError as exc:
            raise EmailTakenError(email) from exc
        return account

    def account(self, account_id: str) -> dict | None:
        return self.db.accounts.find_one({"_id": account_id})

    def account_by_email(self, email: str) -> dict | None:
        return self.db.accounts.find_one({"email": email})

    def accounts(self) -> list[dict]:
        return sorted(self.db.accounts.find({}), key=lambda a: a["email"])

    def update_account(self, account_id: str, changes: dict) -> None:
        self.db.accounts.update_one({"_id": account_id}, {"$set": changes})

    # sign-in sessions
    def open_signin(self, account_id: str, idle_s: int) -> str:
        """A new sign-in session; returns the cookie secret (only its digest is stored)."""
        secret = secrets.token_urlsafe(32)
        now = time.time()
        self.db.signins.insert_one({"_id": digest(secret), "account_id": account_id,
                                    "created_at": now, "expires_at": now + idle_s})
        return secret

    def signin(self, secret: str) -> dict | None:
        found = self.db.signins.find_one({"_id": digest(secret)})
        if found is None or found["expires_at"] < time.time():
            return None
        return found

    def extend_signin(self, signin_id: str, idle_s: int) -> None:
        self.db.signins.update_one({"_id": signin_id},
                                   {"$set": {"expires_at": time.time() + idle_s}})

    def close_signin(self, signin_id: str) -> None:
        self.db.signins.delete_one({"_id": signin_id})

    def close_signins_of(self, account_id: str) -> None:
        """Sign an account out everywhere (disabled, role changed, password set)."""
        self.db.signins.delete_many({"account_id": account_id})

    # invitations: a one-time link to set a password
    def open_invitation(self, account_id: str, valid_s: int = 7 * 86400) -> str:
        secret = secrets.token_urlsafe(32)
        self.db.invitations.insert_one({"_id": digest(secret), "account_id": account_id,
                                        "expires_at": time.time() + valid_s})
        return secret

    def invitation(self, secret: str) -> dict | None:
        found = self.db.invitations.find_one({"_id": digest(secret)})
        if found is None or found["expires_at"] < time.time():
            return None
        return found

    def use_invitation(self, secret: str) -> bool:
        """True once: deleting the invitation is what makes the link single-use."""
        return self.db.invitations.delete_one({"_id": digest(secret)}).deleted_count == 1

    # sign-in failures: one insert per failure, so every gunicorn worker counts them all
    def record_failure(self, *keys: str) -> None:
        now = time.time()
        self.db.signin_failures.insert_many(
            [{"_id": uuid.uuid4().hex, "key": key, "at": now} for key in keys])

    def failures(self, key: str, since: float) -> list[float]:
        return [f["at"] for f in self.db.signin_failures.find({"key": key}) if f["at"] >= since]

    def forget_failures(self, key: str) -> None:
        self.db.signin_failures.delete_many({"key": key})

    def ping(self) -> None:
        self.db.command("ping")
