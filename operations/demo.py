"""The press-release scenario, loaded through the real HTTP APIs (fictional names).

A programme, the November 2020 specialist workshop, the 2021 coaching series (25-26 March in
Islamabad, July, a third still a draft), three facilitators, 24 officers (18 FIA, 6 Punjab
Police) who attend the workshop (and get certificates of completion by email), join the series
as a cohort, attend the first coaching session and give feedback. Loading twice changes nothing:
the programme's name marks it as loaded.
"""

import time

import requests

PROGRAMME = "GLO.ACT Asia and the Middle East (demo)"
FIA, PUNJAB = "Federal Investigation Agency", "Punjab Police"
GIVEN = ["Ayesha", "Sana", "Hina", "Rabia", "Nadia", "Saima", "Amina", "Fatima", "Mehwish",
         "Sadia", "Iqra", "Kiran", "Nazia", "Shazia", "Uzma", "Farah", "Huma", "Asma", "Bushra",
         "Samina", "Tahira", "Naila", "Rubina", "Shabnam"]
FAMILY = ["Khan", "Malik", "Qureshi", "Siddiqui", "Butt", "Chaudhry", "Shah", "Iqbal", "Aslam",
          "Raza", "Javed", "Akhtar"]
WORKSHOP_DAYS = ["2020-11-09", "2020-11-10", "2020-11-11", "2020-11-12", "2020-11-13"]
MARCH_DAYS = ["2021-03-25", "2021-03-26"]
QUOTE = ("The weeklong workshop helped me with case handling; this coaching let me discuss real "
         "problems with the coach and find solutions.")


class Api:
    """Calls one service with a coordinator token; fails loudly with the answer's body."""

    def __init__(self, url: str, token: str):
        self.url, self.headers = url, {"Authorization": f"Bearer {token}"}

    def __call__(self, method: str, path: str, expect=(200, 201), **kwargs):
        response = requests.request(method, f"{self.url}{path}", headers=self.headers,
                                    timeout=30, **kwargs)
        if response.status_code not in expect:
            raise RuntimeError(f"{method} {path} answered {response.status_code}: "
                               f"{response.text[:500]}")
        return response.json() if response.content else None


def _wait(what: str, check, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"demo: {what} did not happen within {timeout_s:.0f}s; "
                               "see the worker logs in .local/logs/")
        time.sleep(0.5)


def _session(sessions: Api, **details) -> dict:
    body = {"kind": "coaching_session", "format": "semi_structured_coaching",
            "topics": ["investigative techniques for TIP and SOM"], "timezone": "Asia/Karachi",
            "venue": "Training hall, Islamabad", "city": "Islamabad", "country": "Pakistan",
            "capacity": 24, "languages": ["en", "ur"], **details}
    return sessions("POST", "/sessions", json=body)


def _hold(sessions: Api, session_id: str, days: list[str]) -> list[dict]:
    sessions("POST", f"/sessions/{session_id}/start")
    roster = sessions("GET", f"/sessions/{session_id}/roster", params={"page_size": 100})
    for day in days:
        sessions("POST", f"/sessions/{session_id}/attendance/{day}", json={"marks": [
            {"participant_id": entry["participant_id"], "status": "present"}
            for entry in roster]})
    sessions("POST", f"/sessions/{session_id}/complete")
    return roster


def _roster(sessions: Api, session_id: str) -> int:
    return len(sessions("GET", f"/sessions/{session_id}/roster", params={"page_size": 100}))


def load(urls: dict[str, str], token: str, say=print) -> dict:
    """Load the scenario unless it is there; returns the ids a tour needs."""
    sessions, registration = Api(urls["sessions"], token), Api(urls["registration"], token)
    for programme in sessions("GET", "/programmes", params={"page_size": 100}):
        if programme["name"] == PROGRAMME:
            say("==> demo: already loaded")
            return _loaded(sessions, programme["id"])

    say("==> demo: programme, the November 2020 workshop, the 2021 coaching series")
    programme = sessions("POST", "/programmes", json={
        "name": PROGRAMME, "donors": ["European Union"],
        "description": "Global Action against Trafficking in Persons and the Smuggling of "
                       "Migrants", "countries": ["Afghanistan", "Iran", "Iraq", "Pakistan"],
        "period": {"starts_on": "2018-01-01", "ends_on": "2022-12-31"}})
    workshop = _session(sessions, kind="training_workshop", format="classroom", capacity=30,
                        title="Specialist training on investigative techniques",
                        programme_id=programme["id"], starts_at="2020-11-09T09:00:00+05:00",
                        ends_at="2020-11-13T17:00:00+05:00")
    series = sessions("POST", "/series", json={
        "programme_id": programme["id"], "planned_sessions": 3,
        "title": "Coaching on investigative techniques, 2021",
        "origin_session_id": workshop["id"], "eligibility": {"genders": ["female"]}})

    say("==> demo: 24 officers (18 FIA, 6 Punjab Police) enrolled in the workshop")
    _wait("registration learning of the workshop", lambda: registration(
        "GET", f"/sessions/{workshop['id']}", expect=(200, 404)).get("id") is not None)
    for n in range(24):
        officer = registration("POST", "/participants", json={
            "given_name": GIVEN[n], "family_name": FAMILY[n % len(FAMILY)], "gender": "female",
            "agency": FIA if n < 18 else PUNJAB, "preferred_language": "ur" if n % 3 else "en",
            "email": f"{GIVEN[n].lower()}.{FAMILY[n % len(FAMILY)].lower()}.{n}@example.org",
            "consent": {"policy_version": "2020-10", "given_at": "2020-10-20T09:00:00+05:00"}})
        registration("POST", "/enrollments", json={"participant_id": officer["id"],
                                                   "session_id": workshop["id"]})
    _wait("the workshop roster", lambda: _roster(sessions, workshop["id"]) == 24)
    _hold(sessions, workshop["id"], WORKSHOP_DAYS)
    # Completing it decides the certificates by the rule (sessions' worker), then each is
    # emailed as a PDF by notifications.
    _wait("certificates for the workshop's 24 completers", lambda: len([
        c for c in sessions("GET", "/certificates", params={"course_id": workshop["id"]})
        if c["status"] == "issued"]) == 24, timeout_s=120)

    say("==> demo: the workshop's attendees join the coaching series as a cohort")
    _wait("registration learning of the series", lambda: registration(
        "GET", f"/series/{series['id']}", expect=(200, 404)).get("id") is not None)
    def cohort_joined() -> bool:
        # Attendance reaches registration as events; joining again is harmless.
        registration("POST", f"/series/{series['id']}/cohort/from-session",
                     json={"session_id": workshop["id"], "include": "attendees"})
        return len(registration("GET", f"/series/{series['id']}").get("cohort", [])) == 24

    _wait("the workshop's 24 attendees joining the series", cohort_joined)

    first = _session(sessions, title="Coaching session 1 of 3", series_id=series["id"],
                     starts_at="2021-03-25T09:00:00+05:00", ends_at="2021-03-26T17:00:00+05:00")
    _session(sessions, title="Coaching session 2 of 3", series_id=series["id"],
             starts_at="2021-07-20T09:00:00+05:00", ends_at="2021-07-21T17:00:00+05:00")
    _session(sessions, title="Coaching session 3 of 3", series_id=series["id"], draft=True,
             starts_at="2021-11-22T09:00:00+05:00", ends_at="2021-11-23T17:00:00+05:00")

    say("==> demo: facilitators, then the first coaching session (25-26 March 2021) is held")
    for given, family, organisation, role in [
            ("Marta", "Reyes", "UNODC", "regional_advisor"),
            ("Javed", "Hashmi", "Federal Investigation Agency", "law_enforcement_expert"),
            ("Kamran", "Qadir", "Independent defence attorney", "prosecution_expert")]:
        person = sessions("POST", "/facilitators", json={
            "given_name": given, "family_name": family, "organisation": organisation,
            "email": f"{given.lower()}.{family.lower()}@example.org"})
        sessions("PUT", f"/sessions/{first['id']}/facilitators/{person['id']}",
                 json={"role": role})
    _wait("the series' cohort enrolled in coaching session 1",
          lambda: _roster(sessions, first["id"]) == 24)
    roster = _hold(sessions, first["id"], MARCH_DAYS)
    for n, entry in enumerate(roster[:8]):
        sessions("PUT", f"/sessions/{first['id']}/feedback/{entry['participant_id']}", json={
            "rating": 5 if n % 2 else 4, "comments": QUOTE if n == 0 else None,
            "consent_to_quote": n == 0})
    say("==> demo: loaded")
    return {"programme_id": programme["id"], "workshop_id": workshop["id"],
            "series_id": series["id"], "first_session_id": first["id"]}



def _loaded(sessions: Api, programme_id: str) -> dict:
    """The ids of a demo loaded before, found through the API."""
    [series] = sessions("GET", "/series", params={"programme_id": programme_id})[:1] or [None]
    if series is None:
        return {"programme_id": programme_id}
    first = next(s for s in sessions("GET", f"/series/{series['id']}")["sessions"]
                 if s["position"] == 1)
    return {"programme_id": programme_id, "workshop_id": series["origin_session_id"],
            "series_id": series["id"], "first_session_id": first["session_id"]}
