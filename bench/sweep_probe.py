"""`python -m bench.sweep_probe [enrollments] [participants] [quiet_s] [limit_s]`: registration's
worker while the bench's seeding grows enrollments, and until it is quiet again.

Seeds as `make bench` does (participants for the record, then enrollments in blocks over
`seeding.ENROLLING_SESSIONS` sessions) on a stack of its own, and reports the registration
worker's database commands (exact: pymongo command monitoring, by command and collection)
during the seeding and after it, how long after the seeding it stayed busy (the first
``quiet_s`` seconds, 20 by default, in which it sent no more than one command a second), its
resident memory (largest seen, and at the end), when its sweep said it was idle (the
stored mark, `bench.seeding.sweep_idle`), and the sweep's own commands (those on the
enrollments, the seat log and its change notes) apart from the outbox relay's. It stops
``limit_s`` (600) after the seeding at the latest.
"""

import json
import sys
import time
from collections import Counter

from bench import fixtures, memory, seeding
from bench.counted_stack import CountedStack
from bench.enroll_probe import _api_counts, _worker_pid

ENROLLMENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
PARTICIPANTS = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
QUIET_S = float(sys.argv[3]) if len(sys.argv) > 3 else 20.0
LIMIT_S = float(sys.argv[4]) if len(sys.argv) > 4 else 600.0  # at most, after seeding


def _idle(mongo_uri: str, name: str) -> bool:
    try:
        return seeding.sweep_idle(mongo_uri, name)
    except AttributeError:  # a worker from before the stored mark
        return False


def main() -> None:
    out: dict = {"enrollments": ENROLLMENTS, "participants": PARTICIPANTS}
    with CountedStack("sweep", "sweep-probe", env={"BENCH_COMMANDS_DETAIL": "1"},
                      pythonpath=sys.path[0]) as started:
        local, name, counted, stack = started.local, started.name, started.counted, started.stack
        headers = fixtures.coordinator_headers()
        worker = _worker_pid(stack)
        [pid] = worker
        seeder = seeding.Seeder(stack.urls, headers, name)
        seeder.prepare()
        out["participants_seeded"] = seeder.add_participants(PARTICIPANTS,
                                                             time.monotonic() + 300)
        time.sleep(1)
        before, largest = _api_counts(counted, worker), 0.0
        began = time.monotonic()
        out["enrollments_seeded"] = seeder.add_enrollments(ENROLLMENTS, time.monotonic() + 300)
        seeded_at = time.monotonic()
        time.sleep(0.7)
        during = _api_counts(counted, worker) - before
        out["seeding_s"] = round(seeded_at - began, 1)
        idle_at, quiet_since, last = None, time.monotonic(), _api_counts(counted, worker)
        while time.monotonic() - seeded_at < LIMIT_S:
            time.sleep(1)
            largest = max(largest, memory.rss_mb(pid) or 0)
            now = _api_counts(counted, worker)
            if (now - last).total() > 1:
                quiet_since = time.monotonic()
            last = now
            if idle_at is None and _idle(local.mongo_uri, name):
                idle_at = time.monotonic()
            if time.monotonic() - quiet_since >= QUIET_S:
                break
        after = last - before - during
        out["worker_commands_during_seeding"] = during.total()
        out["worker_commands_after_seeding"] = after.total()
        out["busy_after_seeding_s"] = round(quiet_since - seeded_at, 1)
        out["sweep_idle_after_seeding_s"] = (round(idle_at - seeded_at, 1)
                                             if idle_at is not None else None)
        out["worker_rss_mb"] = {"largest": round(largest, 1),
                                "end": round(memory.rss_mb(pid) or 0, 1)}
        sweeping = ("enrollments", "seat_log", "seat_log_changes", "enrollment_pages")
        out["sweep_commands"] = {
            "during_seeding": sum(n for k, n in during.items() if k.split()[-1] in sweeping),
            "after_seeding": sum(n for k, n in after.items() if k.split()[-1] in sweeping)}
        out["by_name_during"] = dict(during.most_common(12))
        out["by_name_after"] = dict(Counter(after).most_common(12))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
