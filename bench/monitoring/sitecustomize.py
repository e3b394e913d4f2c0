"""Bench only: count every MongoDB command this process sends (pymongo command monitoring).

`make bench` puts this directory first on the services' PYTHONPATH and sets
BENCH_COMMANDS_DIR; Python imports `sitecustomize` at start-up, so every MongoClient the
process creates reports to the listener below, without a line changed in services/. Each
process writes its running totals to BENCH_COMMANDS_DIR/<pid>.json twice a second. A command
sent by background work (`common.pacing.BACKGROUND`: the outbox relay's emptying and sweeps) is
counted under its name in brackets first ("[outbox-relay] update"), so that the round trips of
an email or a request can be told apart from what the relays did meanwhile.
"""

import json
import os
import sys
import threading
from collections import Counter

_DIR = os.environ.get("BENCH_COMMANDS_DIR")
# With BENCH_COMMANDS_DETAIL=1 each count is kept per command and collection ("find recipients").
# With BENCH_COMMANDS_DETAIL=shape, also the filter's shape ("find recipients {_id}",
# "update deliveries {cause,kind}", "+sort"): which commands scan a whole collection on FerretDB.
_DETAIL = os.environ.get("BENCH_COMMANDS_DETAIL") in ("1", "shape")
_SHAPE = os.environ.get("BENCH_COMMANDS_DETAIL") == "shape"
# With BENCH_COMMANDS_CALLER=1 (and a detail), also the project's functions that sent it, the
# innermost first ("find feed_entries @stream_store._chunk<stream_store.append_many"): which code
# path a count comes from (a probe's question; costs a stack walk a command).
_CALLER = _DETAIL and os.environ.get("BENCH_COMMANDS_CALLER") == "1"
_PROJECT = ("services", "common")


def _stream(command) -> str:
    """Of a read by `_id` of a numbered stream's chunk, the kind of stream ("recipient",
    "due", "all"...): the part of its `_id` before the first colon, never the id itself."""
    found = command.get("filter") if isinstance(command, dict) else None
    key = found.get("_id") if isinstance(found, dict) else None
    if isinstance(key, str) and ":" in key and str(command.get("find", "")).endswith("_entries"):
        return f" [{key.split(':', 1)[0]}]"
    return ""


def _background() -> str:
    """The background work sending the command, "" for a request's or an event's own work."""
    pacing = sys.modules.get("common.pacing")  # imported by the services that have any
    return pacing.BACKGROUND.get() if pacing is not None else ""


def _caller(depth: int = 3) -> str:
    found, frame = [], sys._getframe(2)
    while frame is not None and len(found) < depth:
        module = frame.f_globals.get("__name__", "")
        if module.split(".")[0] in _PROJECT and not module.startswith("common.persistence"):
            found.append(f"{module.rsplit('.', 1)[-1]}.{frame.f_code.co_name}")
        frame = frame.f_back
    return "<".join(found) or "?"


def _keys(query) -> str:
    if not isinstance(query, dict):
        return "?"
    named = []
    for key, value in query.items():
        if isinstance(value, dict) and value and all(str(k).startswith("$") for k in value):
            key = f"{key}{'/'.join(sorted(value))}"
        named.append(key)
    return "{" + ",".join(sorted(named)) + "}"


def _shape(name: str, command) -> str:
    """The filters a command carries, without their values (no officer data)."""
    if name in ("find", "count", "distinct", "delete_one"):
        extra = "+sort" if command.get("sort") else ""
        return _keys(command.get("filter", command.get("query", {}))) + extra
    if name == "findAndModify":
        return _keys(command.get("query", {})) + ("+sort" if command.get("sort") else "")
    if name == "update":
        return " ".join(sorted({_keys(u.get("q")) + ("*" if u.get("multi") else "")
                                for u in command.get("updates", [])}))
    if name == "delete":
        return " ".join(sorted({_keys(d.get("q")) + ("*" if not d.get("limit") else "")
                                for d in command.get("deletes", [])}))
    if name == "aggregate":
        stages = command.get("pipeline", [])
        return "|".join(next(iter(s)) + (_keys(s["$match"]) if "$match" in s else "")
                        for s in stages if isinstance(s, dict) and s)
    return ""

if _DIR:
    from pymongo import monitoring

    _counts: Counter = Counter()
    _lock = threading.Lock()

    _micros: Counter = Counter()  # with shapes: the microseconds each waited for its answers
    _names: dict = {}

    class _Counting(monitoring.CommandListener):
        def started(self, event):
            name = event.command_name
            if _DETAIL:
                target = event.command.get(name)
                name = f"{name} {target}" if isinstance(target, str) else name
                if _SHAPE:
                    name = f"{name} {_shape(event.command_name, event.command)}".rstrip()
                if _CALLER:
                    name = f"{name} @{_caller()}{_stream(event.command)}"
            background = _background()
            if background:
                name = f"[{background}] {name}"
            with _lock:
                _counts[name] += 1
                if _SHAPE:
                    _names[(event.connection_id, event.request_id)] = name

        def succeeded(self, event):
            if _SHAPE:
                with _lock:
                    name = _names.pop((event.connection_id, event.request_id), None)
                    if name is not None:
                        _micros[name] += event.duration_micros

        def failed(self, event):
            with _lock:
                _names.pop((event.connection_id, event.request_id), None)

    def _write_forever() -> None:
        path = os.path.join(_DIR, f"{os.getpid()}.json")
        while True:
            with _lock:
                snapshot, waited = dict(_counts), dict(_micros)
            for target, found in ((path, snapshot), (f"{path}.micros", waited)):
                if target != path and not found:
                    continue
                temporary = f"{target}.tmp"
                with open(temporary, "w") as handle:
                    json.dump(found, handle)
                os.replace(temporary, target)
            threading.Event().wait(0.5)

    def _start() -> None:
        threading.Thread(target=_write_forever, name="bench-commands", daemon=True).start()

    def _after_fork() -> None:
        # A gunicorn worker counts its own commands, not its master's.
        _counts.clear()
        _micros.clear()
        _start()

    monitoring.register(_Counting())
    os.register_at_fork(after_in_child=_after_fork)
    _start()
