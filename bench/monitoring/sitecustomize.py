"""Bench only: count every MongoDB command this process sends (pymongo command monitoring).

`make bench` puts this directory first on the services' PYTHONPATH and sets
BENCH_COMMANDS_DIR; Python imports `sitecustomize` at start-up, so every MongoClient the
process creates reports to the listener below, without a line changed in services/. Each
process writes its running totals to BENCH_COMMANDS_DIR/<pid>.json twice a second.
"""

import json
import os
import threading
from collections import Counter

_DIR = os.environ.get("BENCH_COMMANDS_DIR")
# With BENCH_COMMANDS_DETAIL=1 each count is kept per command and collection ("find recipients").
_DETAIL = os.environ.get("BENCH_COMMANDS_DETAIL") == "1"

if _DIR:
    from pymongo import monitoring

    _counts: Counter = Counter()
    _lock = threading.Lock()

    class _Counting(monitoring.CommandListener):
        def started(self, event):
            name = event.command_name
            if _DETAIL:
                target = event.command.get(name)
                name = f"{name} {target}" if isinstance(target, str) else name
            with _lock:
                _counts[name] += 1

        def succeeded(self, event):
            pass

        def failed(self, event):
            pass

    def _write_forever() -> None:
        path = os.path.join(_DIR, f"{os.getpid()}.json")
        while True:
            with _lock:
                snapshot = dict(_counts)
            temporary = f"{path}.tmp"
            with open(temporary, "w") as handle:
                json.dump(snapshot, handle)
            os.replace(temporary, path)
            threading.Event().wait(0.5)

    def _start() -> None:
        threading.Thread(target=_write_forever, name="bench-commands", daemon=True).start()

    def _after_fork() -> None:
        # A gunicorn worker counts its own commands, not its master's.
        _counts.clear()
        _start()

    monitoring.register(_Counting())
    os.register_at_fork(after_in_child=_after_fork)
    _start()
