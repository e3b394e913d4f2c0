"""Writes that a process's threads make at the same moment, made as one (a group commit).

On FerretDB (SQLite) each write command is a transaction of the database's one writer: an insert
of 10 documents costs about what an insert of one does. So the first thread to find no write
under way writes what every thread queued meanwhile, in one command, and hands each its own
result; the others wait for that. One writer at a time per key in a process: its threads never
race each other (another process's writer still may: the unique `_id` decides there).
"""

import threading
from collections.abc import Callable, Hashable

REMEMBERED_KEYS = 100_000


class _Waiting:
    def __init__(self, items: list):
        self.items = items
        self.results: list | None = None
        self.error: BaseException | None = None


class _Turn:
    def __init__(self):
        self.condition = threading.Condition()
        self.queued: list[_Waiting] = []
        self.writing = False


_turns: dict[Hashable, _Turn] = {}
_turns_lock = threading.Lock()


def _turn(key: Hashable) -> _Turn:
    with _turns_lock:
        if len(_turns) > REMEMBERED_KEYS:
            _turns.clear()  # a turn dropped here only lets two threads write apart
        return _turns.setdefault(key, _Turn())


def write(key: Hashable, items: list, write_all: Callable[[list], list]) -> list:
    """``write_all(items of every thread waiting on key)`` once, in one thread; the results of
    this caller's ``items`` (``write_all`` returns one result per item, in order). If it
    raises, every caller of that turn gets the error."""
    if not items:
        return []
    mine, turn = _Waiting(items), _turn(key)
    with turn.condition:
        turn.queued.append(mine)
        while turn.writing and mine.results is None and mine.error is None:
            turn.condition.wait()
        batch: list[_Waiting] = []
        if mine.results is None and mine.error is None:
            turn.writing, batch, turn.queued = True, turn.queued, []
    if batch:
        try:
            results = write_all([item for waiting in batch for item in waiting.items])
            for waiting in batch:
                count = len(waiting.items)
                waiting.results, results = results[:count], results[count:]
        except BaseException as exc:
            for waiting in batch:
                waiting.error = exc
        finally:
            with turn.condition:
                turn.writing = False
                turn.condition.notify_all()
    if mine.error is not None:
        raise mine.error
    return mine.results
