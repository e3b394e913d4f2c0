"""Requests that wait for one session's turn are decided together when the turn comes.

A session's seat decisions take turns (one log entry after another), so concurrent enrollments
in one session queue. Instead of one decision, one log entry and one copy per request, the
thread whose turn it is takes every request waiting for that session (up to `MOST` at once) and
decides them together: one entry, one insert of the copies, one of the page numbers (a group
commit). Each request still gets its own outcome; an error of the whole turn is each one's.
"""

import threading
from collections.abc import Callable

MOST = 250  # requests decided in one turn: one log entry holds their changes and events

_waiting: dict[tuple[str, str], list["Request"]] = {}
_lock = threading.Lock()


class Request:
    """One request's part of a turn: what it asks, then its outcome (a result or an error)."""

    __slots__ = ("asked", "result", "error", "taken", "done")

    def __init__(self, asked):
        self.asked, self.result, self.error, self.taken = asked, None, None, False
        self.done = threading.Event()

    def outcome(self):
        self.done.wait()
        if self.error is not None:
            raise self.error
        return self.result


def _take(key: tuple[str, str]) -> list[Request]:
    with _lock:
        queue = _waiting.pop(key, [])
        if len(queue) > MOST:
            _waiting[key] = queue[MOST:]
            queue = queue[:MOST]
        for request in queue:
            request.taken = True
        return queue


def _settle(batch: list[Request], finish: Callable[[], None] | None,
            error: BaseException | None) -> None:
    try:
        if finish is not None:
            finish()
    except Exception as exc:  # noqa: BLE001 - every request of the turn is told
        error = exc
    finally:
        for request in batch:
            if error is not None and request.error is None:
                request.error = error
            request.done.set()


def decide_together(key: tuple[str, str], asked: list, turn: threading.Lock,
                    lead: Callable[[list[Request]], Callable[[], None] | None]) -> list[Request]:
    """Queue ``asked`` for ``key``'s turn and return their requests once each is decided.

    ``lead(batch)`` runs holding ``turn``: it decides the batch (setting each request's result
    or error) and returns what to finish once the turn is released (the copies), or None.
    """
    mine = [Request(a) for a in asked]
    with _lock:
        _waiting.setdefault(key, []).extend(mine)
    while not all(r.taken for r in mine):
        finish, error = None, None
        with turn:
            batch = _take(key)
            if batch:
                try:
                    finish = lead(batch)
                except BaseException as exc:  # noqa: BLE001 - settled below, then raised
                    error = exc
        if batch:
            _settle(batch, finish, error)
    for request in mine:
        request.done.wait()
    return mine
