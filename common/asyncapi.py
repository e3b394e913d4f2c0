"""The event catalogue as an AsyncAPI 2.6 document, generated from the marshmallow schemas.

AsyncAPI 2.x schemas are JSON Schema (draft-07), not OpenAPI 3.0: a nullable field is
`type: [..., "null"]` (or `anyOf` with `{"type": "null"}`), never `nullable: true`, which a standard
validator ignores and so refuses every null. apispec writes that form for OpenAPI 3.1, whose schema
dialect agrees with draft-07 on it, so the schemas are generated as for 3.1.

Each service lists what it publishes in `services/<name>/events.py` as `PUBLISHED`
(event type -> payload schema class). `python -m common.asyncapi > docs/asyncapi.json` writes the
whole catalogue; each service serves its own part at `/asyncapi.json`.
"""

import importlib
import json
import sys

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

SERVICES = {"registration": "registration.events", "sessions": "sessions.events",
            "notifications": "notifications.events"}


def published(service: str) -> dict:
    """Event type -> payload schema class, as the service declares it."""
    return getattr(importlib.import_module(f"services.{service}.events"), "PUBLISHED", {})


def _message_name(event_type: str) -> str:
    return "".join(part.title() for part in event_type.replace("_", ".").split("."))


def document(services: tuple[str, ...] = tuple(SERVICES)) -> dict:
    """AsyncAPI for the topics ``services`` publish to."""
    spec = APISpec("GLO.ACT programme platform events", "1.0.0", JSON_SCHEMA_DIALECT,
                   plugins=[MarshmallowPlugin()])
    spec.components.schema("Envelope", schema=EnvelopeSchema)
    channels, messages = {}, {}
    for service in services:
        topic, refs = SERVICES[service], []
        for event_type, schema in published(service).items():
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
        channels[topic] = {
            "description": f"Events published by {service}; key = subject, so one aggregate's "
                           "events keep their order.",
            "bindings": {"kafka": {"partitions": PARTITIONS}},
            "subscribe": {"operationId": f"consume_{service}_events",
                          "message": {"oneOf": refs}},
        }
        channels[dlq(topic)] = {
            "description": f"Dead letters of {topic}: the original message, plus headers "
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
    json.dump(document(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
