"""The measured requests against the gunicorn-served APIs."""

import json
import tempfile

from bench import loadgen

CLIENTS = 8
SECONDS = 10

PARTICIPANT = {"given_name": "Ayesha", "family_name": "Khan", "gender": "female",
               "agency": "Federal Investigation Agency", "email": "bench.{n}@example.org",
               "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}}


def create_participants(urls: dict, headers: dict, start: int = 0,
                        seconds: float = SECONDS) -> dict:
    """POST /participants with a distinct email per request."""
    return loadgen.run(f"{urls['registration']}/participants", method="POST",
                       body=json.dumps(PARTICIPANT),
                       headers={**headers, "Content-Type": "application/json"},
                       clients=CLIENTS, seconds=seconds, start=start)


def _planned(lines: list[dict]) -> str:
    handle = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False)
    with handle:
        for line in lines:
            handle.write(json.dumps(line) + "\n")
    return handle.name


def enroll(urls: dict, headers: dict, officers: list[dict], sessions: list[dict],
           seconds: float = SECONDS) -> dict:
    """POST /enrollments, each request a distinct (officer, session) pair."""
    lines = [{"method": "POST", "url": f"{urls['registration']}/enrollments",
              "body": json.dumps({"participant_id": o["id"], "session_id": s["id"]})}
             for s in sessions for o in officers]
    return loadgen.run(requests_file=_planned(lines), clients=CLIENTS, seconds=seconds,
                       headers={**headers, "Content-Type": "application/json"})


def record_attendance(urls: dict, headers: dict, session_id: str, roster: list[str],
                      days: list[str], seconds: float = SECONDS) -> dict:
    """PUT one officer's attendance for a day; corrections cycle through the statuses."""
    statuses = ("present", "late", "present", "excused")
    lines = [{"method": "PUT",
              "url": f"{urls['sessions']}/sessions/{session_id}/attendance/{day}/{pid}",
              "body": json.dumps({"status": statuses[(n + d) % len(statuses)]})}
             for d, day in enumerate(days) for n, pid in enumerate(roster)]
    return loadgen.run(requests_file=_planned(lines), clients=CLIENTS, seconds=seconds,
                       headers={**headers, "Content-Type": "application/json"})
