import json

import pytest
from marshmallow import ValidationError

from common.envelope import Event, new_event


def test_event_survives_a_round_trip_through_bytes():
    event = new_event("registration.participant.registered", "p-1", {"agency": "FIA"},
                      "registration", correlationid="req-42")
    loaded = Event.from_bytes(event.to_bytes())
    assert loaded == event
    assert json.loads(event.to_bytes())["specversion"] == "1.0"


def test_caused_event_keeps_correlation_and_names_its_cause():
    cause = new_event("sessions.session.scheduled", "s-1", {}, "sessions", correlationid="c-9")
    effect = cause.caused("registration.enrollment.confirmed", "e-1", {}, "registration")
    assert effect.correlationid == "c-9"
    assert effect.causationid == cause.id
    assert effect.id != cause.id


def test_new_event_without_correlation_starts_one():
    assert new_event("sessions.session.scheduled", "s-1", {}, "sessions").correlationid


@pytest.mark.parametrize("change, field", [
    ({"type": "Registered"}, "type"),
    ({"type": "sessions.session.scheduled\n"}, "type"),  # `$` alone lets a newline through
    ({"specversion": "0.3"}, "specversion"),
    ({"time": "2021-03-25T09:00:00"}, "time"),
    ({"surprise": 1}, "surprise"),
])
def test_malformed_envelope_is_rejected_naming_the_attribute(change, field):
    raw = new_event("sessions.session.scheduled", "s-1", {}, "sessions").to_dict()
    raw.update(change)
    with pytest.raises(ValidationError) as caught:
        Event.from_dict(raw)
    assert field in caught.value.messages


def test_missing_correlation_id_is_rejected():
    raw = new_event("sessions.session.scheduled", "s-1", {}, "sessions").to_dict()
    del raw["correlationid"]
    with pytest.raises(ValidationError) as caught:
        Event.from_dict(raw)
    assert "correlationid" in caught.value.messages


def test_bytes_that_are_not_json_are_a_validation_error():
    with pytest.raises(ValidationError):
        Event.from_bytes(b"\xff not json")
    with pytest.raises(ValidationError):
        Event.from_bytes(b"[1, 2]")


def test_versioned_type_is_accepted():
    raw = new_event("registration.enrollment.confirmed.v2", "e-1", {}, "registration").to_dict()
    assert Event.from_dict(raw).type.endswith(".v2")


def _schema_reading(raw):
    """What the marshmallow schema alone makes of ``raw``: the event, or the refused names."""
    from common.envelope import EnvelopeSchema
    try:
        return Event(**EnvelopeSchema().load(raw))
    except ValidationError as exc:
        return sorted(exc.messages) if isinstance(exc.messages, dict) else exc.messages


def _reading(raw):
    try:
        return Event.from_dict(raw)
    except ValidationError as exc:
        return sorted(exc.messages) if isinstance(exc.messages, dict) else exc.messages


VALID = new_event("sessions.session.scheduled", "s-1", {"capacity": 3, "nested": {"a": [1]}},
                  "sessions", correlationid="c-1", causationid="e-0").to_dict()


@pytest.mark.parametrize("change", [
    {}, {"causationid": None}, {"datacontenttype": "text/plain"}, {"time": "2021-03-25T09:00Z"},
    {"time": "2021-03-25T09:00:00.123456+05:00"}, {"time": "2021-03-25T09:00:00"},
    {"time": "25 March 2021"}, {"time": 1616662800}, {"time": None}, {"id": ""}, {"id": "x" * 64},
    {"id": "x" * 65}, {"subject": "s" * 128}, {"subject": "s" * 129}, {"source": 7},
    {"correlationid": None}, {"correlationid": "c" * 129}, {"specversion": "1.0 "},
    {"specversion": 1.0}, {"type": "a.b.c.v1"}, {"type": "a.b.c.v2"}, {"type": ["a.b.c"]},
    {"data": []}, {"data": None}, {"data": "x"}, {"datacontenttype": None},
    {"causationid": 5}, {"extra": 1}, {"type": "Sessions.session.scheduled"},
])
def test_the_quick_reading_of_an_envelope_agrees_with_the_schema(change):
    raw = {**VALID, **change}
    assert _reading(raw) == _schema_reading(raw)


@pytest.mark.parametrize("missing", sorted(VALID))
def test_an_envelope_missing_an_attribute_is_read_as_the_schema_reads_it(missing):
    raw = {k: v for k, v in VALID.items() if k != missing}
    assert _reading(raw) == _schema_reading(raw)


def test_an_event_is_written_exactly_as_the_schema_writes_it():
    from common.envelope import EnvelopeSchema
    for event in (Event.from_dict(VALID), new_event("a.b.c", "s", {}, "x")):
        assert event.to_dict() == EnvelopeSchema().dump(event)
        assert list(event.to_dict()) == list(EnvelopeSchema().dump(event))
