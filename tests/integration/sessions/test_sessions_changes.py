"""A change of a session is written by `_id` alone, guarded by a claim of the revision it was
decided on: of two changes from one reading one wins, and a writer that stopped halfway does not
block the session for good."""

from datetime import UTC, datetime, timedelta

import pytest

from services.sessions.domain.errors import IllegalTransitionError
from services.sessions.stores import documents
from tests.integration.sessions.building import new_session

LATER = {"starts_at": "2021-04-20T09:00:00+05:00", "ends_at": "2021-04-21T17:00:00+05:00"}


def test_of_two_changes_decided_on_one_reading_only_the_first_is_written(api):
    call, runtime = api
    session = new_session(call)
    read = documents.must_get(runtime.db[documents.SESSIONS], session["id"], "session")
    documents.change_session(runtime, read, {"$set": {"capacity": 30}}, [])
    with pytest.raises(IllegalTransitionError):
        documents.change_session(runtime, read, {"$set": {"capacity": 5}}, [])
    shown = call("GET", f"/sessions/{session['id']}").get_json()
    assert shown["capacity"] == 30
    assert call("PUT", f"/sessions/{session['id']}/capacity",
                json={"capacity": 12}).get_json()["capacity"] == 12


def test_a_change_left_halfway_blocks_the_session_only_until_it_is_stale(api):
    call, runtime = api
    session = new_session(call)
    claims = runtime.db[documents.CHANGES]
    claims.insert_one({"_id": f"{session['id']}:0", "at": datetime.now(UTC)})
    moved = call("POST", f"/sessions/{session['id']}/reschedule", json=LATER)
    assert moved.status_code == 409
    claims.update_one({"_id": f"{session['id']}:0"},
                      {"$set": {"at": datetime.now(UTC) - timedelta(minutes=1)}})
    moved = call("POST", f"/sessions/{session['id']}/reschedule", json=LATER)
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["starts_at"] == "2021-04-20T04:00:00+00:00"
    listed = call("GET", "/sessions").get_json()
    assert [(s["id"], s["starts_at"]) for s in listed] == [
        (session["id"], "2021-04-20T04:00:00+00:00")]
