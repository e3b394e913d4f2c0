"""The AsyncAPI catalogue is generated from the schemas and agrees with docs/events.md."""

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from marshmallow import Schema, fields

from common import asyncapi
from common.envelope import Event
from tests.asyncapi_contract import Catalogue

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("registration", "sessions", "notifications")


def published(service: str) -> dict:
    return asyncapi.catalogue()[service]


def _whole() -> dict:
    """The whole catalogue's document, as `python -m common.asyncapi` writes it."""
    return asyncapi.document(asyncapi.catalogue())


def _types_in_the_prose_catalogue() -> set[str]:
    text = (ROOT / "docs" / "events.md").read_text()
    return set(re.findall(r"^\| `([a-z]+\.[a-z_]+\.[a-z_]+)` \|", text, flags=re.MULTILINE))


def test_committed_asyncapi_document_is_up_to_date():
    committed = json.loads((ROOT / "docs" / "asyncapi.json").read_text())
    assert committed == json.loads(json.dumps(_whole())), (
        "docs/asyncapi.json is stale: run `.venv/bin/python -m common.asyncapi > "
        "docs/asyncapi.json`")


@pytest.mark.parametrize("service", list(SERVICES))
def test_each_service_declares_only_its_own_event_types(service):
    types = published(service)
    assert types, f"services/{service}/events.py declares no PUBLISHED events"
    assert all(t.startswith(f"{service}.") for t in types)


def test_each_service_offers_the_events_its_events_module_publishes():
    from services.notifications import events as notifications
    from services.registration import events as registration
    from services.sessions import events as sessions

    assert asyncapi.catalogue() == {"registration": registration.PUBLISHED,
                           "sessions": sessions.PUBLISHED,
                           "notifications": notifications.PUBLISHED}


class _ThingMade(Schema):
    """A thing was made."""

    thing_id = fields.String(required=True)


def test_the_document_describes_whatever_catalogue_it_is_given():
    made = asyncapi.document({"workshop": {"workshop.thing.made": _ThingMade}})
    assert set(made["channels"]) == {"workshop.events", "workshop.events.dlq"}
    assert made["components"]["messages"]["WorkshopThingMade"]["summary"] == "A thing was made."
    assert "_ThingMade" in made["components"]["schemas"]


def test_every_event_type_in_docs_events_md_is_in_the_asyncapi_document():
    names = {m["name"] for m in _whole()["components"]["messages"].values()}
    assert _types_in_the_prose_catalogue() == names


def test_each_topic_and_its_dead_letters_are_channels():
    channels = _whole()["channels"]
    for service in SERVICES:
        assert channels[asyncapi.topic(service)]["bindings"]["kafka"]["partitions"] == 3
        assert f"{asyncapi.topic(service)}.dlq" in channels


def test_every_reference_in_the_document_resolves():
    catalogue = _whole()

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    for ref in refs(catalogue):
        target = catalogue
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        assert isinstance(target, dict), ref


def _keys(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from _keys(value)


def test_document_uses_json_schema_not_openapi_nullable():
    assert "nullable" not in set(_keys(_whole())), (
        "`nullable` is OpenAPI 3.0's; AsyncAPI 2.x schemas are JSON Schema: type [.., 'null']")


def test_each_message_has_its_own_message_id():
    messages = _whole()["components"]["messages"]
    ids = [message.get("messageId") for message in messages.values()]
    assert None not in ids
    assert len(set(ids)) == len(ids) == len(messages)


def test_document_names_its_servers_contact_and_license():
    catalogue = _whole()
    assert {s["protocol"] for s in catalogue["servers"].values()} == {"kafka"}
    assert catalogue["info"]["contact"]["name"]
    assert catalogue["info"]["license"]["name"]


def _event(service: str, event_type: str, data: dict, causationid: str | None = None) -> dict:
    schema = published(service)[event_type]
    return Event(event_type, "subject-1", schema().dump(data), service, "corr-1",
                 causationid).to_dict()


def test_events_with_null_fields_validate_under_a_draft7_validator():
    starts = datetime(2021, 3, 25, 4, 0, tzinfo=UTC)
    events = [
        _event("registration", "registration.enrollment.waitlisted", {
            "enrollment_id": "e1", "participant_id": "p1", "session_id": "s1",
            "series_id": None, "sequence": 3, "position": 1}),
        _event("sessions", "sessions.session.scheduled", {
            "session_id": "s1", "series_id": None, "position": None, "planned_sessions": None,
            "kind": "coaching_session", "title": "Coaching 1 of 3", "starts_at": starts,
            "ends_at": starts + timedelta(hours=32), "timezone": "Asia/Karachi",
            "capacity": 24, "venue": None, "city": "Islamabad", "country": "Pakistan",
            "languages": ["en"]}, causationid="cause-1"),
        _event("notifications", "notifications.notification.failed", {
            "notification_id": "n1", "recipient_id": "p1", "kind": "session_reminder_7d",
            "channel": "email", "cause_event_id": "e1", "session_id": None, "reason": None,
            "attempts": 6}),
    ]
    catalogue = Catalogue(json.loads(json.dumps(_whole())))
    assert {e["type"]: catalogue.problems(e) for e in events} == {e["type"]: [] for e in events}


def test_a_draft7_validator_still_refuses_what_the_schemas_refuse():
    catalogue = Catalogue(json.loads(json.dumps(_whole())))
    wrong = _event("registration", "registration.participant.erased", {"participant_id": "p1"})
    wrong["data"]["name"] = "Sana"  # contact details never travel in the clear
    assert catalogue.problems(wrong)
    missing = _event("registration", "registration.participant.erased", {"participant_id": "p"})
    del missing["data"]["participant_id"]
    assert catalogue.problems(missing)
    assert catalogue.problems({**missing, "type": "registration.participant.renamed"})
