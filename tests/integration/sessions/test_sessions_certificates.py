"""Certificates in sessions on the real database and broker: decided by the rule when a course
is finished, corrected, decided by hand, verified publicly, and kept valid through erasure."""

from common.envelope import Event
from tests.conftest import read_topic

WORKSHOP = {"kind": "training_workshop", "title": "Specialist training", "timezone":
            "Asia/Karachi", "city": "Islamabad", "country": "Pakistan", "capacity": 30,
            "starts_at": "2020-11-09T09:00:00+05:00", "ends_at": "2020-11-11T17:00:00+05:00"}
DAYS = ("2020-11-09", "2020-11-10", "2020-11-11")


def _held_workshop(call, deliver, attendance: dict[str, list[str]]) -> dict:
    programme = call("POST", "/programmes", json={"name": "GLO.ACT Asia and the Middle East"})
    session = call("POST", "/sessions", json={**WORKSHOP,
                                              "programme_id": programme.get_json()["id"]})
    session = session.get_json()
    for n, participant_id in enumerate(attendance):
        deliver("it.registration", "registration.participant.registered", participant_id, {
            "participant_id": participant_id, "initials": f"{'ASH'[n]}. K."})
        deliver("it.registration", "registration.enrollment.confirmed", f"e-{participant_id}", {
            "enrollment_id": f"e-{participant_id}", "participant_id": participant_id,
            "session_id": session["id"], "series_id": None, "gender": "female",
            "agency": "Federal Investigation Agency"})
    call("POST", f"/sessions/{session['id']}/start")
    for day in DAYS:
        marks = [{"participant_id": p, "status": "present" if day in days else "absent"}
                 for p, days in attendance.items()]
        assert call("POST", f"/sessions/{session['id']}/attendance/{day}",
                    json={"marks": marks}).status_code == 200
    assert call("POST", f"/sessions/{session['id']}/complete").status_code == 200
    return session


def _certificates(call, course_id):
    return {c["participant_id"]: c for c in call(
        "GET", "/certificates", query_string={"course_id": course_id}).get_json()}


def test_completing_a_workshop_issues_certificates_to_its_completers_only(
        certifying, kafka_bootstrap):
    call, runtime, deliver = certifying
    session = _held_workshop(call, deliver, {"p1": list(DAYS), "p2": list(DAYS[1:]),
                                             "p3": list(DAYS[:1])})
    deliver(runtime.topic, "sessions.session.completed", session["id"],
            {"session_id": session["id"], "series_id": None})
    found = _certificates(call, session["id"])
    # p2 missed the first day; p3 attended 1 of 3 days (33% < 80%).
    assert set(found) == {"p1"}
    assert found["p1"]["evidence"] == {"days_attended": 3, "days_held": 3,
                                       "missed_first_days": []}
    issued = [Event.from_bytes(r.value) for r in read_topic(
        kafka_bootstrap, runtime.topic, until=lambda rs: any(
            b"certificate.issued" in r.value for r in rs))]
    [event] = [e for e in issued if e.type == "sessions.certificate.issued"]
    assert event.data["code"] == found["p1"]["code"]
    assert event.data["participant_id"] == "p1" and event.data["days_held"] == 3
    assert not {"initials", "given_name", "family_name", "email"} & set(event.data)

    deliver(runtime.topic, "sessions.session.completed", session["id"],
            {"session_id": session["id"], "series_id": None})  # redelivered: nothing new
    assert _certificates(call, session["id"]) == found


def test_a_correction_after_completion_revokes_and_issues_again(certifying):
    call, runtime, deliver = certifying
    session = _held_workshop(call, deliver, {"p1": list(DAYS), "p2": list(DAYS[1:])})
    deliver(runtime.topic, "sessions.session.completed", session["id"],
            {"session_id": session["id"], "series_id": None})
    code = _certificates(call, session["id"])["p1"]["code"]

    call("PUT", f"/sessions/{session['id']}/attendance/{DAYS[0]}/p1", json={"status": "absent"})
    deliver(runtime.topic, "sessions.attendance.recorded", session["id"], {
        "session_id": session["id"], "participant_id": "p1", "day": DAYS[0],
        "status": "absent"})
    assert _certificates(call, session["id"])["p1"]["status"] == "revoked"
    assert call("GET", f"/certificates/{code}", role=None).get_json()["status"] == "revoked"

    call("PUT", f"/sessions/{session['id']}/attendance/{DAYS[0]}/p2", json={"status": "late"})
    deliver(runtime.topic, "sessions.attendance.recorded", session["id"], {
        "session_id": session["id"], "participant_id": "p2", "day": DAYS[0], "status": "late"})
    assert _certificates(call, session["id"])["p2"]["status"] == "issued"


def test_a_coordinator_issues_and_revokes_by_hand_with_a_reason_and_the_rule_leaves_it(certifying):
    call, runtime, deliver = certifying
    session = _held_workshop(call, deliver, {"p1": list(DAYS), "p2": list(DAYS[1:])})
    response = call("POST", "/certificates", json={
        "session_id": session["id"], "participant_id": "p2",
        "reason": "missed the first day on an operation; caught up with the trainer"})
    assert response.status_code == 201
    assert response.get_json()["decided_by"] == "coordinator"
    deliver(runtime.topic, "sessions.session.completed", session["id"],
            {"session_id": session["id"], "series_id": None})
    found = _certificates(call, session["id"])
    assert found["p2"]["status"] == "issued"  # the rule would not have, and did not undo it

    revoked = call("POST", f"/certificates/{found['p1']['code']}/revocation",
                   json={"reason": "issued in error"})
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"
    again = call("POST", f"/certificates/{found['p1']['code']}/revocation",
                 json={"reason": "twice"})
    assert again.status_code == 409
    missing = call("POST", "/certificates", json={"session_id": session["id"],
                                                  "participant_id": "p9", "reason": "x"})
    assert missing.status_code == 422 and "participant_id" in missing.get_json()["errors"][
        "json"]
    assert call("POST", "/certificates", role="viewer", json={
        "session_id": session["id"], "participant_id": "p2", "reason": "x"}).status_code == 403


def test_public_verification_answers_valid_revoked_or_unknown_with_initials_only(certifying):
    call, runtime, deliver = certifying
    session = _held_workshop(call, deliver, {"p1": list(DAYS), "p2": list(DAYS)})
    deliver(runtime.topic, "sessions.session.completed", session["id"],
            {"session_id": session["id"], "series_id": None})
    found = _certificates(call, session["id"])
    valid = call("GET", f"/certificates/{found['p1']['code'].lower()}", role=None)
    assert valid.status_code == 200
    assert valid.get_json() == {
        "code": found["p1"]["code"], "status": "valid", "title": "Specialist training",
        "kind": "session", "starts_on": "2020-11-09", "ends_on": "2020-11-11",
        "programme": "GLO.ACT Asia and the Middle East", "holder_initials": "A. K.",
        "issued_on": valid.get_json()["issued_on"], "revoked_on": None}
    assert "p1" not in valid.get_data(as_text=True)

    call("POST", f"/certificates/{found['p2']['code']}/revocation", json={"reason": "error"})
    page = call("GET", f"/certificates/{found['p2']['code']}", role=None,
                headers={"Accept": "text/html"})
    assert page.mimetype == "text/html" and "Revoked" in page.get_data(as_text=True)
    unknown = call("GET", "/certificates/AAAA-AAAA-AA", role=None)
    assert unknown.get_json() == {"code": "AAAA-AAAA-AA", "status": "unknown"}


def test_verification_is_rate_limited_per_address_with_retry_after(certifying):
    call, runtime, deliver = certifying
    answers = [call("GET", "/certificates/AAAA-AAAA-AA", role=None, address="10.9.9.9")
               for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    other = call("GET", "/certificates/AAAA-AAAA-AA", role=None, address="10.9.9.10")
    assert other.status_code == 200  # another address has its own count


def test_erasure_keeps_the_certificate_valid_without_initials(certifying):
    call, runtime, deliver = certifying
    session = _held_workshop(call, deliver, {"p1": list(DAYS)})
    deliver(runtime.topic, "sessions.session.completed", session["id"],
            {"session_id": session["id"], "series_id": None})
    code = _certificates(call, session["id"])["p1"]["code"]
    deliver("it.registration", "registration.participant.erased", "p1", {"participant_id": "p1"})
    after = call("GET", f"/certificates/{code}", role=None).get_json()
    assert (after["status"], after["holder_initials"]) == ("valid", None)
    assert runtime.db["certificates"].count_documents({"participant_id": "p1"}) == 0
    deliver(runtime.topic, "sessions.session.completed", session["id"],
            {"session_id": session["id"], "series_id": None})  # her pseudonym is not certified
    assert len(_certificates(call, session["id"])) == 1


def test_a_series_is_decided_only_after_its_last_session_and_by_its_own_rule(certifying):
    call, runtime, deliver = certifying
    programme = call("POST", "/programmes", json={"name": "GLO.ACT"}).get_json()
    series = call("POST", "/series", json={"programme_id": programme["id"], "title": "Coaching",
                                           "planned_sessions": 2}).get_json()
    plan = [("2021-03-25T09:00:00+05:00", "2021-03-26T17:00:00+05:00"),
            ("2021-07-20T09:00:00+05:00", "2021-07-21T17:00:00+05:00")]
    assert series["certificate_rule"] == {"min_attendance_share": 0.8,
                                          "require_first_days": True}  # the default, shown
    members = [call("POST", "/sessions", json={
        **WORKSHOP, "kind": "coaching_session", "title": f"Coaching {n}",
        "series_id": series["id"], "starts_at": start, "ends_at": end}).get_json()
        for n, (start, end) in enumerate(plan, start=1)]
    for participant_id in ("p1", "p2"):
        deliver("it.registration", "registration.enrollment.confirmed", f"e-{participant_id}", {
            "enrollment_id": f"e-{participant_id}", "participant_id": participant_id,
            "session_id": None, "series_id": series["id"], "gender": "female",
            "agency": "Punjab Police"})
    # p2 misses the first day of the second session: 3 of 4 days (75%), a first day missed.
    days = [("2021-03-25", "2021-03-26"), ("2021-07-20", "2021-07-21")]
    for session, (first, second) in zip(members, days, strict=True):
        call("POST", f"/sessions/{session['id']}/start")
        call("POST", f"/sessions/{session['id']}/attendance/{first}", json={"marks": [
            {"participant_id": "p1", "status": "present"},
            {"participant_id": "p2", "status": "present" if first < "2021-07" else "absent"}]})
        call("POST", f"/sessions/{session['id']}/attendance/{second}", json={"marks": [
            {"participant_id": p, "status": "present"} for p in ("p1", "p2")]})
        call("POST", f"/sessions/{session['id']}/complete")
        deliver(runtime.topic, "sessions.session.completed", session["id"],
                {"session_id": session["id"], "series_id": series["id"]})
        if session is members[0]:  # one of two held: nobody has completed the series yet
            assert _certificates(call, series["id"]) == {}
    assert set(_certificates(call, series["id"])) == {"p1"}

    bad = call("PUT", f"/series/{series['id']}/certificate-rule",
               json={"min_attendance_share": 1.5})
    assert bad.status_code == 422 and "min_attendance_share" in bad.get_json()["errors"]["json"]
    rule = call("PUT", f"/series/{series['id']}/certificate-rule",
                json={"min_attendance_share": 0.75, "require_first_days": False})
    assert rule.get_json() == {"min_attendance_share": 0.75, "require_first_days": False}
    shown = call("GET", f"/series/{series['id']}").get_json()["certificate_rule"]
    assert shown == {"min_attendance_share": 0.75, "require_first_days": False}
    decided = _certificates(call, series["id"])
    assert decided["p2"]["status"] == "issued"
    assert decided["p2"]["evidence"]["days_attended"] == 3
    assert decided["p2"]["evidence"]["missed_first_days"] == ["2021-07-20"]
