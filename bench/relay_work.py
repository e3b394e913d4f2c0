"""The outbox relays' emptying work during each phase of the bench (read from the stores).

The relays empty acknowledged outboxes from the log of acknowledgements
(`common.outbox_acknowledged`) once they have been quiet a minute, so what a phase wrote is
emptied during a LATER phase: each phase is given the records and outboxes the relays worked
while it ran, and the records still owed when it ended (written, not yet worked). The drains do
not wait for them: they become due a minute after the writes (see BENCHMARKS.md).
"""

from common import outbox_acknowledged
from common.mongo import client

SERVICES = ("registration", "sessions", "notifications")


def snapshot(mongo_uri: str, stack_name: str) -> dict[str, dict]:
    """Per service: records worked and outboxes emptied so far, and records still owed
    (reads by `_id`: the stored mark, then the records after it)."""
    found = {}
    for service in SERVICES:
        database = client(mongo_uri)[f"{stack_name}_{service}"]
        mark = outbox_acknowledged.mark(database)
        found[service] = {"records": mark.get("records", 0), "emptied": mark.get("emptied", 0),
                          "owed": outbox_acknowledged.pending(database)}
    return found


class Watch:
    """`phase(name)` at the start of each phase; `phases` holds, per phase ended, what the
    relays did during it (records worked, outboxes emptied) and owed at its end."""

    def __init__(self, mongo_uri: str, stack_name: str):
        self.mongo_uri, self.stack_name = mongo_uri, stack_name
        self.phases: dict[str, dict] = {}
        self._current: tuple[str, dict] | None = None

    def phase(self, name: str | None) -> None:
        try:
            now = snapshot(self.mongo_uri, self.stack_name)
        except Exception as exc:  # a report, never a reason for the bench to fail
            now = {"error": repr(exc)}
        if self._current is not None and "error" not in now:
            began_as, before = self._current
            self.phases[began_as] = {
                service: {"records": n["records"] - before.get(service, {}).get("records", 0),
                          "emptied": n["emptied"] - before.get(service, {}).get("emptied", 0),
                          "owed_at_end": n["owed"]}
                for service, n in now.items() if "error" not in before}
        self._current = (name, now) if name is not None else None


def report_lines(raw: dict) -> list[str]:
    """BENCHMARKS.md's lines on the relays: for each size's seeding (with its drain) and
    measured phases, the outboxes they emptied per database during the phase and the records
    owed at its end, where they emptied or owed any (nothing from a run that kept no record):
    where their bursts landed tells which large/small ratios they moved."""
    phases = raw.get("relays_by_phase") or {}
    rows = []
    for label in ("small", "large"):
        for phase, work in phases.items():
            seeding = phase.startswith(f"seeding ({label})")
            if not (seeding or phase.startswith(f"{label}:")) or not work:
                continue
            emptied = [work.get(s, {}).get("emptied") for s in SERVICES]
            owed = [work.get(s, {}).get("owed_at_end") for s in SERVICES]
            if any(emptied) or any(owed):
                rows.append(f"| {phase.split(':')[0] if seeding else phase} | "
                            f"{_each(emptied)} | {_each(owed)} |")
    if not rows:
        return []
    databases = " / ".join(SERVICES)
    return ["", "What the outbox relays did during each phase: the outboxes they emptied (a "
            "relay's pass is counted in the phase in which it ends) and the records of "
            "acknowledgements still owed when the phase ended (each is worked 60 to 75 s "
            "after it was written); a seeding's row includes its drain. Phases in which they "
            "emptied and owed nothing are left out.", "",
            f"| phase | outboxes emptied ({databases}) | records owed at its end ({databases}) |",
            "|---|---|---|", *rows]


def _each(numbers: list) -> str:
    return " / ".join("?" if n is None else f"{n:,}" for n in numbers)
