"""The measured requests against the gunicorn-served APIs."""

import json

from bench import loadgen

CLIENTS = 8
SECONDS = 10

PARTICIPANT = {"given_name": "Ayesha", "family_name": "Khan", "gender": "female",
               "agency": "Federal Investigation Agency", "email": "bench.{n}@example.org",
               "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}}


def create_participants(urls: dict, headers: dict, start: int = 0) -> dict:
    """POST /participants with a distinct email per request."""
    return loadgen.run(f"{urls['registration']}/participants", method="POST",
                       body=json.dumps(PARTICIPANT),
                       headers={**headers, "Content-Type": "application/json"},
                       clients=CLIENTS, seconds=SECONDS, start=start)
