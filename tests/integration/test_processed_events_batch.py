"""A batch of redelivered and new events on the real database: each effect once."""

from marshmallow import Schema, fields

from common.dispatch import Dispatcher, ProcessedEvents, Registry
from common.envelope import new_event
from common.mongo import database

TOPIC, TYPE = "it.events", "registration.participant.registered"


class Payload(Schema):
    participant_id = fields.String(required=True)


def test_events_handled_by_an_earlier_batch_are_skipped_among_new_ones(settings, unique):
    processed = ProcessedEvents(database(settings("notifications"))["processed_events"])
    effects = []
    registry = Registry()
    registry.on(TOPIC, TYPE, Payload())(lambda event, payload: effects.append(event.id))
    dispatcher = Dispatcher(registry, processed, max_attempts=1)
    events = [new_event(TYPE, f"p-{unique}-{n}", {"participant_id": f"p-{unique}-{n}"},
                        "registration") for n in range(30)]
    first = dispatcher.dispatch_batch([(TOPIC, e.to_bytes()) for e in events[:20]])
    assert {o.action for o in first} == {"handled"}
    # The first batch again (its commit was lost), with ten new events among it.
    again = [events[n] for n in range(0, 30, 2)] + [events[n] for n in range(1, 30, 2)]
    outcomes = dispatcher.dispatch_batch([(TOPIC, e.to_bytes()) for e in again])
    assert [o.action for o in outcomes] == ["duplicate" if events.index(e) < 20 else "handled"
                                            for e in again]
    assert sorted(effects) == sorted(e.id for e in events)
    assert processed.seen_many([e.id for e in events] + ["never"]) == {e.id for e in events}
