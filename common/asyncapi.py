"""The event catalogue as an AsyncAPI 2.6 document, generated from the marshmallow schemas.

AsyncAPI 2.x schemas are JSON Schema (draft-07), not OpenAPI 3.0: a nullable field is
`type: [..., "null"]` (or `anyOf` with `{"type": "null"}`), never `nullable: true`, which a standard
validator ignores and so refuses every null. apispec writes that form for OpenAPI 3.1, whose schema
dialect agrees with draft-07 on it, so the schemas are generated as for 3.1.

Each service lists what it publishes in `services/<name>/events.py` as `PUBLISHED`
(event type -> payload schema class) and hands it in: its app to `create_base_app` (it serves
its own part at `/asyncapi.json`), and as an entry point of the `glo_act.published_events` group
in pyproject.toml, which `python -m common.asyncapi > docs/asyncapi.json` reads for the whole
catalogue. This module names no service.
"""

import json
import sys
from importlib.metadata import entry_points

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from common.envelope import CONTENT_TYPE, EnvelopeSchema
from common.topics import PARTITIONS, dlq

JSON_SCHEMA_DIALECT = "3.1.0"  # apispec: nullable as `type: [.., "null"]`, as draft-07 reads it
SERVERS = {
    "local": {"url": "127.0.0.1:9092", "protocol": "kafka", "protocolVersion": "4.1",
              "description": "`make run`'s broker (KAFKA_PORT moves it; TOPIC_PREFIX, when set, "
                             "prefixes every channel name)"},
    "compose": {"url": "kafka:9092", "protocol": "kafka", "protocolVersion": "4.1",
                "description": "the broker of `docker compose up`, inside its network"},
}
CONTACT = {"name": "GLO.ACT platform team"}
LICENSE = {"name": "Proprietary: no licence is granted; ask the programme before reuse"}

ENTRY_POINTS = "glo_act.published_events"


def topic(service: str) -> str:
    """The topic a service publishes to, unprefixed (see `common.topics`)."""
    return f"{service}.events"


def catalogue() -> dict[str, dict]:
    """Service -> its published events (event type -> payload schema class), as each offers
    them through the `glo_act.published_events` entry points."""
    offered = {point.name: point.load() for point in entry_points(group=ENTRY_POINTS)}
    if not offered:
        raise RuntimeError(f"no {ENTRY_POINTS} entry points: the package metadata is stale; "
                           "run `make venv` (pip install -e .)")
    return offered


def _message_name(event_type: str) -> str:
    return "".join(part.title() for part in event_type.replace("_", ".").split("."))


def document(published: dict[str, dict]) -> dict:
    """AsyncAPI for the topics of the services in ``published`` (service -> its events)."""
    spec = APISpec("GLO.ACT programme platform events", "1.0.0", JSON_SCHEMA_DIALECT,
                   plugins=[MarshmallowPlugin()])
    spec.components.schema("Envelope", schema=EnvelopeSchema)
    channels, messages = {}, {}
    for service, events in published.items():
        channel, refs = topic(service), []
        for event_type, schema in events.items():
            name, data = _message_name(event_type), schema.__name__
            if data not in spec.components.schemas:
                spec.components.schema(data, schema=schema)
            messages[name] = {
                "messageId": event_type, "name": event_type, "title": event_type,
                "contentType": CONTENT_TYPE,
                "summary": (schema.__doc__ or "").strip().splitlines()[0] if schema.__doc__
                else event_type,
                "bindings": {"kafka": {"key": {"type": "string",
                                               "description": "the event's subject"}}},
                "payload": {"allOf": [
                    {"$ref": "#/components/schemas/Envelope"},
                    {"type": "object", "properties": {
                        "type": {"type": "string", "enum": [event_type]},
                        "data": {"$ref": f"#/components/schemas/{data}"}}}]},
            }
            refs.append({"$ref": f"#/components/messages/{name}"})
        channels[channel] = {
            "description": f"Events published by {service}; key = subject, so one aggregate's "
                           "events keep their order.",
            "bindings": {"kafka": {"partitions": PARTITIONS}},
            "subscribe": {"operationId": f"consume_{service}_events",
                          "message": {"oneOf": refs}},
        }
        channels[dlq(channel)] = {
            "description": f"Dead letters of {channel}: the original message, plus headers "
                           "dlq-consumer-group, dlq-error, dlq-attempts, dlq-original-topic, "
                           "dlq-original-partition, dlq-original-offset.",
            "bindings": {"kafka": {"partitions": PARTITIONS}},
            "subscribe": {"operationId": f"consume_{service}_dead_letters",
                          "message": {"oneOf": refs}},
        }
    return {"asyncapi": "2.6.0",
            "info": {"title": "GLO.ACT programme platform events", "version": "1.0.0",
                     "description": "CloudEvents 1.0 in structured JSON mode over Kafka. "
                                    "See docs/events.md for who consumes what.",
                     "contact": CONTACT, "license": LICENSE},
            "servers": SERVERS,
            "defaultContentType": CONTENT_TYPE,
            "channels": channels,
            "components": {"schemas": spec.to_dict()["components"]["schemas"],
                           "messages": messages}}


def main() -> int:
    json.dump(document(catalogue()), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
