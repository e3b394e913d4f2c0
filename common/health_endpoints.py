"""Liveness and readiness: MongoDB answers ping, Kafka answers a metadata request.

A background thread per process checks both every second and keeps the last known state; a
readiness request reads that state and never waits on the broker or the database (a probe with a
1 s timeout gets its answer during an outage). The start of an outage is logged once as a warning
and its end once.
"""

import logging
import os
import threading
import time
from collections.abc import Callable

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from kafka.admin import KafkaAdminClient

from common.mongo import client

log = logging.getLogger(__name__)
blp = Blueprint("health", __name__, url_prefix="/health", description="Liveness and readiness")

INTERVAL_S = 1.0
FIRST_CHECK_WAIT_S = 0.5  # a request before the first check waits at most this long
SLOW_S = 2.5  # a check still running after this long counts as no answer


def mongo_ready(uri: str) -> str | None:
    """None when MongoDB answers ping, else the reason."""
    try:
        client(uri).admin.command("ping")
        return None
    except Exception as exc:
        return f"MongoDB unavailable: {type(exc).__name__}"


class KafkaCheck:
    """A metadata request through one kept admin client, made again after a failure."""

    def __init__(self, bootstrap: str):
        self.bootstrap = bootstrap
        self._admin: KafkaAdminClient | None = None

    def __call__(self) -> str | None:
        try:
            if self._admin is None:
                self._admin = KafkaAdminClient(bootstrap_servers=self.bootstrap,
                                               client_id="readiness", bootstrap_timeout_ms=2000,
                                               request_timeout_ms=2000)
            self._admin.describe_cluster()
            return None
        except Exception as exc:
            admin, self._admin = self._admin, None
            if admin is not None:
                try:
                    admin.close()
                except Exception:  # noqa: S110 - a broken client is dropped either way
                    pass
            return f"Kafka unavailable: {type(exc).__name__}"


_UNKNOWN = "not checked yet"


class Readiness:
    """The last known state of each dependency, kept by a background thread per dependency
    (a database that takes 3 s to time out does not delay noticing the broker)."""

    def __init__(self, checks: dict[str, Callable[[], str | None]],
                 interval_s: float = INTERVAL_S, clock: Callable[[], float] = time.monotonic):
        self.checks, self.interval_s, self.clock = checks, interval_s, clock
        self._reasons: dict[str, str | None] = {}
        self._running_since: dict[str, float] = {}
        self._lock = threading.Lock()
        self._checked = threading.Condition(self._lock)

    def start(self) -> "Readiness":
        for name in self.checks:
            threading.Thread(target=self._run, args=(name,), name=f"readiness-{name}",
                             daemon=True).start()
        return self

    def _run(self, name: str) -> None:
        while True:
            self.check_once(name)
            time.sleep(self.interval_s)

    def check_once(self, name: str) -> None:
        with self._lock:
            self._running_since[name] = self.clock()
        try:
            reason = self.checks[name]()
        except Exception as exc:  # a check must not end its thread
            reason = f"{name} check failed: {type(exc).__name__}"
        with self._lock:
            del self._running_since[name]
            self._record(name, reason)
            self._checked.notify_all()

    def _record(self, name: str, reason: str | None) -> None:
        before = self._reasons.get(name, _UNKNOWN)
        self._reasons[name] = reason
        if reason and (before is _UNKNOWN or not before):
            log.warning("dependency unavailable", extra={"dependency": name, "reason": reason,
                                                         "pid": os.getpid()})
        elif not reason and before and before is not _UNKNOWN:
            log.info("dependency available again", extra={"dependency": name,
                                                          "pid": os.getpid()})

    def reasons(self, wait_s: float = FIRST_CHECK_WAIT_S) -> list[str]:
        """Why the service is not ready, from the last known state; [] when ready."""
        with self._lock:
            # Only before the first check of each: wait for it, briefly.
            self._checked.wait_for(lambda: len(self._reasons) == len(self.checks), wait_s)
            now = self.clock()
            reasons = [self._reasons.get(name, f"{name}: {_UNKNOWN}") for name in self.checks]
            reasons = [r for r in reasons if r]
            for name, since in self._running_since.items():
                if now - since > SLOW_S and not self._reasons.get(name):
                    reasons.append(f"{name} not answering for {now - since:.0f}s")
        return reasons


_lock = threading.Lock()
_readiness: dict[tuple[int, str, str], Readiness] = {}


def readiness(mongo_uri: str, kafka_bootstrap: str) -> Readiness:
    """This process's readiness monitor (started after a fork, like the database client)."""
    key = (os.getpid(), mongo_uri, kafka_bootstrap)
    with _lock:
        if key not in _readiness:
            _readiness[key] = Readiness({"mongodb": lambda: mongo_ready(mongo_uri),
                                         "kafka": KafkaCheck(kafka_bootstrap)}).start()
        return _readiness[key]


@blp.record_once
def _start_checking(state) -> None:
    """Check from the start, so the first probe (perhaps during an outage) finds a state."""
    settings = state.app.config["SETTINGS"]
    readiness(settings.mongo_uri, settings.kafka_bootstrap)


@blp.route("/live")
class Live(MethodView):
    @blp.doc(security=[])
    def get(self):
        """The process is up."""
        return {"status": "ok"}


@blp.route("/ready")
class Ready(MethodView):
    @blp.doc(security=[])
    def get(self):
        """MongoDB and Kafka both answered the last check (made every second in the
        background); 503 with the reasons otherwise. Answers at once, never waits on either."""
        settings = current_app.config["SETTINGS"]
        reasons = readiness(settings.mongo_uri, settings.kafka_bootstrap).reasons()
        if reasons:
            return {"status": "unavailable", "reasons": reasons}, 503
        return {"status": "ok"}
