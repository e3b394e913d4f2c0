"""Programmes: what a donor funds (GLO.ACT), the frame of series and sessions."""

from datetime import UTC, datetime

from common.runtime import Runtime
from services.sessions import events
from services.sessions.domain.errors import InvalidDetailsError
from services.sessions.stores import documents

COLLECTION = "programmes"


def create(runtime: Runtime, details: dict) -> dict:
    """Store a programme and `sessions.programme.created` in one write."""
    period = details.get("period") or {}
    if period.get("starts_on") and period.get("ends_on") and \
            period["ends_on"] < period["starts_on"]:
        raise InvalidDetailsError({"period": ["ends_on must not be before starts_on"]})
    programme_id = documents.new_id()
    if period:  # BSON has no date type: keep the days as YYYY-MM-DD
        details = {**details, "period": {k: v.isoformat() for k, v in period.items()}}
    document = {"_id": programme_id, **details, "created_at": datetime.now(UTC)}
    event = runtime.event(events.PROGRAMME_CREATED, programme_id, events.ProgrammeCreated().dump(
        {"programme_id": programme_id, **{k: details[k] for k in ("name", "donors",
                                                                  "countries")}}))
    return runtime.insert(COLLECTION, document, [event])


def get(runtime: Runtime, programme_id: str) -> dict:
    return documents.must_get(runtime.db[COLLECTION], programme_id, "programme")


def listing(runtime: Runtime, skip: int, limit: int) -> tuple[list[dict], int]:
    return documents.page(runtime.db[COLLECTION], {}, "created_at", skip, limit)
