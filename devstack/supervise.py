"""Keeping `make run` up the way compose's `restart: unless-stopped` does.

A process that exits (an API, a worker, the broker, FerretDB, the SMTP sink) is started again
after a backoff (1, 2, 4, 8... s, at most 30 s) and the output says so. Only Ctrl-C stops the
whole stack, or a process that keeps crashing (5 times within a minute): then something is wrong
that a restart will not fix, and the run stops with that process's log.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


class Child(Protocol):
    """Something the supervisor keeps running."""

    name: str
    log: Path

    def alive(self) -> bool: ...

    def restart(self) -> None: ...


@dataclass(frozen=True)
class Policy:
    backoff_s: float = 1.0
    backoff_cap_s: float = 30.0
    max_crashes: int = 5
    window_s: float = 60.0

    def delay(self, recent_crashes: int) -> float:
        """The wait before restarting after the ``recent_crashes``-th crash in the window."""
        return min(self.backoff_cap_s, self.backoff_s * 2 ** max(0, recent_crashes - 1))


class CrashLoopError(RuntimeError):
    """A child crashed too often: the run stops."""

    def __init__(self, child: Child, crashes: int, window_s: float):
        super().__init__(f"{child.name} crashed {crashes} times within {window_s:.0f}s; "
                         f"stopping everything (see {child.log})")
        self.child = child


@dataclass
class _Record:
    crashes: deque = field(default_factory=deque)
    restart_at: float | None = None


class Supervisor:
    """Checks its children on each `tick`, restarting those that exited."""

    def __init__(self, children: list[Child], policy: Policy = Policy(),
                 clock: Callable[[], float] = time.monotonic,
                 say: Callable[[str], None] = lambda message: print(message, flush=True)):
        self.children, self.policy, self.clock, self.say = children, policy, clock, say
        self._records = {id(child): _Record() for child in children}

    def tick(self) -> None:
        """Notice exits and restart what is due; raises CrashLoopError on repeated crashes."""
        for child in self.children:
            record = self._records[id(child)]
            if record.restart_at is None:
                if not child.alive():
                    self._crashed(child, record)
            elif self.clock() >= record.restart_at:
                self._restart(child, record)

    def _crashed(self, child: Child, record: _Record) -> None:
        now = self.clock()
        record.crashes.append(now)
        while record.crashes and record.crashes[0] <= now - self.policy.window_s:
            record.crashes.popleft()
        recent = len(record.crashes)
        if recent >= self.policy.max_crashes:
            raise CrashLoopError(child, recent, self.policy.window_s)
        delay = self.policy.delay(recent)
        record.restart_at = now + delay
        self.say(f"!! {child.name} exited; restarting it in {delay:.0f}s "
                 f"(crash {recent} of {self.policy.max_crashes} allowed within "
                 f"{self.policy.window_s:.0f}s; see {child.log})")

    def _restart(self, child: Child, record: _Record) -> None:
        record.restart_at = None
        try:
            child.restart()
        except Exception as exc:  # a failed start is one more crash, with its backoff
            self.say(f"!! {child.name} did not start again: {exc}")
            self._crashed(child, record)
            return
        self.say(f"==> {child.name} restarted")
