"""Lists of enrollments by series: read from the seat logs of the series' sessions."""

import json
import uuid

from services.registration.indexes import ensure_indexes
from tests.integration.registration.helpers import (
    auth,
    deliver,
    register,
    scheduled,
    series_created,
)

SCHEDULED = "sessions.session.scheduled"


def _enroll(client, config, participant_id, session_id) -> dict:
    answer = client.post("/enrollments", json={"participant_id": participant_id,
                                               "session_id": session_id},
                         headers=auth(config, "coordinator"))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _listed(client, config, **query) -> tuple[list[tuple[str, str]], int]:
    answer = client.get("/enrollments", query_string=query, headers=auth(config, "viewer"))
    assert answer.status_code == 200, answer.get_json()
    total = json.loads(answer.headers["X-Pagination"])["total"]
    return [(e["participant_id"], e["session_id"]) for e in answer.get_json()], total


def _series_of_two(client, runtime, config, unique, series_first=True):
    series_id, first, second, other = (str(uuid.uuid4()) for _ in range(4))
    if series_first:
        deliver(runtime, "sessions.series.created", series_created(series_id))
    deliver(runtime, SCHEDULED, scheduled(first, 1, series_id=series_id, position=1))
    deliver(runtime, SCHEDULED, scheduled(second, 5, series_id=series_id, position=2))
    deliver(runtime, SCHEDULED, scheduled(other, 5))
    if not series_first:
        deliver(runtime, "sessions.series.created", series_created(series_id))
    a, b, c = (register(client, config, f"{n}{unique}")["id"] for n in "abc")
    for officer, session in ((a, first), (b, first), (c, other), (a, second)):
        _enroll(client, config, officer, session)
    return series_id, [(a, first), (b, first), (a, second)]


def test_enrollments_of_a_series_are_listed_in_order_of_request_with_their_total(api, unique):
    client, runtime, config = api
    series_id, expected = _series_of_two(client, runtime, config, unique)

    assert _listed(client, config, series_id=series_id) == (expected, 3)
    assert _listed(client, config, series_id=series_id, page=2, page_size=2) == \
        (expected[2:], 3)
    assert _listed(client, config, series_id=series_id, status="waitlisted") == \
        ([expected[1]], 1)


def test_sessions_scheduled_before_their_series_was_announced_are_listed(api, unique):
    client, runtime, config = api
    series_id, expected = _series_of_two(client, runtime, config, unique, series_first=False)

    assert _listed(client, config, series_id=series_id) == (expected, 3)


def test_sessions_projected_before_series_listed_them_are_listed_after_an_upgrade(api, unique):
    client, runtime, config = api
    series_id, expected = _series_of_two(client, runtime, config, unique)
    # As a database written by the version before series listed their sessions.
    runtime.db["series"].update_one({"_id": series_id}, {"$unset": {"sessions": ""}})
    runtime.db["series"].delete_one({"_id": "sessions-listed-in-series"})

    ensure_indexes(runtime)

    assert _listed(client, config, series_id=series_id) == (expected, 3)
