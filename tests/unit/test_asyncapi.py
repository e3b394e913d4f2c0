"""The AsyncAPI catalogue is generated from the schemas and agrees with docs/events.md."""

import json
import re
from pathlib import Path

import pytest

from common.asyncapi import SERVICES, document, published

ROOT = Path(__file__).resolve().parents[2]


def _types_in_the_prose_catalogue() -> set[str]:
    text = (ROOT / "docs" / "events.md").read_text()
    return set(re.findall(r"^\| `([a-z]+\.[a-z_]+\.[a-z_]+)` \|", text, flags=re.MULTILINE))


def test_committed_asyncapi_document_is_up_to_date():
    committed = json.loads((ROOT / "docs" / "asyncapi.json").read_text())
    assert committed == json.loads(json.dumps(document())), (
        "docs/asyncapi.json is stale: run `.venv/bin/python -m common.asyncapi > "
        "docs/asyncapi.json`")


@pytest.mark.parametrize("service", list(SERVICES))
def test_each_service_declares_only_its_own_event_types(service):
    types = published(service)
    assert types, f"services/{service}/events.py declares no PUBLISHED events"
    assert all(t.startswith(f"{service}.") for t in types)


def test_every_event_type_in_docs_events_md_is_in_the_asyncapi_document():
    names = {m["name"] for m in document()["components"]["messages"].values()}
    assert _types_in_the_prose_catalogue() == names


def test_each_topic_and_its_dead_letters_are_channels():
    channels = document()["channels"]
    for topic in SERVICES.values():
        assert channels[topic]["bindings"]["kafka"]["partitions"] == 3
        assert f"{topic}.dlq" in channels


def test_every_reference_in_the_document_resolves():
    catalogue = document()

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
