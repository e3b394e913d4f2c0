"""Contact details sealed for notifications alone: other consumers of an event cannot read them.

Events are read by every service that subscribes to a topic; contact details must reach only the
notifications service. They travel encrypted and authenticated (Fernet) with a key that only
registration and notifications hold.
"""

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken

from common.config import env

DEV_SEALING_SECRET = "dev-only-contact-sealing-secret"  # noqa: S105


def _fernet() -> Fernet:
    secret = env("CONTACT_SEALING_KEY", DEV_SEALING_SECRET).encode()
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret).digest()))


def seal(contact: dict) -> str:
    """Encrypt a dict of contact details into an opaque string."""
    return _fernet().encrypt(json.dumps(contact, sort_keys=True).encode()).decode()


def unseal(sealed: str) -> dict:
    """Decrypt what `seal` produced; raises ValueError if it was tampered with or mis-keyed."""
    try:
        return json.loads(_fernet().decrypt(sealed.encode()))
    except InvalidToken as exc:
        raise ValueError("sealed contact details cannot be opened with this key") from exc
