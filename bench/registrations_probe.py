"""Notifications consuming officers' registrations alone: what an import of thousands of
officers costs its worker, in database commands (exact) and events per second (noisy).

    GLO_ACT_ENV=development .venv/bin/python -m bench.registrations_probe [events] [--quiet]

Publishes ``events`` (5,000) `registration.participant.registered` events, as an import does,
to a topic of its own (3 partitions), then consumes them with the worker's own consumer loop,
dispatcher and handlers (no sender: what it sends is the pipeline's figure) until the group's
lag is 0. `--quiet`: the events say `acknowledge: false` (an import for the record). Starts the
infrastructure if it is not running (and leaves it running); drops its database after. Prints
JSON: seconds, events/s, commands by kind and per event.
"""

import json
import os
import sys
import threading
import time
import uuid
from collections import Counter

from pymongo import monitoring


class _Counted(monitoring.CommandListener):
    def __init__(self):
        self.counts: Counter = Counter()
        self.lock = threading.Lock()

    def started(self, event):
        if event.command_name not in {"hello", "isMaster", "ismaster", "ping", "endSessions"}:
            with self.lock:
                self.counts[f"{event.command_name} {event.command.get(event.command_name)}"] += 1

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


COUNTED = _Counted()
monitoring.register(COUNTED)  # before any client is made


def main(argv: list[str]) -> int:
    quiet = "--quiet" in argv
    argv = [a for a in argv if not a.startswith("--")]
    count = int(argv[0]) if argv else 5000
    name = f"regprobe{uuid.uuid4().hex[:6]}"
    # Before anything reads them (`common.topics` names the topics once, on import).
    os.environ.update({"STACK_NAME": name, "TOPIC_PREFIX": f"{name}.", "LOG_LEVEL": "WARNING"})
    from devstack import infra
    local = infra.up()
    os.environ.update(local.env())
    # Imported once the environment names this probe's topics and database.
    from bench import fixtures
    from common import config
    from common.backlog import consumer_lag
    from common.consumer_loop import ConsumerLoop
    from common.dispatch import Dispatcher, ProcessedEvents
    from common.envelope import new_event
    from common.mongo import PROCESSED_EVENTS
    from common.runtime import Runtime
    from common.topics import REGISTRATION_EVENTS, catalogue
    from services.notifications.handlers import build_registry
    from services.notifications.indexes import ensure_indexes

    assert REGISTRATION_EVENTS == f"{name}.registration.events"
    infra.ensure_topics(local.kafka_bootstrap, list(catalogue(f"{name}.")))
    settings = config.load("notifications")
    runtime = Runtime(settings, f"{name}.notifications.events", indexes=ensure_indexes)
    runtime.prepare()
    data = {"gender": "female", "agency": "Punjab Police", "preferred_language": "en",
            **({"acknowledge": False} if quiet else {})}
    events = [new_event("registration.participant.registered", participant_id,
                        {"participant_id": participant_id, **data}, "registration")
              for participant_id in (str(uuid.uuid4()) for _ in range(count))]
    assert len(runtime.producer.publish(REGISTRATION_EVENTS, events)) == count
    registry = build_registry(runtime)
    dispatcher = Dispatcher(registry, ProcessedEvents(runtime.db[PROCESSED_EVENTS]))
    loop = ConsumerLoop(settings.kafka_bootstrap, settings.consumer_group, registry.topics,
                        dispatcher, runtime.producer)
    lag = lambda: sum(consumer_lag(local.kafka_bootstrap, settings.consumer_group,  # noqa
                                   [REGISTRATION_EVENTS]).values())
    stop = threading.Event()
    before = Counter(COUNTED.counts)
    began = time.monotonic()
    thread = threading.Thread(target=loop.run, args=(stop,), daemon=True)
    thread.start()
    try:
        while time.monotonic() - began < 600:
            time.sleep(0.5)
            if lag() == 0:
                break
        seconds = time.monotonic() - began
    finally:
        stop.set()
        thread.join(timeout=30)
    spent = COUNTED.counts - before
    total = sum(spent.values())
    result = {"events": count, "acknowledge": not quiet, "lag_left": lag(),
              "seconds": round(seconds, 1), "events_per_s": round(count / seconds, 1),
              "commands": total, "commands_per_event": round(total / count, 3),
              "by_kind": dict(spent.most_common()), "load": os.getloadavg()}
    print(json.dumps(result, indent=1))
    runtime.producer.close()
    fixtures.drop_databases(local.mongo_uri, name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
