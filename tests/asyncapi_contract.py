"""Events checked against docs/asyncapi.json with a standard JSON Schema (draft-07) validator."""

import json
from pathlib import Path

from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT_URI = "urn:glo-act:asyncapi"


class Catalogue:
    """The committed AsyncAPI document, with one draft-07 validator per event type."""

    def __init__(self, document: dict | None = None):
        self.document = document or json.loads((ROOT / "docs" / "asyncapi.json").read_text())
        # The whole document is one resource, so `#/components/...` resolves inside it.
        resource = Resource.from_contents(self.document, default_specification=DRAFT7)
        registry = Registry().with_resource(DOCUMENT_URI, resource)
        self.validators = {
            message["name"]: Draft7Validator(
                {"$ref": f"{DOCUMENT_URI}#/components/messages/{key}/payload"},
                registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER)
            for key, message in self.document["components"]["messages"].items()}

    def problems(self, event: dict) -> list[str]:
        """What is wrong with one event (its envelope as JSON), or [] when it validates."""
        validator = self.validators.get(event.get("type"))
        if validator is None:
            return [f"type {event.get('type')!r} is not in the catalogue"]
        return [f"{'/'.join(map(str, error.absolute_path)) or '(envelope)'}: {error.message}"
                for error in validator.iter_errors(event)]
