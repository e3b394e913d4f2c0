"""Contact details, asked of their owner over HTTP: registration (officers), sessions
(facilitators). Events carry none, so erasure at the owner is final (see `common/contacts.py`)."""

import logging
import threading
import time

import requests

from common.auth import mint
from common.config import Settings

log = logging.getLogger(__name__)
TOKEN_TTL_S = 600


class ContactGoneError(Exception):
    """The owner erased this person: nothing of her contact is kept anywhere."""


class ContactUnknownError(Exception):
    """The owner has no such person."""


class ContactUnavailableError(Exception):
    """The owner cannot be asked now (down, timing out, 5xx): ask again later."""


class Directory:
    """Asks registration or sessions for one person's contact, with a short `service` token."""

    PATHS = {"participant": "/participants/{}/contact", "facilitator": "/facilitators/{}/contact"}

    def __init__(self, settings: Settings, owners: dict[str, str], timeout_s: float = 5.0):
        self.settings, self.timeout_s = settings, timeout_s
        self.urls = {"participant": owners["registration"], "facilitator": owners["sessions"]}
        self._token, self._minted = "", 0.0
        self._lock = threading.Lock()
        self._http = requests.Session()

    def fetch(self, role: str, person_id: str) -> dict:
        """Her contact fields; raises ContactGone, ContactUnknown or ContactUnavailable."""
        url = self.urls[role] + self.PATHS[role].format(requests.utils.quote(person_id, safe=""))
        try:
            answer = self._http.get(url, timeout=self.timeout_s,
                                    headers={"Authorization": f"Bearer {self._bearer()}"})
        except requests.RequestException as exc:
            raise ContactUnavailableError(type(exc).__name__) from exc
        if answer.status_code == 200:
            return answer.json()
        if answer.status_code == 410:
            raise ContactGoneError(person_id)
        if answer.status_code == 404:
            raise ContactUnknownError(person_id)
        log.warning("contact not answered", extra={"status": answer.status_code, "role": role})
        raise ContactUnavailableError(f"HTTP {answer.status_code}")

    def _bearer(self) -> str:
        with self._lock:
            if time.monotonic() - self._minted > TOKEN_TTL_S / 2:
                s = self.settings
                self._token = mint(s.jwt_secret, f"{s.service}-worker", ["service"], TOKEN_TTL_S,
                                   s.jwt_audience, s.jwt_issuer, s.jwt_max_ttl_s)
                self._minted = time.monotonic()
            return self._token
