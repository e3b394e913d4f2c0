"""Listing sessions: every filter pages in start order and follows each change at once."""

import json
import threading

from common.auth import mint
from services.sessions import backfill
from services.sessions.stores import session_calendar_store
from tests.integration.sessions.building import new_series, new_session

APRIL = {"starts_at": "2021-04-20T09:00:00+05:00", "ends_at": "2021-04-21T17:00:00+05:00"}
JULY = {"starts_at": "2021-07-20T09:00:00+05:00", "ends_at": "2021-07-21T17:00:00+05:00"}


def _listed(call, role="coordinator", headers=None, **query):
    answer = call("GET", "/sessions", role=role, headers=headers or {},
                  query_string={"page_size": 2, **query})
    assert answer.status_code == 200, answer.get_json()
    return ([s["title"] for s in answer.get_json()],
            json.loads(answer.headers["X-Pagination"])["total"])


def test_every_listing_pages_in_start_order_and_follows_each_change(api):
    call, runtime = api
    series = new_series(call)
    july = new_session(call, series["id"], title="Coaching 3", **JULY)
    march = new_session(call, series["id"], title="Coaching 1")
    april = new_session(call, series["id"], title="Coaching 2", draft=True, **APRIL)
    new_session(call, title="Workshop", programme_id=series["programme_id"],
                starts_at="2021-01-10T09:00:00+05:00", ends_at="2021-01-14T17:00:00+05:00")
    assert _listed(call) == (["Workshop", "Coaching 1"], 4)
    assert _listed(call, page=2) == (["Coaching 2", "Coaching 3"], 4)
    assert _listed(call, series_id=series["id"]) == (["Coaching 1", "Coaching 2"], 3)
    assert _listed(call, status="draft") == (["Coaching 2"], 1)
    assert _listed(call, programme_id=series["programme_id"], status="scheduled") == (
        ["Workshop", "Coaching 1"], 3)

    call("POST", f"/sessions/{july['id']}/reschedule", json={
        "starts_at": "2021-02-01T09:00:00+05:00", "ends_at": "2021-02-02T17:00:00+05:00"})
    call("POST", f"/sessions/{april['id']}/schedule")
    call("POST", f"/sessions/{march['id']}/start")
    assert _listed(call, series_id=series["id"], page_size=3) == (
        ["Coaching 3", "Coaching 1", "Coaching 2"], 3)
    assert _listed(call, status="draft") == ([], 0)
    assert _listed(call, status="in_progress") == (["Coaching 1"], 1)
    call("PUT", f"/sessions/{april['id']}/capacity", json={"capacity": 30})
    listed = {s["title"]: s for s in call("GET", "/sessions", query_string={
        "series_id": series["id"]}).get_json()}
    assert (listed["Coaching 1"]["status"], listed["Coaching 2"]["capacity"]) == (
        "in_progress", 30)  # a listing shows each session as it is now
    assert _listed(call, status="scheduled", page_size=5) == (
        ["Workshop", "Coaching 3", "Coaching 2"], 3)
    assert _listed(call, series_id=series["id"], programme_id=series["programme_id"],
                   status="scheduled") == (["Coaching 3", "Coaching 2"], 2)

    person = call("POST", "/facilitators", json={
        "given_name": "Marta", "family_name": "Reyes", "organisation": "UNODC"}).get_json()
    config = runtime.settings
    hers = {"Authorization": "Bearer " + mint(
        config.jwt_secret, "marta", ["facilitator"], 600, config.jwt_audience,
        config.jwt_issuer, facilitator_id=person["id"])}
    assert _listed(call, role=None, headers=hers) == ([], 0)
    for session in (april, march):
        call("PUT", f"/sessions/{session['id']}/facilitators/{person['id']}",
             json={"role": "coach"})
    assert _listed(call, role=None, headers=hers) == (["Coaching 1", "Coaching 2"], 2)
    assert _listed(call, role=None, headers=hers, status="in_progress") == (["Coaching 1"], 1)
    call("DELETE", f"/sessions/{march['id']}/facilitators/{person['id']}")
    assert _listed(call, role=None, headers=hers) == (["Coaching 2"], 1)


def test_sessions_planned_at_the_same_moment_are_all_listed(api):
    call, _ = api
    series = new_series(call)
    answers = []

    def plan(n):
        answers.append(call("POST", "/sessions", json={
            "kind": "coaching_session", "title": f"Coaching {n}", "timezone": "Asia/Karachi",
            "capacity": 24, "series_id": series["id"], **APRIL}).status_code)

    planners = [threading.Thread(target=plan, args=(n,)) for n in range(8)]
    for planner in planners:
        planner.start()
    for planner in planners:
        planner.join()
    assert answers == [201] * 8
    titles, total = _listed(call, page_size=20)
    assert total == 8 and sorted(titles) == sorted(f"Coaching {n}" for n in range(8))
    assert len(call("GET", f"/series/{series['id']}").get_json()["sessions"]) == 8


def test_sessions_and_rosters_stored_before_the_calendar_are_listed_after_the_backfill(api):
    call, runtime = api
    march = new_session(call, title="Coaching 1")
    call("POST", f"/sessions/{march['id']}/start")
    # As the previous version stored them: no calendar, no roster document.
    runtime.db[session_calendar_store.LISTING].drop()
    runtime.db["roster"].insert_one({
        "_id": "e1", "participant_id": "p1", "session_id": march["id"], "series_id": None,
        "gender": "female", "agency": "Punjab Police", "status": "active",
        "attendance": {march["id"]: {"2021-03-25": {"status": "present"}}}})
    assert _listed(call) == ([], 0)
    backfill.run(runtime)
    backfill.run(runtime)  # done once: the second run changes nothing
    assert _listed(call) == (["Coaching 1"], 1)
    roster = call("GET", f"/sessions/{march['id']}/roster").get_json()
    assert [(e["participant_id"], e["status"]) for e in roster] == [("p1", "active")]
    marks = call("GET", f"/sessions/{march['id']}/attendance").get_json()
    assert [(m["participant_id"], m["status"]) for m in marks] == [("p1", "present")]


def test_a_listed_session_shows_what_the_session_itself_shows_before_and_after_a_change(api):
    call, _ = api
    held = new_session(call, title="Coaching 1")
    for _ in range(2):  # the second page is answered from what the process kept
        listed = call("GET", "/sessions").get_json()
        alone = call("GET", f"/sessions/{held['id']}").get_json()
        assert listed == [{k: v for k, v in alone.items()
                           if k not in ("position", "planned_sessions")}]
    assert call("POST", f"/sessions/{held['id']}/reschedule", json=APRIL).status_code == 200
    assert call("PUT", f"/sessions/{held['id']}/capacity",
                json={"capacity": 12}).status_code == 200
    listed = call("GET", "/sessions").get_json()
    alone = call("GET", f"/sessions/{held['id']}").get_json()
    assert listed == [{k: v for k, v in alone.items()
                       if k not in ("position", "planned_sessions")}]
    assert listed[0]["capacity"] == 12 and len(listed[0]["reschedules"]) == 1
