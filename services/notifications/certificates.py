"""Certificates as notifications sees them: what it needs to render one, and the email saying so.

Only ids, the code, the course and the evidence are kept (from `sessions.certificate.*`); the
PDF is rendered when the email is sent, from this and the recipient and session projections,
so nothing is stored that could not be rendered again.
"""

from datetime import UTC, datetime

from common.config import certificate_verify_base_url
from common.envelope import Event
from common.runtime import Runtime
from services.notifications import notifications, recipients
from services.notifications import session_projection as sessions

COLLECTION = "certificates"
KEPT = ("code", "participant_id", "series_id", "session_id", "title", "session_ids",
        "days_attended", "days_held")


def verification_url(code: str) -> str:
    """Where the QR code points: `CERTIFICATE_VERIFY_BASE_URL` + code."""
    return f"{certificate_verify_base_url().rstrip('/')}/{code}"


def issued(runtime: Runtime, event: Event, payload: dict) -> None:
    """Keep the certificate and tell its holder, with the PDF attached when it is sent."""
    runtime.db[COLLECTION].update_one(
        {"_id": payload["certificate_id"]},
        {"$set": {**{k: payload.get(k) for k in KEPT}, "status": "issued",
                  "updated_at": datetime.now(UTC)}}, upsert=True)
    notifications.create(runtime, event, payload["participant_id"],
                         notifications.CERTIFICATE_ISSUED,
                         context={"certificate_id": payload["certificate_id"]})


def revoked(runtime: Runtime, event: Event, payload: dict) -> None:
    """A revoked certificate is no longer sent, if its email is still waiting."""
    runtime.db[COLLECTION].update_one({"_id": payload["certificate_id"]},
                                      {"$set": {"status": "revoked"}})
    notifications.cancel_waiting(runtime, {"kind": notifications.CERTIFICATE_ISSUED,
                                           "context.certificate_id": payload["certificate_id"]},
                                 "certificate revoked")


def document(runtime: Runtime, certificate_id: str, recipient: dict) -> dict | None:
    """What the PDF shows, gathered from the projections; None if the course is not known yet."""
    certificate = runtime.db[COLLECTION].find_one({"_id": certificate_id})
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
