"""Sessions' HTTP API on the real database and broker, through the Flask test client."""

import csv
import io
import threading

import pytest

from tests.integration.sessions.building import (
    DAYS,
    MARCH,
    enroll,
    new_series,
    new_session,
    published,
)


def test_programme_ending_before_it_starts_gets_422(api):
    call, runtime = api
    response = call("POST", "/programmes", json={"name": "GLO.ACT", "period": {
        "starts_on": "2022-01-01", "ends_on": "2018-01-01"}})
    assert response.status_code == 422
    assert "period" in response.get_json()["errors"]["json"]
    assert runtime.db["programmes"].count_documents({}) == 0


def test_series_of_an_unknown_programme_gets_422_naming_it(api):
    call, runtime = api
    response = call("POST", "/series", json={"programme_id": "nope", "title": "Coaching",
                                             "planned_sessions": 3})
    assert response.status_code == 422
    assert "programme_id" in response.get_json()["errors"]["json"]
    assert runtime.db["series"].count_documents({}) == 0


def test_session_in_a_series_is_announced_with_its_position(api, kafka_bootstrap):
    call, runtime = api
    series = new_series(call)
    session = new_session(call, series["id"])
    assert (session["position"], session["planned_sessions"]) == (1, 3)
    events = published(kafka_bootstrap, runtime, 3)
    scheduled = [e for e in events if e.type == "sessions.session.scheduled"]
    assert [e.subject for e in scheduled] == [session["id"]]
    assert scheduled[0].data["position"] == 1
    assert scheduled[0].data["planned_sessions"] == 3
    assert {e.type for e in events} == {"sessions.programme.created", "sessions.series.created",
                                        "sessions.session.scheduled"}


@pytest.mark.parametrize("change, field", [
    ({"ends_at": "2021-03-24T17:00:00+05:00"}, "ends_at"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"capacity": -1}, "capacity"),
    ({"series_id": "no-such-series"}, "series_id"),
])
def test_impossible_session_gets_422_naming_the_field_and_writes_nothing(api, change, field):
    call, runtime = api
    body = {"kind": "coaching_session", "title": "Coaching 2", "capacity": 10,
            "timezone": "Asia/Karachi", **MARCH, **change}
    response = call("POST", "/sessions", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]
    assert runtime.db["sessions"].count_documents({}) == 0


def test_series_lists_its_sessions_in_order_and_its_next_planned_one(api):
    call, _ = api
    series = new_series(call)
    july = new_session(call, series["id"], title="Coaching 2",
                       starts_at="2021-07-20T09:00:00+05:00",
                       ends_at="2021-07-21T17:00:00+05:00")
    march = new_session(call, series["id"], title="Coaching 1")
    dropped = new_session(call, series["id"], title="Extra",
                          starts_at="2021-05-01T09:00:00+05:00",
                          ends_at="2021-05-01T17:00:00+05:00")
    call("POST", f"/sessions/{dropped['id']}/cancel", json={"reason": "Eid holidays"})
    call("POST", f"/sessions/{march['id']}/start")
    shown = call("GET", f"/series/{series['id']}").get_json()
    assert [(s["title"], s["position"]) for s in shown["sessions"]] == [
        ("Coaching 1", 1), ("Coaching 2", 2)]
    assert shown["next_session"]["session_id"] == july["id"]
    assert call("GET", f"/sessions/{july['id']}").get_json()["position"] == 2


def test_reschedule_keeps_old_and_new_dates_and_announces_both(api, kafka_bootstrap):
    call, runtime = api
    session = new_session(call)
    moved = call("POST", f"/sessions/{session['id']}/reschedule", json={
        "starts_at": "2021-03-29T09:00:00+05:00", "ends_at": "2021-03-30T17:00:00+05:00"})
    assert moved.status_code == 200, moved.get_json()
    history = moved.get_json()["reschedules"]
    assert history[0]["previous_starts_at"] == "2021-03-25T04:00:00+00:00"
    assert history[0]["starts_at"] == "2021-03-29T04:00:00+00:00"
    event = [e for e in published(kafka_bootstrap, runtime, 2)
             if e.type == "sessions.session.rescheduled"][0]
    assert event.data["previous_starts_at"].startswith("2021-03-25T04:00:00")
    assert event.data["starts_at"].startswith("2021-03-29T04:00:00")


def test_draft_is_announced_only_when_scheduled_and_capacity_changes_are_announced(
        api, kafka_bootstrap):
    call, runtime = api
    draft = new_session(call, draft=True)
    assert draft["status"] == "draft"
    assert call("PUT", f"/sessions/{draft['id']}/capacity",
                json={"capacity": -3}).status_code == 422
    assert call("PUT", f"/sessions/{draft['id']}/capacity",
                json={"capacity": 30}).get_json()["capacity"] == 30
    assert call("POST", f"/sessions/{draft['id']}/schedule").get_json()["status"] == "scheduled"
    assert call("POST", f"/sessions/{draft['id']}/schedule").status_code == 409
    events = published(kafka_bootstrap, runtime, 2)
    assert [e.type for e in events] == ["sessions.session.capacity_changed",
                                        "sessions.session.scheduled"]
    assert events[1].data["capacity"] == 30


def test_illegal_transitions_get_409_and_change_nothing(api):
    call, runtime = api
    session = new_session(call)
    cancelled = call("POST", f"/sessions/{session['id']}/cancel", json={"reason": "floods"})
    assert cancelled.get_json()["status"] == "cancelled"
    again = call("POST", f"/sessions/{session['id']}/reschedule", json={
        "starts_at": "2021-04-01T09:00:00+05:00", "ends_at": "2021-04-02T17:00:00+05:00"})
    assert again.status_code == 409
    assert "cancelled" in again.get_json()["message"]
    stored = call("GET", f"/sessions/{session['id']}").get_json()
    assert stored["starts_at"] == "2021-03-25T04:00:00+00:00"
    assert stored["cancel_reason"] == "floods"
    future = new_session(call, starts_at="2099-01-01T09:00:00+05:00",
                         ends_at="2099-01-02T17:00:00+05:00")
    assert call("POST", f"/sessions/{future['id']}/start").status_code == 200
    early = call("POST", f"/sessions/{future['id']}/complete")
    assert early.status_code == 409
    assert "before it ends" in early.get_json()["message"]


def test_facilitator_assignment_carries_no_contact_and_removal_is_announced(
        api, kafka_bootstrap):
    call, runtime = api
    session = new_session(call)
    person = call("POST", "/facilitators", json={
        "given_name": "Martin", "family_name": "Reeve", "organisation": "UNODC",
        "expertise": ["investigative techniques"], "email": "m.reeve@example.org"}).get_json()
    path = f"/sessions/{session['id']}/facilitators/{person['id']}"
    assigned = call("PUT", path, json={"role": "regional_advisor"})
    assert assigned.get_json()["facilitators"] == [{"facilitator_id": person["id"],
                                                    "role": "regional_advisor"}]
    assert call("PUT", path, json={"role": "trainer"}).status_code == 409
    removed = call("DELETE", path)
    assert removed.status_code == 200
    assert removed.get_json()["facilitators"] == []
    events = published(kafka_bootstrap, runtime, 3)
    assigned_event = next(e for e in events if e.type == "sessions.facilitator.assigned")
    assert "Reeve" not in assigned_event.to_bytes().decode()
    assert set(assigned_event.data) == {"session_id", "facilitator_id", "role",
                                        "preferred_language"}
    contact = call("GET", f"/facilitators/{person['id']}/contact", role="service")
    assert contact.status_code == 200
    assert (contact.get_json()["family_name"], contact.get_json()["email"]) == (
        "Reeve", "m.reeve@example.org")
    assert call("GET", f"/facilitators/{person['id']}/contact").status_code == 403
    assert any(e.type == "sessions.facilitator.removed" for e in events)


def test_viewer_reads_indicators_but_not_sessions_or_facilitators(api):
    call, _ = api
    session = new_session(call)
    assert call("GET", f"/sessions/{session['id']}", role="viewer").status_code == 403
    assert call("GET", "/facilitators", role="viewer").status_code == 403
    assert call("GET", f"/sessions/{session['id']}/roster", role="viewer").status_code == 403
    shown = call("GET", f"/sessions/{session['id']}/indicators", role="viewer")
    assert shown.status_code == 200
    assert call("POST", "/programmes", role="viewer", json={"name": "x"}).status_code == 403


def test_attendance_is_only_for_rostered_participants_and_keeps_the_latest(api):
    call, runtime = api
    session = new_session(call)
    for n in range(3):
        enroll(runtime, session, n)
    base = f"/sessions/{session['id']}/attendance"
    assert call("POST", f"{base}/{DAYS[0]}", json={"marks": [
        {"participant_id": "p0", "status": "present"}]}).status_code == 409  # not started
    call("POST", f"/sessions/{session['id']}/start")
    stranger = call("POST", f"{base}/{DAYS[0]}", json={"marks": [
        {"participant_id": "p0", "status": "present"},
        {"participant_id": "p9", "status": "present"}]})
    assert stranger.status_code == 422
    assert "p9" in str(stranger.get_json()["errors"])
    assert call("GET", base).get_json() == []  # nothing written, not even p0
    wrong_day = call("PUT", f"{base}/2021-03-27/p0", json={"status": "present"})
    assert "day" in wrong_day.get_json()["errors"]["json"]
    bulk = call("POST", f"{base}/{DAYS[0]}", json={"marks": [
        {"participant_id": f"p{n}", "status": "present"} for n in range(3)]})
    assert bulk.status_code == 200
    corrected = call("PUT", f"{base}/{DAYS[0]}/p2", json={"status": "late"})
    assert corrected.get_json()["status"] == "late"
    call("PUT", f"{base}/{DAYS[1]}/p1", json={"status": "absent"})
    marks = [(m["day"], m["participant_id"], m["status"]) for m in call("GET", base).get_json()]
    assert marks == [(DAYS[0], "p0", "present"), (DAYS[0], "p1", "present"),
                     (DAYS[0], "p2", "late"), (DAYS[1], "p1", "absent")]


def test_two_tablets_marking_the_same_day_at_once_keep_every_mark_and_announce_each_once(
        api, kafka_bootstrap):
    call, runtime = api
    session = new_session(call, capacity=40)
    for n in range(40):
        enroll(runtime, session, n)
    call("POST", f"/sessions/{session['id']}/start")
    halves = [[{"participant_id": f"p{n}", "status": "present"} for n in range(k, 40, 4)]
              for k in range(4)]
    answers = []

    def record(marks):
        answers.append(call("POST", f"/sessions/{session['id']}/attendance/{DAYS[0]}",
                            json={"marks": marks}).status_code)

    tablets = [threading.Thread(target=record, args=(marks,)) for marks in halves]
    for tablet in tablets:
        tablet.start()
    for tablet in tablets:
        tablet.join()
    assert answers == [200] * 4
    marks = call("GET", f"/sessions/{session['id']}/attendance",
                 query_string={"page_size": 100}).get_json()
    assert sorted(m["participant_id"] for m in marks) == sorted(f"p{n}" for n in range(40))
    # Twice the same upload announces nothing new.
    assert call("POST", f"/sessions/{session['id']}/attendance/{DAYS[0]}",
                json={"marks": halves[0]}).status_code == 200
    recorded = [e for e in published(kafka_bootstrap, runtime, 42)
                if e.type == "sessions.attendance.recorded"]
    assert sorted(e.data["participant_id"] for e in recorded) == sorted(
        f"p{n}" for n in range(40))


def test_a_tablet_tapping_each_officer_at_once_gets_every_tap_saved(api):
    # The console sends one PUT per tap; 24 taps in a second race for the same day's log.
    call, runtime = api
    session = new_session(call, capacity=24)
    for n in range(24):
        enroll(runtime, session, n)
    call("POST", f"/sessions/{session['id']}/start")
    answers = []

    def tap(n):
        answers.append(call("PUT", f"/sessions/{session['id']}/attendance/{DAYS[0]}/p{n}",
                            json={"status": "present"}).status_code)

    taps = [threading.Thread(target=tap, args=(n,)) for n in range(24)]
    for one in taps:
        one.start()
    for one in taps:
        one.join()
    assert answers == [200] * 24
    marks = call("GET", f"/sessions/{session['id']}/attendance",
                 query_string={"page_size": 100}).get_json()
    assert sorted(m["participant_id"] for m in marks) == sorted(f"p{n}" for n in range(24))


def test_feedback_replaces_the_earlier_one_and_only_consented_comments_are_quoted(api):
    call, runtime = api
    session = new_session(call)
    for n in range(2):
        enroll(runtime, session, n)
    call("POST", f"/sessions/{session['id']}/start")
    base = f"/sessions/{session['id']}/feedback"
    assert call("PUT", f"{base}/p0", json={"rating": 6}).status_code == 422
    call("PUT", f"{base}/p0", json={"rating": 3, "comments": "first thoughts",
                                    "consent_to_quote": True})
    call("PUT", f"{base}/p0", json={"rating": 5, "consent_to_quote": True,
                                    "comments": "helped me with case handling"})
    call("PUT", f"{base}/p1", json={"rating": 4, "comments": "private"})
    assert call("PUT", f"{base}/p7", json={"rating": 4}).status_code == 422
    quotes = call("GET", f"/sessions/{session['id']}/quotes").get_json()
    assert quotes == [{"comments": "helped me with case handling"}]
    figures = call("GET", f"/sessions/{session['id']}/indicators").get_json()
    assert figures["feedback"] == {"count": 2, "average_rating": 4.5}


def test_indicators_as_csv_with_small_cells_suppressed(api):
    call, runtime = api
    session = new_session(call)
    for n in range(6):
        enroll(runtime, session, n)
    enroll(runtime, session, 6, agency="Punjab Police")
    response = call("GET", f"/sessions/{session['id']}/indicators?min_cell=5",
                    headers={"Accept": "text/csv"})
    assert response.mimetype == "text/csv"
    rows = dict(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows["enrolled.total"] == "7"
    assert rows["enrolled.by_agency.Federal Investigation Agency"] == "6"
    assert rows["enrolled.by_agency.Punjab Police"] == ""
    same = call("GET", f"/sessions/{session['id']}/indicators?format=csv&min_cell=5")
    assert same.get_data() == response.get_data()
    assert call("GET", f"/sessions/{session['id']}/indicators?min_cell=0").status_code == 422
