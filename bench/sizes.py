"""Everything whose cost must not grow with the data, measured at one size of the stack."""

import statistics
import time

import requests

from bench import commands, loadgen, scale, scenarios
from bench import fixtures as stack_fixtures

SECONDS = 5
LISTING_CLIENTS = 2
BULK_SAMPLES = 20
PIPELINE_EMAILS = 200


def listings(urls: dict, held_id: str) -> dict[str, str]:
    """The first page of each listing a coordinator opens."""
    return {"notifications feed": f"{urls['notifications']}/notifications?page_size=20",
            "enrollments": f"{urls['registration']}/enrollments?page_size=20",
            "roster": f"{urls['sessions']}/sessions/{held_id}/roster?page_size=20",
            "participants": f"{urls['registration']}/participants?page_size=20",
            "sessions": f"{urls['sessions']}/sessions?page_size=20"}


def attendance_days(urls: dict, headers: dict, held_id: str, roster: list[str], month: str,
                    samples: int = BULK_SAMPLES, budget_s: float = 60) -> dict:
    """POST a whole day's marks for the roster, one request per day (``samples`` days, fewer
    if they take longer than ``budget_s``); latency of each."""
    statuses = ("present", "late", "absent", "excused")
    timings, stop = [], time.monotonic() + budget_s
    for n in range(samples):
        if timings and time.monotonic() > stop:
            break
        day = f"{month}-{1 + n % 28:02d}"
        marks = [{"participant_id": pid, "status": statuses[(n + i) % len(statuses)]}
                 for i, pid in enumerate(roster)]
        began = time.perf_counter()
        answer = requests.post(f"{urls['sessions']}/sessions/{held_id}/attendance/{day}",
                               json={"marks": marks}, headers=headers, timeout=120)
        timings.append((time.perf_counter() - began) * 1000)
        if answer.status_code >= 300:
            return {"error": f"{answer.status_code} {answer.text[:200]}"}
    timings.sort()
    return {"requests": len(timings), "officers": len(roster),
            "p50_ms": statistics.median(timings),
            "p95_ms": timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]}


def measure(label: str, stack, local, headers: dict, fixtures: dict, counted,
            say, drain) -> dict:
    """One size: HTTP operations, listings, a day's attendance, the pipeline with 1 worker.

    ``drain(what)`` waits (bounded) for the notifications backlog the writes left, so the reads
    and the pipeline are measured on a quiet stack; what it left is recorded."""
    urls, found = stack.urls, {}
    say(f"{label}: create participants, {scenarios.CLIENTS} clients ({SECONDS} s)")
    found["create_participant"] = _with_cpu(stack, lambda: scenarios.create_participants(
        urls, headers, start=fixtures["participant_numbers"].pop(), seconds=SECONDS))
    # The creates' acknowledgements (an email each, the officer's contact read back from
    # registration) take seconds to drain: enrolling meanwhile was measured with that work,
    # ~7 ms of CPU an enroll of it (`bench.enroll_rate_probe 5 5 alternate`), counted as its own.
    found["backlog_after_creates"] = drain(f"left by {label}'s creates")
    say(f"{label}: enroll, {scenarios.CLIENTS} clients ({SECONDS} s)")
    found["enroll"] = _with_cpu(stack, lambda: scenarios.enroll(
        urls, headers, fixtures["officers"], fixtures["enrolling"].pop(), seconds=SECONDS))
    found["backlog_after_writes"] = drain(f"left by {label}'s writes")
    held, roster = fixtures["held"]["id"], [o["id"] for o in fixtures["officers"]]
    # Days of a month of its own per size: new marks each time, not rewrites of the same ones.
    month = fixtures["attendance_months"].pop()
    say(f"{label}: record attendance one officer at a time ({SECONDS} s)")
    found["attendance_mark"] = scenarios.record_attendance(
        urls, headers, held, roster, [f"{month}-{d}" for d in (29, 30)],
        seconds=SECONDS)
    say(f"{label}: a day's attendance for {len(roster)} officers in one request, "
        f"{BULK_SAMPLES} days")
    found["attendance_day"] = attendance_days(urls, headers, held, roster, month)
    found["listings"] = {}
    for name, url in listings(urls, held).items():
        say(f"{label}: listing page, {name} ({LISTING_CLIENTS} clients, {SECONDS} s)")
        found["listings"][name] = loadgen.run(url, headers=headers, clients=LISTING_CLIENTS,
                                              seconds=SECONDS)
    found["backlog_before_pipeline"] = drain(f"before {label}'s pipeline run")
    say(f"{label}: pipeline, {PIPELINE_EMAILS} confirmations drained by 1 worker, "
        "database commands counted")
    found["pipeline"] = drain_counted(local, fixtures, counted, PIPELINE_EMAILS)
    return found


def _with_cpu(stack, run) -> dict:
    """``run()``'s result with the stack's CPU per 2xx request (`cpu_ms`)."""
    before = stack_fixtures.stack_cpu(stack)
    result = run()
    ok = sum(n for status, n in result.get("statuses", {}).items() if str(status)[0] == "2")
    return {**result, "cpu_ms": stack_fixtures.cpu_per_request(
        before, stack_fixtures.stack_cpu(stack), ok)}


def drain_counted(local, fixtures: dict, counted, emails: int) -> dict:
    """Emails per second draining ``emails`` confirmations; database commands per email."""
    idle = commands.idle_rate(counted)
    return commands.per_email(counted, lambda: scale.drain_rate(
        local.kafka_bootstrap, fixtures["registration_topic"], local.smtp_http_url,
        fixtures["officers"], fixtures["loaded"], emails, timeout_s=120), idle)
