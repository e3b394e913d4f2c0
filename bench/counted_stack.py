"""A stack of the services started for measuring, every process's database commands counted.

The bench (`bench.run`) and its probes each started one the same way, six copies: the local
infrastructure up, a stack name of its own (its databases and topics apart from any other on the
shared broker), a folder for the counted commands (pymongo command monitoring, see
bench/monitoring), the topics, the APIs and workers on free ports (never the default ones another
stack may hold), ready. One way now, and one clean stop whatever happened:

    with CountedStack("probe", "probe", env={"BENCH_COMMANDS_DETAIL": "1"}) as started:
        ... started.stack.urls, started.counted, started.local, started.name ...
"""

import uuid

from bench import commands, fixtures, scale
from common.topics import catalogue
from devstack import infra, services


def _said(message: str) -> None:
    print(f"==> {message}", flush=True)


class CountedStack:
    """Started when made; ready on entering ``with`` (or ``ready()``); stopped on leaving it
    (or ``stop()``, for a caller with more to do once the stack stopped): the extra workers,
    the stack, its databases (``drop``), the infrastructure this one started (``infra_down``),
    each step whatever the one before did (a step that failed once left the whole stack
    running and 1.3 GB of databases behind, which made a later `make test` crawl); a failed
    step is told to ``say``.

    ``prefix`` starts the stack's name (a random tail follows); ``folder`` names
    ``<state>/<folder>-commands`` (the counts) and ``<state>/<folder>-logs``; ``env`` is added
    to the services' environment (LOG_LEVEL is WARNING unless it says otherwise);
    ``pythonpath`` follows the monitor on the services' PYTHONPATH; ``extra_workers`` makes
    ``extra``: more notifications workers that ask this stack's APIs for contact details.
    """

    def __init__(self, prefix: str, folder: str, *, env: dict | None = None,
                 api_workers: int = 2, pythonpath: str = "", extra_workers: bool = False,
                 drop: bool = True, infra_down: bool = False, say=_said):
        self.drop, self.infra_down, self.say = drop, infra_down, say
        self.local = infra.up()
        self.name = f"{prefix}{uuid.uuid4().hex[:6]}"
        self.counted = infra.state_dir() / f"{folder}-commands"
        self.env = {**self.local.env(), "STACK_NAME": self.name,
                    "TOPIC_PREFIX": f"{self.name}.", "LOG_LEVEL": "WARNING", **(env or {}),
                    **commands.env(self.counted, pythonpath)}
        infra.ensure_topics(self.local.kafka_bootstrap, list(catalogue(f"{self.name}.")))
        self.log_dir = infra.state_dir() / f"{folder}-logs"
        self.stack = services.start(
            self.env, {s: fixtures.free_port() for s in services.SERVICES}, self.log_dir,
            api_workers=api_workers)
        self.extra = scale.ExtraWorkers(
            {**self.env, "REGISTRATION_URL": self.stack.urls["registration"],
             "SESSIONS_URL": self.stack.urls["sessions"]}, self.log_dir) \
            if extra_workers else None

    def ready(self) -> None:
        """Every API answers; raises naming the laggard (the caller stops the stack)."""
        services.wait_ready(self.stack, timeout_s=90)

    def __enter__(self) -> "CountedStack":
        try:
            self.ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        steps = [lambda: services.stop(self.stack)]
        if self.extra is not None:
            steps.insert(0, self.extra.stop)
        if self.drop:
            steps.append(lambda: fixtures.drop_databases(self.local.mongo_uri, self.name))
        if self.infra_down:
            steps.append(lambda: infra.down(self.local.started))
        for step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - said, and the next step still runs
                self.say(f"clean-up step failed: {exc!r}")
