"""Contact details sealed for notifications alone: other consumers of an event cannot read them.

Events are read by every service that subscribes to a topic; contact details must reach only the
notifications service. They travel encrypted and authenticated (Fernet) with a key that only
registration and notifications hold.
"""

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken

from common.config import DEVELOPMENT_SECRETS, secret

DEV_SEALING_SECRET = DEVELOPMENT_SECRETS["CONTACT_SEALING_KEY"]


def _fernet() -> Fernet:
    key = secret("CONTACT_SEALING_KEY").encode()
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key).digest()))


def seal(contact: dict) -> str:
    """Encrypt a dict of contact details into an opaque string."""
    return _fernet().encrypt(json.dumps(contact, sort_keys=True).encode()).decode()


def unseal(sealed: str) -> dict:
    """Decrypt what `seal` produced; raises ValueError if it was tampered with or mis-keyed."""
    try:
        return json.loads(_fernet().decrypt(sealed.encode()))
    except InvalidToken as exc:
        raise ValueError("sealed contact details cannot be opened with this key") from exc
