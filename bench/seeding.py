"""Every document the bench grows the stack by, made through the services' HTTP APIs.

The one place that seeds (the lead adapts it here when a faster path exists). It never writes a
stored document itself: the services decide their stored shapes and emit their events, so the
copies downstream (rosters, notifications, reminders, projections) grow as they would in use.
Requests go in parallel, each kind of document up to its target or until the deadline; what was
reached and how fast is reported, and what it left to the pipeline is drained afterwards.

Growing one size: participants (imported for the record, `acknowledge: false`: each one a
recipient in notifications, no acknowledgement email, so the seeded size leaves no backlog of
thousands of emails behind the measurements), draft sessions (sessions only), and enrollments
of the seeded participants into a few scheduled sessions (each one a seat log entry, an
enrollment, a roster entry and a confirmation with its reminders).
"""

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests

from bench import fixtures
from common.mongo import client
from common.persistence import numbered_log
from services.registration.stores import seat_log_store

THREADS = 12
ENROLLING_SESSIONS = 40  # seeded enrollments spread over these, so parallel requests rarely race
SCHEDULE = 50  # draft sessions seeded per request: a series' schedule, its largest
GROUP = 250  # officers enrolled in a session by one request


def _total(url: str, headers: dict) -> int | None:
    """The number of documents behind a listing, from its X-Pagination header (None if the
    service keeps refusing: a loaded stack answers 503 when its database times out)."""
    for _ in range(4):
        try:
            answer = requests.get(url, params={"page_size": 1}, headers=headers, timeout=120)
        except requests.RequestException:
            answer = None
        if answer is not None and answer.ok:
            return json.loads(answer.headers.get("X-Pagination", '{"total": 0}'))["total"]
        time.sleep(5)
    return None


def sweep_idle(mongo_uri: str, stack_name: str) -> bool:
    """Whether registration's enrollment sweep has verified every change noted so far: its
    stored mark against the end of the change notes (reads by `_id`, as the worker makes)."""
    changes = client(mongo_uri)[f"{stack_name}_registration"][seat_log_store.CHANGES]
    mark = changes.find_one({"_id": seat_log_store.SWEPT})
    return mark is not None and mark["settled"] >= numbered_log.length(changes, "all") - 1


def totals(urls: dict, headers: dict) -> dict:
    """How many participants, sessions, enrollments and notifications the stack holds."""
    return {"participants": _total(f"{urls['registration']}/participants", headers),
            "sessions": _total(f"{urls['sessions']}/sessions", headers),
            "enrollments": _total(f"{urls['registration']}/enrollments", headers),
            "notifications": _total(f"{urls['notifications']}/notifications", headers)}


def _in_parallel(make, count: int, deadline: float, threads: int = THREADS
                 ) -> tuple[list, float]:
    """``make(n)`` for n < count on ``threads`` threads until the deadline; made, seconds."""
    began = time.monotonic()

    def one(n: int):
        if time.monotonic() > deadline:
            return None
        for attempt in range(3):
            answer = make(n)
            if answer.status_code < 300:
                return answer.json()
            if answer.status_code == 409:  # a pair made in an earlier size: not again
                return None
            if answer.status_code != 503:  # 503: a session changing too fast; again
                raise RuntimeError(f"bench seeding: {answer.request.method} {answer.url} -> "
                                   f"{answer.status_code} {answer.text[:300]}")
            time.sleep(0.05 * (attempt + 1))
        return None

    with ThreadPoolExecutor(max_workers=threads) as pool:
        made = [m for m in pool.map(one, range(count)) if m is not None]
    return made, time.monotonic() - began


class Seeder:
    def __init__(self, urls: dict, headers: dict, tag: str):
        self.urls, self.headers, self.tag = urls, headers, tag
        self.http = requests.Session()
        self.http.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=THREADS))
        self.participants: list[dict] = []
        self.seeded: set[tuple[str, str]] = set()  # (participant, session) pairs answered
        self.enrolling_sessions: list[dict] = []

    def prepare(self) -> None:
        """The scheduled sessions seeded enrollments go to, known to registration."""
        if not self.enrolling_sessions:
            sessions_api = fixtures.Client(self.urls["sessions"], self.headers)
            registration = fixtures.Client(self.urls["registration"], self.headers)
            self.enrolling_sessions = fixtures.sessions(sessions_api, registration,
                                                        ENROLLING_SESSIONS, f"seed {self.tag}")

    def _post(self, url: str, body: dict):
        return self.http.post(url, json=body, headers=self.headers, timeout=120)

    def add_participants(self, count: int, deadline: float) -> dict:
        """Officers in batches of 200 through `POST /participants/imports` (each one
        registered as a single create would be, with her event), a few batches in parallel,
        for the record: no acknowledgement email (both sizes alike)."""
        first, rows_per_batch = len(self.participants), 200

        def officer(n: int) -> dict:
            return {"given_name": "Seeded", "family_name": f"Officer {first + n}",
                    "gender": "female" if n % 3 else "male",
                    "agency": "Federal Investigation Agency" if n % 4 else "Punjab Police",
                    "email": f"seed.{self.tag}.{first + n}@example.org",
                    "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}}

        def make(batch: int):
            rows = range(batch * rows_per_batch, min((batch + 1) * rows_per_batch, count))
            return self._post(f"{self.urls['registration']}/participants/imports",
                              {"officers": [officer(n) for n in rows], "acknowledge": False})

        batches, seconds = _in_parallel(make, -(-count // rows_per_batch), deadline, threads=3)
        made = [{"id": r["id"]} for b in batches for r in b["rows"] if r["status"] == 201]
        self.participants += made
        return {"asked": count, "made": len(made), "seconds": round(seconds, 1),
                "per_second": round(len(made) / seconds, 1) if seconds else 0}

    def add_draft_sessions(self, count: int, deadline: float) -> dict:
        """Draft sessions, a series' schedule of SCHEDULE at a time (`POST /series/{id}/sessions`):
        one programme, and a series per schedule."""
        if count <= 0:
            return {"asked": count, "made": 0, "seconds": 0, "per_second": 0}
        url = self.urls["sessions"]
        programme = self._post(f"{url}/programmes", {
            "name": f"Seeded programme {self.tag}", "donors": ["European Union"],
            "countries": ["Pakistan"],
            "period": {"starts_on": "2030-01-01", "ends_on": "2035-12-31"}})
        programme.raise_for_status()

        def make(batch: int):
            series = self._post(f"{url}/series", {
                "programme_id": programme.json()["id"], "planned_sessions": SCHEDULE,
                "title": f"Seeded series {self.tag} {batch}"})
            if series.status_code >= 300:
                return series
            numbers = range(batch * SCHEDULE, min(count, (batch + 1) * SCHEDULE))
            return self._post(f"{url}/series/{series.json()['id']}/sessions", {"sessions": [{
                "kind": "coaching_session", "title": f"Seeded session {self.tag} {n}",
                # A minute apart: a schedule lands in one or two stored chunks of a listing.
                "starts_at": f"2031-05-{1 + n // 1440:02d}T{n // 60 % 24:02d}:{n % 60:02d}+05:00",
                "ends_at": f"2031-05-{2 + n // 1440:02d}T{n // 60 % 24:02d}:{n % 60:02d}+05:00",
                "timezone": "Asia/Karachi", "city": "Lahore", "country": "Pakistan",
                "capacity": 30, "draft": True} for n in numbers]})

        schedules, seconds = _in_parallel(make, -(-count // SCHEDULE), deadline)
        made = sum(len(schedule) for schedule in schedules)
        return {"asked": count, "made": made, "seconds": round(seconds, 1),
                "per_second": round(made / seconds, 1) if seconds else 0}

    def add_enrollments(self, count: int, deadline: float) -> dict:
        """Enroll seeded participants over ENROLLING_SESSIONS, each pair once, a block of
        participants per request (`POST /sessions/{id}/enrollments`, up to GROUP officers).

        The participants are cut into blocks, at least one per parallel request; round r sends
        block b to session (r + b) mod K, so the requests in flight together enroll different
        officers (their page numbers do not race) and every block meets every session once.
        Pairs seeded at an earlier size are left out."""
        self.prepare()
        people = len(self.participants)
        size = max(1, min(GROUP, people // THREADS))
        blocks = [self.participants[n:n + size] for n in range(0, people, size)]
        plan, planned = [], 0
        for k in range(len(blocks) * ENROLLING_SESSIONS):
            if planned >= count:
                break
            block, rounds = blocks[k % len(blocks)], k // len(blocks)
            session = self.enrolling_sessions[(rounds + k % len(blocks)) % ENROLLING_SESSIONS]
            ids = [p["id"] for p in block if (p["id"], session["id"]) not in self.seeded]
            ids = ids[:count - planned]
            if ids:
                plan.append((session["id"], ids))
                planned += len(ids)

        def make(n: int):
            session_id, ids = plan[n]
            return self._post(f"{self.urls['registration']}/sessions/{session_id}/enrollments",
                              {"participant_ids": ids})

        answers, seconds = _in_parallel(make, len(plan), deadline)
        made = sum(1 for a in answers for o in a["outcomes"] if o["status"] == 201)
        self.seeded.update((o["participant_id"], a["session_id"])
                           for a in answers for o in a["outcomes"])
        return {"asked": count, "planned": planned, "made": made, "requests": len(answers),
                "seconds": round(seconds, 1),
                "per_second": round(made / seconds, 1) if seconds else 0}

    def grow_to(self, target: int, budget_s: float) -> dict:
        """Participants, sessions and enrollments up to about ``target`` each, within budget."""
        have = {k: n or 0 for k, n in totals(self.urls, self.headers).items()}
        # The budget starts once the counts are in: on a loaded stack they alone take seconds.
        deadline = time.monotonic() + budget_s
        report = {"before": have, "target": target, "budget_s": budget_s}
        # Sessions all along; participants, then their enrollments (which need them, not the
        # draft sessions), so that slow sessions do not leave the enrollments no budget.
        with ThreadPoolExecutor(max_workers=1) as aside:
            drafts = aside.submit(self.add_draft_sessions,
                                  max(0, target - have["sessions"]), deadline)
            report["participants"] = self.add_participants(
                max(0, target - have["participants"]), deadline)
            report["enrollments"] = self.add_enrollments(
                max(0, target - have["enrollments"]), deadline)
            report["sessions"] = drafts.result()
        report["seconds"] = round(budget_s - (deadline - time.monotonic()), 1)
        return report


def officers_for(registration_url: str, headers: dict, count: int, tag: str) -> list[dict]:
    """``count`` officers with their emails (fan-out and latency need to find their inbox),
    imported 500 a request (set-up, not a measure), each acknowledged as a single
    registration is."""
    registration, tag = fixtures.Client(registration_url, headers), f"{tag}.{uuid.uuid4().hex[:4]}"
    made: list[dict] = []
    for first in range(0, count, 500):
        emails = [f"bench.{tag}.{n}@example.org" for n in range(first, min(count, first + 500))]
        answer = registration("POST", "/participants/imports", json={"officers": [{
            "given_name": "Bench", "family_name": f"Officer {first + n}", "gender": "female",
            "agency": "Federal Investigation Agency" if (first + n) % 4 else "Punjab Police",
            "email": email,
            "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}}
            for n, email in enumerate(emails)]})
        refused = [r for r in answer["rows"] if r["status"] != 201]
        if refused:
            raise RuntimeError(f"bench set-up: officers refused: {refused[:3]}")
        made += [{"id": r["id"], "email": email} for r, email in zip(answer["rows"], emails,
                                                                      strict=True)]
    return made


def enroll_each(urls: dict, headers: dict, officers: list[dict], session: dict) -> dict:
    """Enroll every officer in one session (a fan-out's audience), GROUP a request
    (`POST /sessions/{id}/enrollments`): set-up, not a measure."""
    registration, began, made = fixtures.Client(urls["registration"], headers), time.monotonic(), 0
    for first in range(0, len(officers), GROUP):
        answer = registration("POST", f"/sessions/{session['id']}/enrollments", json={
            "participant_ids": [o["id"] for o in officers[first:first + GROUP]]})
        made += sum(1 for o in answer["outcomes"] if o["status"] == 201)
    return {"asked": len(officers), "made": made,
            "seconds": round(time.monotonic() - began, 1)}
