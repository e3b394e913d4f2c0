"""Certificates of completion: decided by the course's rule, or by a coordinator with a reason.

One document per officer and course (`_id` = `<course id>:<participant id>`), so deciding again
rewrites it; its code is claimed first in `certificate_codes` (`_id` = code), so no two
certificates ever share one. A course is a series, or a session held alone.
"""

from datetime import UTC, datetime

from pymongo.errors import DuplicateKeyError

from common.envelope import Event
from common.persistence import by_id, claims, projection
from common.runtime import Runtime
from services.sessions import events
from services.sessions.domain import certificate_rules
from services.sessions.domain.errors import (
    IllegalTransitionError,
    InvalidDetailsError,
    NotFoundError,
)
from services.sessions.domain.lifecycle_rules import local_days
from services.sessions.stores import documents, roster_store, series_store, session_store

COLLECTION = "certificates"
CODES = "certificate_codes"
INITIALS = "participant_initials"
ISSUED, REVOKED = "issued", "revoked"
RULE, COORDINATOR = "rule", "coordinator"


def course_of(runtime: Runtime, session: dict) -> dict:
    """The course a session belongs to: its series, or itself when it stands alone."""
    if session.get("series_id"):
        parent = series_store.get(runtime, session["series_id"])
        return {"id": parent["_id"], "series_id": parent["_id"], "session_id": None,
                "title": parent["title"], "programme_id": parent["programme_id"],
                "rule": parent.get("certificate_rule"),
                "sessions": series_store.sessions_of(runtime, parent["_id"])}
    return {"id": session["_id"], "series_id": None, "session_id": session["_id"],
            "title": session["title"], "programme_id": session.get("programme_id"),
            "rule": None, "sessions": [session]}


def _attendance(runtime: Runtime, course: dict) -> dict[str, dict]:
    """Each officer's marks across the course: {participant_id: {session_id: {day: status}}}."""
    marks: dict[str, dict] = {}
    for session in course["sessions"]:
        for entry in roster_store.entries(runtime, session):
            days = entry.get("attendance", {}).get(session["_id"], {})
            mine = marks.setdefault(entry["participant_id"], {})
            mine.setdefault(session["_id"], {}).update(
                {day: mark["status"] for day, mark in days.items()})
    return marks


def _shapes(course: dict) -> list[dict]:
    return [{"_id": s["_id"], "status": s["status"],
             "days": local_days(s["starts_at"], s["ends_at"], s["timezone"])}
            for s in course["sessions"]]


def evaluate(runtime: Runtime, session_id: str, cause: Event | None = None,
             only: str | None = None) -> int:
    """Apply the course's rule to its officers (or ``only`` one) once the course is finished.

    Decisions a coordinator made by hand stand. Returns how many certificates changed.
    """
    course = course_of(runtime, session_store.get(runtime, session_id))
    shapes = _shapes(course)
    if not certificate_rules.finished(shapes):
        return 0
    changed = 0
    for participant_id, marks in _attendance(runtime, course).items():
        if (only and participant_id != only) or participant_id.startswith("erased-"):
            continue  # an erased officer's pseudonym is not a person to certify
        decision = certificate_rules.decide(course["rule"], shapes, marks)
        current = by_id.get(runtime.db[COLLECTION], _id(course, participant_id))
        if current is not None and current.get("decided_by") == COORDINATOR:
            continue
        attended = [sid for sid, days in marks.items()
                    if any(s in certificate_rules.ATTENDED for s in days.values())]
        if decision.completed and (current is None or current["status"] == REVOKED):
            issue(runtime, course, participant_id, decision, RULE, None, attended, cause)
            changed += 1
        elif not decision.completed and current is not None and current["status"] == ISSUED:
            revoke(runtime, current, RULE, "the completion rule is no longer met", cause,
                   decision.evidence)
            changed += 1
    return changed


def _id(course: dict, participant_id: str) -> str:
    return f"{course['id']}:{participant_id}"


def _claim_code(runtime: Runtime, certificate_id: str) -> str:
    for _ in range(5):
        code = certificate_rules.new_code()
        if claims.claim(runtime.db[CODES], code, certificate_id=certificate_id):
            return code
    raise RuntimeError("no free verification code after 5 draws")


def _payload(certificate: dict, **extra) -> dict:
    return {"certificate_id": certificate["_id"], "code": certificate["code"],
            "participant_id": certificate["participant_id"],
            **{k: certificate["course"][k] for k in ("programme_id", "series_id", "session_id")},
            "decided_by": certificate["decided_by"], **extra}


def issue(runtime: Runtime, course: dict, participant_id: str, decision: certificate_rules.Decision,
          decided_by: str, reason: str | None, attended: list[str],
          cause: Event | None = None) -> dict:
    """Issue (or issue again, with the same code) and announce `sessions.certificate.issued`."""
    certificate_id = _id(course, participant_id)
    current = by_id.get(runtime.db[COLLECTION], certificate_id)
    now = datetime.now(UTC)
    fields = {"status": ISSUED, "decided_by": decided_by, "reason": reason,
              "evidence": decision.evidence, "session_ids": sorted(attended),
              "decided_at": now, "issued_at": now}
    base = current or {"_id": certificate_id, "participant_id": participant_id,
                       "code": None, "course": {k: course[k] for k in (
                           "id", "series_id", "session_id", "title", "programme_id")}}
    document = {**base, **fields}
    if current is None:
        document["code"] = _claim_code(runtime, certificate_id)
    event = runtime.event(events.CERTIFICATE_ISSUED, certificate_id,
                          events.CertificateIssued().dump(_payload(
                              document, title=course["title"], session_ids=sorted(attended),
                              days_attended=decision.days_attended,
                              days_held=decision.days_held)), cause)
    if current is None:
        try:
            return runtime.insert(COLLECTION, document, [event])
        except DuplicateKeyError:  # a redelivery or another worker issued it meanwhile
            return by_id.get(runtime.db[COLLECTION], certificate_id)
    stored = runtime.update(COLLECTION, {"_id": certificate_id, "status": current["status"]},
                            {"$set": fields}, [event])
    if stored is None:
        raise IllegalTransitionError("the certificate changed meanwhile; read it again")
    return stored


def revoke(runtime: Runtime, current: dict, decided_by: str, reason: str,
           cause: Event | None = None, evidence: dict | None = None) -> dict:
    """Revoke a certificate, keeping its code so verification answers `revoked`."""
    if current["status"] == REVOKED:
        raise IllegalTransitionError("the certificate is already revoked")
    fields = {"status": REVOKED, "decided_by": decided_by, "reason": reason,
              "decided_at": datetime.now(UTC), "revoked_at": datetime.now(UTC)}
    if evidence is not None:
        fields["evidence"] = evidence
    event = runtime.event(events.CERTIFICATE_REVOKED, current["_id"],
                          events.CertificateRevoked().dump(
                              _payload({**current, **fields}, reason=reason)), cause)
    stored = runtime.update(COLLECTION, {"_id": current["_id"], "status": ISSUED},
                            {"$set": fields}, [event])
    if stored is None:
        raise IllegalTransitionError("the certificate changed meanwhile; read it again")
    return stored


def issue_by_hand(runtime: Runtime, session_id: str, participant_id: str, reason: str) -> dict:
    """A coordinator's decision: issued whatever the rule says, with the evidence recorded."""
    session = documents.referenced(runtime.db[documents.SESSIONS], session_id, "session",
                                   "session_id")
    course = course_of(runtime, session)
    marks = _attendance(runtime, course)
    if participant_id not in marks:
        raise InvalidDetailsError({"participant_id": ["not on the roster of this course"]})
    current = by_id.get(runtime.db[COLLECTION], _id(course, participant_id))
    if current is not None and current["status"] == ISSUED:
        raise IllegalTransitionError("the certificate is already issued")
    decision = certificate_rules.decide(course["rule"], _shapes(course), marks[participant_id])
    attended = [sid for sid, days in marks[participant_id].items()
                if any(s in certificate_rules.ATTENDED for s in days.values())]
    return issue(runtime, course, participant_id, decision, COORDINATOR, reason, attended)


def revoke_by_hand(runtime: Runtime, code: str, reason: str) -> dict:
    return revoke(runtime, by_code(runtime, code), COORDINATOR, reason)


def by_code(runtime: Runtime, code: str) -> dict:
    """The certificate a code names (404 if none)."""
    normal = certificate_rules.normalise_code(code)
    claimed = claims.holder(runtime.db[CODES], normal) if normal else None
    found = claimed and by_id.get(runtime.db[COLLECTION], claimed["certificate_id"],
                                  documents.HIDDEN)
    if not found or found.get("code") != normal:  # a code drawn by a loser of a race
        raise NotFoundError(f"no certificate with code {code}")
    return found


def listing(runtime: Runtime, course_id: str) -> list[dict]:
    return sorted(runtime.db[COLLECTION].find({"course.id": course_id}, documents.HIDDEN),
                  key=lambda c: c["_id"])


def set_rule(runtime: Runtime, series_id: str, rule: dict) -> dict:
    """Change a series' rule; a finished series is decided again at once."""
    rule = certificate_rules.check_rule(certificate_rules.rule_of(rule))
    series_store.get(runtime, series_id)
    by_id.set_fields(runtime.db[series_store.COLLECTION], series_id, {"certificate_rule": rule})
    members = series_store.sessions_of(runtime, series_id)
    if members:
        evaluate(runtime, members[0]["_id"])
    return rule


def project_initials(runtime: Runtime, payload: dict) -> None:
    """Keep what verification may show of a name: her initials, nothing else."""
    if roster_store.erased(runtime, payload["participant_id"]):
        return
    projection.upsert(runtime.db[INITIALS], payload["participant_id"],
                      {"initials": payload.get("initials")})


def erase(runtime: Runtime, participant_id: str) -> None:
    """Her certificates stay valid, unlinked from her and without initials."""
    runtime.db[INITIALS].delete_one({"_id": participant_id})
    runtime.db[COLLECTION].update_many({"participant_id": participant_id},
                                       {"$set": {"participant_id": None, "erased": True}})


def initials_of(runtime: Runtime, certificate: dict) -> str | None:
    if certificate.get("erased") or not certificate.get("participant_id"):
        return None
    found = by_id.get(runtime.db[INITIALS], certificate["participant_id"])
    return found.get("initials") if found else None
