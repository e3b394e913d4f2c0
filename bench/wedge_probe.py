"""What wedged the sessions database after a session of 500 was cancelled, command by command.

    .venv/bin/python -m bench.wedge_probe [MONGO_URI]            # the roster's commands, timed
    .venv/bin/python -m bench.wedge_probe [MONGO_URI] --wedge    # the limit itself (see below)

The first form builds a 500-officer roster among 14,000 other enrollments (the large bench's
size) through `HeldEnrollments`, in polls of 100 as the worker's consumer hands them, then ends
all 500 the same way, and prints each flush's commands: count, total and longest duration
(pymongo command monitoring). Before `by_id.write_each`, the first poll of ends sent one update
command of 100 updates and never got an answer.

``--wedge`` sends update commands of 99 and then 100 updates that match documents. FerretDB
1.24 keeps one SQLite connection (of the database's 100) per matched update until the command
ends, so the second never returns and THAT DATABASE ANSWERS NO ONE UNTIL FERRETDB IS RESTARTED:
run it only against a FerretDB of your own.
"""

import sys
import time
import uuid
from types import SimpleNamespace

from pymongo import MongoClient, UpdateOne, monitoring
from pymongo.errors import NetworkTimeout

from common.envelope import new_event
from services.sessions.stores import roster_store

TIMED: list[tuple[str, float]] = []


class Timer(monitoring.CommandListener):
    def started(self, event):
        pass

    def succeeded(self, event):
        TIMED.append((event.command_name, event.duration_micros / 1e6))

    def failed(self, event):
        TIMED.append((f"{event.command_name} FAILED", event.duration_micros / 1e6))


def roster(db, officers: int = 500, others: int = 14_000, poll: int = 100) -> None:
    new = lambda: uuid.uuid4().hex  # noqa: E731
    for start in range(0, others, 1000):
        block = [(new(), new(), new()) for _ in range(min(1000, others - start))]
        db.roster.insert_many([{"_id": e, "participant_id": p, "session_id": s, "status": "active",
                                "gender": "female", "agency": "FIA"} for e, p, s in block])
        db.session_rosters.insert_many([{"_id": f"session:{s}", "entries": {e: {
            "participant_id": p, "gender": "female", "agency": "FIA", "status": "active"}}}
            for e, p, s in block])
    session, runtime = new(), SimpleNamespace(db=db)
    enrolled = [(new(), new()) for _ in range(officers)]
    for kind, status in (("confirmed", "active"), ("cancelled", "cancelled")):
        for start in range(0, officers, poll):
            held = roster_store.HeldEnrollments(runtime)
            for eid, pid in enrolled[start:start + poll]:
                data = {"enrollment_id": eid, "participant_id": pid, "session_id": session,
                        "series_id": None, "gender": "female", "agency": "FIA"}
                held.hold(new_event(f"registration.enrollment.{kind}", eid, data,
                                    "registration"), data, status)
            TIMED.clear()
            began = time.monotonic()
            held.flush()
            by: dict[str, list] = {}
            for name, seconds in TIMED:
                seen = by.setdefault(name, [0, 0.0, 0.0])
                seen[0], seen[1], seen[2] = seen[0] + 1, seen[1] + seconds, max(seen[2], seconds)
            print(f"{kind} poll {start // poll + 1}: flush {time.monotonic() - began:.2f} s; "
                  + "; ".join(f"{n} x{c} total {t:.2f} s longest {m:.3f} s"
                              for n, (c, t, m) in by.items()), flush=True)


def wedge(db) -> None:
    db.wedge.insert_many([{"_id": f"e{n}", "status": "active"} for n in range(100)])
    for size in (99, 100):
        began = time.monotonic()
        try:
            db.wedge.bulk_write([UpdateOne({"_id": f"e{n}"}, {"$set": {"status": size}})
                                 for n in range(size)])
            print(f"update command of {size} matched updates: {time.monotonic() - began:.3f} s")
        except NetworkTimeout:
            print(f"update command of {size} matched updates: no answer in "
                  f"{time.monotonic() - began:.0f} s; the database {db.name} is wedged")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    uri = args[0] if args else "mongodb://127.0.0.1:27017/"
    client = MongoClient(uri, socketTimeoutMS=15_000, event_listeners=[Timer()])
    name = f"wedge_probe_{uuid.uuid4().hex[:8]}"
    if "--wedge" in sys.argv:
        wedge(client[name])  # no drop: a wedged database does not answer a drop either
        return
    try:
        roster(client[name])
    finally:
        client.drop_database(name)


if __name__ == "__main__":
    main()
