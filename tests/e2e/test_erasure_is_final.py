"""After an officer's erasure her name, email and phone are nowhere: not in any topic read from
the beginning, not in any database, not even sealed under any key the deployment holds."""

import base64
import hashlib
import random
import re
import time
import uuid

import requests
from cryptography.fernet import Fernet, InvalidToken
from kafka import KafkaConsumer, TopicPartition

from common import config
from common.mongo import client
from common.topics import catalogue
from tests.conftest import wait_for

FIA = "Federal Investigation Agency"
FERNET_TOKEN = re.compile(rb"gAAAAA[A-Za-z0-9_=-]{40,}")


def _call(stack, service, method, path, headers, **kwargs):
    response = requests.request(method, f"{stack.urls[service]}{path}", headers=headers,
                                timeout=10, **kwargs)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _every_topic(bootstrap: str, prefix: str) -> list[bytes]:
    """Every record of every topic of the stack (and its dead letters), from the beginning."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             group_id=None, consumer_timeout_ms=3000)
    try:
        parts = [TopicPartition(t, p) for t in catalogue(prefix)
                 for p in consumer.partitions_for_topic(t) or ()]
        consumer.assign(parts)
        consumer.seek_to_beginning()
        ends = consumer.end_offsets(parts)
        values = []
        for record in consumer:
            values.append(record.value or b"")
            values.extend(v or b"" for _, v in record.headers or ())
            if all(consumer.position(p) >= ends[p] for p in parts):
                break
        return values
    finally:
        consumer.close()


def _every_database(mongo_uri: str, stack_name: str) -> list[bytes]:
    mongo = client(mongo_uri)
    return [str(doc).encode() for name in mongo.list_database_names()
            if name.startswith(f"{stack_name}_")
            for collection in mongo[name].list_collection_names()
            for doc in mongo[name][collection].find({})]


def _keys_of_the_deployment() -> list[Fernet]:
    """A Fernet key derived (as the platform ever derived one) from every configured secret."""
    secrets = {config.secret(name) for name in config.DEVELOPMENT_SECRETS
               if _configured(name)}
    return [Fernet(base64.urlsafe_b64encode(hashlib.sha256(s.encode()).digest()))
            for s in secrets]


def _configured(name: str) -> bool:
    try:
        config.secret(name)
        return True
    except (KeyError, config.ConfigurationError):
        return False


def _opened(blobs: list[bytes], keys: list[Fernet]) -> list[bytes]:
    """Every blob, and whatever sealed token inside it any key opens."""
    opened = list(blobs)
    for blob in blobs:
        for token in FERNET_TOKEN.findall(blob):
            for key in keys:
                try:
                    opened.append(key.decrypt(token))
                except InvalidToken:
                    pass
    return opened


def test_her_data_is_in_no_topic_and_no_database_under_any_key(stack, tokens, kafka_bootstrap,
                                                                mongo_uri):
    coordinator, service = tokens("coordinator"), tokens("service")
    tag = uuid.uuid4().hex[:8]
    personal = {"given_name": f"Farzana{tag}", "family_name": f"Achakzai{tag}",
                "email": f"farzana.{tag}@example.org",
                "phone": "+92333" + "".join(random.choices("0123456789", k=7))}  # noqa: S311
    new_phone = "+92344" + "".join(random.choices("0123456789", k=7))  # noqa: S311
    officer = _call(stack, "registration", "POST", "/participants", coordinator, json={
        **personal, "gender": "female", "agency": FIA, "preferred_language": "en",
        "consent": {"policy_version": "2021-01", "given_at": "2021-03-01T09:00:00Z"}})
    _call(stack, "registration", "PATCH", f"/participants/{officer['id']}", coordinator,
          json={"phone": new_phone})
    # Her acknowledgement was sent: notifications held her contact details.
    wait_for(lambda: any(n["status"] == "sent" for n in _call(
        stack, "notifications", "GET", f"/notifications?recipient_id={officer['id']}",
        service)), timeout_s=60)

    _call(stack, "registration", "POST", f"/participants/{officer['id']}/erasure", coordinator)
    wait_for(lambda: _call(stack, "notifications", "GET", f"/recipients/{officer['id']}",
                           coordinator).get("erased"), timeout_s=60)

    prefix, stack_name = stack.topic_prefix, stack.topic_prefix.rstrip(".")
    keys = _keys_of_the_deployment()
    assert keys, "the deployment's secrets were not found"
    values = [v.encode() for v in (*personal.values(), new_phone)]

    def found_somewhere() -> list[bytes]:
        everything = _opened(_every_topic(kafka_bootstrap, prefix)
                             + _every_database(mongo_uri, stack_name), keys)
        return [v for v in values if any(v in blob for blob in everything)]

    # The databases are scrubbed by consumers, so give them time; the topics never change.
    deadline = time.monotonic() + 60
    while (found := found_somewhere()) and time.monotonic() < deadline:
        time.sleep(2)
    assert not found, f"still readable after erasure: {found}"
