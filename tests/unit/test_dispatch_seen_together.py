"""A batch's processed events are asked about together, before its handlers run."""

from marshmallow import Schema, fields

from common.dispatch import Dispatcher, Registry
from common.envelope import new_event

TOPIC, TYPE = "registration.events", "registration.participant.registered"


class Payload(Schema):
    participant_id = fields.String(required=True)


class Recorded:
    """Processed events that answer a batch's question in one call and count the calls."""

    def __init__(self, ids=()):
        self.ids, self.asked, self.one_by_one = set(ids), [], 0

    def seen(self, event_id):
        self.one_by_one += 1
        return event_id in self.ids

    def seen_many(self, event_ids):
        self.asked.append(list(event_ids))
        return {i for i in event_ids if i in self.ids}

    def record_many(self, events):
        self.ids.update(e.id for e in events)


def _event(n):
    return new_event(TYPE, f"p-{n}", {"participant_id": f"p-{n}"}, "registration")


def test_a_batch_skips_what_was_handled_before_and_asks_once_for_all():
    events = [_event(n) for n in range(5)]
    processed = Recorded(ids={events[1].id, events[3].id})
    registry, handled = Registry(), []
    registry.on(TOPIC, TYPE, Payload())(lambda event, payload: handled.append(payload))
    dispatcher = Dispatcher(registry, processed, max_attempts=2)
    outcomes = dispatcher.dispatch_batch([(TOPIC, e.to_bytes()) for e in events]
                                         + [(TOPIC, events[0].to_bytes())])
    assert [o.action for o in outcomes] == ["handled", "duplicate", "handled", "duplicate",
                                            "handled", "duplicate"]
    assert handled == [{"participant_id": f"p-{n}"} for n in (0, 2, 4)]
    assert processed.asked == [[e.id for e in events] + [events[0].id]]
    assert processed.one_by_one == 0


def test_a_retried_handler_asks_again_whether_its_event_was_handled_meanwhile():
    event = _event(7)
    processed = Recorded()
    registry, tries = Registry(), []

    def flaky(ev, payload):
        tries.append(1)
        if len(tries) == 1:
            processed.ids.add(ev.id)  # another worker handled it while this one failed
            raise RuntimeError("boom")

    registry.on(TOPIC, TYPE, Payload())(flaky)
    dispatcher = Dispatcher(registry, processed, max_attempts=3, sleep=lambda s: None)
    [outcome] = dispatcher.dispatch_batch([(TOPIC, event.to_bytes()), (TOPIC, b"not json")])[:1]
    assert outcome.action == "duplicate"
    assert len(tries) == 1
