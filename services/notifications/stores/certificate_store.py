"""Certificates as notifications sees them: what it needs to render one when its email is sent.

Only ids, the code, the course and the evidence are kept (from `sessions.certificate.*`); the
PDF is rendered when the email is sent, from this and the recipient and session projections,
so nothing is stored that could not be rendered again.
"""

from datetime import UTC, datetime

from common.config import certificate_verify_base_url
from common.persistence import by_id, projection
from common.runtime import Runtime
from services.notifications.stores import recipient_store as recipients
from services.notifications.stores import session_projection_store as sessions

COLLECTION = "certificates"
KEPT = ("code", "participant_id", "series_id", "session_id", "title", "session_ids",
        "days_attended", "days_held")


def verification_url(code: str) -> str:
    """Where the QR code points: `CERTIFICATE_VERIFY_BASE_URL` + code."""
    return f"{certificate_verify_base_url().rstrip('/')}/{code}"


def issued(runtime: Runtime, payload: dict) -> None:
    """Keep what the certificate's PDF needs (rendered when its email is sent)."""
    projection.upsert(runtime.db[COLLECTION], payload["certificate_id"],
                      {**{k: payload.get(k) for k in KEPT}, "status": "issued",
                       "updated_at": datetime.now(UTC)})


def revoked(runtime: Runtime, certificate_id: str) -> dict | None:
    """Mark it revoked; the certificate as it was, or None if never issued here."""
    kept = by_id.get(runtime.db[COLLECTION], certificate_id)
    by_id.set_fields(runtime.db[COLLECTION], certificate_id, {"status": "revoked"})
    return kept


def document(runtime: Runtime, certificate_id: str, recipient: dict) -> dict | None:
    """What the PDF shows, gathered from the projections; None if the course is not known yet."""
    certificate = by_id.get(runtime.db[COLLECTION], certificate_id)
    if certificate is None:
        return None
    attended = [sessions.get(runtime, sid) for sid in certificate.get("session_ids") or []]
    if any(s is None for s in attended):
        return None
    attended.sort(key=lambda s: s["starts_at"])
    facilitator_ids = sorted({f for s in attended for f in s.get("facilitator_ids") or []})
    facilitators = []
    for facilitator_id in facilitator_ids:
        person = recipients.get(runtime, facilitator_id)
        if person and person.get("given_name"):
            facilitators.append(f"{person['given_name']} {person.get('family_name') or ''}"
                                .strip())
    return {"code": certificate["code"], "url": verification_url(certificate["code"]),
            "status": certificate["status"], "title": certificate["title"],
            "holder": f"{recipient.get('given_name') or ''} "
                      f"{recipient.get('family_name') or ''}".strip(),
            "sessions": attended, "facilitators": facilitators,
            "days_attended": certificate.get("days_attended"),
            "days_held": certificate.get("days_held")}
