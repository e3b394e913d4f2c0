"""A series' schedule planned in one request, and listings longer than one stored chunk."""

import json
import random

from services.sessions.stores import session_listing_blocks
from tests.integration.sessions.building import new_series, new_session, published

ROW = {"kind": "coaching_session", "timezone": "Asia/Karachi", "city": "Islamabad",
       "country": "Pakistan", "capacity": 24}


def _row(day: int, **more) -> dict:
    return {**ROW, "title": f"Coaching {day}", "starts_at": f"2021-07-{day:02d}T09:00:00+05:00",
            "ends_at": f"2021-07-{day:02d}T17:00:00+05:00", **more}


def _all(call, **query) -> tuple[list[str], int]:
    """Every title a listing holds, page by page, and its total."""
    titles, page = [], 1
    while True:
        answer = call("GET", "/sessions", query_string={"page_size": 3, "page": page, **query})
        assert answer.status_code == 200, answer.get_json()
        found = [s["title"] for s in answer.get_json()]
        total = json.loads(answer.headers["X-Pagination"])["total"]
        titles += found
        if not found or len(titles) >= total:
            return titles, total
        page += 1


def test_a_series_schedule_is_planned_in_one_request_in_order_and_announced(api,
                                                                           kafka_bootstrap):
    call, runtime = api
    series = new_series(call)
    earlier = new_session(call, series["id"], title="Coaching 0")
    answer = call("POST", f"/series/{series['id']}/sessions", json={"sessions": [
        _row(20), _row(5, draft=True), _row(12)]})
    assert answer.status_code == 201, answer.get_json()
    planned = answer.get_json()
    assert [(s["title"], s["status"], s["position"], s["planned_sessions"]) for s in planned] == [
        ("Coaching 20", "scheduled", 4, 3), ("Coaching 5", "draft", 2, 3),
        ("Coaching 12", "scheduled", 3, 3)]
    assert {s["series_id"] for s in planned} == {series["id"]}
    assert {s["programme_id"] for s in planned} == {series["programme_id"]}

    overview = call("GET", f"/series/{series['id']}").get_json()
    assert [s["title"] for s in overview["sessions"]] == [
        "Coaching 0", "Coaching 5", "Coaching 12", "Coaching 20"]
    assert _all(call, series_id=series["id"]) == (
        ["Coaching 0", "Coaching 5", "Coaching 12", "Coaching 20"], 4)
    assert _all(call, status="draft") == (["Coaching 5"], 1)
    events = published(kafka_bootstrap, runtime, 5)
    scheduled = {e.subject: e.data["position"] for e in events
                 if e.type == "sessions.session.scheduled"}
    assert scheduled == {earlier["id"]: 1, planned[0]["id"]: 4, planned[2]["id"]: 3}


def test_a_bad_row_gets_422_naming_its_index_and_field_and_nothing_is_planned(api):
    call, runtime = api
    series = new_series(call)
    answer = call("POST", f"/series/{series['id']}/sessions", json={"sessions": [
        _row(1), _row(2, capacity=-1), _row(3, series_id=series["id"]),
        {**_row(4), "ends_at": "2021-07-03T17:00:00+05:00"}]})
    assert answer.status_code == 422
    errors = answer.get_json()["errors"]["json"]["sessions"]
    assert set(errors) == {"1", "2", "3"}
    assert "capacity" in errors["1"] and "series_id" in errors["2"] and "ends_at" in errors["3"]
    assert runtime.db["sessions"].count_documents({}) == 0
    too_many = call("POST", f"/series/{series['id']}/sessions",
                    json={"sessions": [_row(1 + n % 28) for n in range(51)]})
    assert too_many.status_code == 422 and "sessions" in too_many.get_json()["errors"]["json"]
    assert call("POST", f"/series/{series['id']}/sessions",
                json={"sessions": []}).status_code == 422


def test_a_schedule_needs_a_coordinator_and_a_known_series(api):
    call, runtime = api
    series = new_series(call)
    body = {"sessions": [_row(1)]}
    for role in ("viewer", "service", None):
        assert call("POST", f"/series/{series['id']}/sessions", role=role,
                    json=body).status_code in (401, 403)
    assert call("POST", "/series/no-such-series/sessions", json=body).status_code == 404
    assert runtime.db["sessions"].count_documents({}) == 0


def test_listings_longer_than_a_chunk_page_in_order_through_every_change(api, monkeypatch):
    monkeypatch.setattr(session_listing_blocks, "CHUNK", 3)
    monkeypatch.setattr(session_listing_blocks, "BLOCK", 2)
    call, _ = api
    series = new_series(call)
    days = list(range(1, 29))
    random.Random(13).shuffle(days)
    made = {}
    for first in range(0, 28, 10):
        answer = call("POST", f"/series/{series['id']}/sessions", json={"sessions": [
            _row(day, draft=day % 2 == 0) for day in days[first:first + 10]]})
        assert answer.status_code == 201, answer.get_json()
        made.update({s["title"]: s for s in answer.get_json()})
    made["Single"] = new_session(call, title="Single", starts_at="2021-07-15T10:00:00+05:00",
                                 ends_at="2021-07-15T12:00:00+05:00")
    in_order = [f"Coaching {d}" for d in range(1, 16)] + ["Single"] + [
        f"Coaching {d}" for d in range(16, 29)]
    assert _all(call) == (in_order, 29)
    assert _all(call, series_id=series["id"]) == ([t for t in in_order if t != "Single"], 28)
    assert _all(call, status="draft") == ([f"Coaching {d}" for d in range(2, 29, 2)], 14)

    moved = call("POST", f"/sessions/{made['Coaching 3']['id']}/reschedule", json={
        "starts_at": "2021-08-01T09:00:00+05:00", "ends_at": "2021-08-01T17:00:00+05:00"})
    assert moved.status_code == 200, moved.get_json()
    for day in (4, 6, 8):
        assert call("POST", f"/sessions/{made[f'Coaching {day}']['id']}/schedule"
                    ).status_code == 200
    for day in range(9, 20, 2):
        assert call("POST", f"/sessions/{made[f'Coaching {day}']['id']}/cancel",
                    json={"reason": "merged"}).status_code == 200
    in_order = [t for t in in_order if t != "Coaching 3"] + ["Coaching 3"]
    assert _all(call) == (in_order, 29)
    cancelled = [f"Coaching {d}" for d in range(9, 20, 2)]
    assert _all(call, status="cancelled") == (cancelled, 6)
    assert _all(call, status="draft") == (
        ["Coaching 2"] + [f"Coaching {d}" for d in range(10, 29, 2)], 11)
    scheduled = {f"Coaching {d}" for d in (1, 3, 4, 5, 6, 7, 8, 21, 23, 25, 27)}
    assert _all(call, series_id=series["id"], status="scheduled") == (
        [t for t in in_order if t in scheduled], 11)
    assert _all(call, programme_id=series["programme_id"], series_id=series["id"],
                status="cancelled") == (cancelled, 6)
