"""Dead letters over HTTP: an admin lists what a service's worker group gave up on and replays
it once (what the console's operations page shows); nobody else may."""

import uuid

import requests

from common.envelope import new_event
from common.producer import EventProducer


def test_an_admin_lists_a_services_dead_letters_and_replays_them_once(stack, tokens,
                                                                      kafka_bootstrap):
    name = stack.topic_prefix.rstrip(".")
    topic = f"{stack.topic_prefix}registration.events"
    # A real event type (the replay puts it back on the topic, where every event must match the
    # catalogue): the erasure of an officer nobody knows, harmless to apply.
    nobody = str(uuid.uuid4())
    event = new_event("registration.participant.erased", nobody, {"participant_id": nobody},
                      "registration", str(uuid.uuid4()))
    producer = EventProducer(kafka_bootstrap, "test-dead-letters")
    try:
        producer.send(f"{topic}.dlq", event.to_bytes(), event.subject.encode(), [
            ("dlq-consumer-group", f"{name}.sessions".encode()),
            ("dlq-original-topic", topic.encode()), ("dlq-attempts", b"5"),
            ("dlq-error", b"ValueError: a test")]).get(timeout=30)
    finally:
        producer.close()
    url = f"{stack.urls['sessions']}/admin/dead-letters"

    listed = requests.get(url, headers=tokens("admin"), timeout=30)
    assert listed.status_code == 200
    assert [(d["event_id"], d["topic"], d["error"]) for d in listed.json()] == [
        (event.id, "registration.events", "ValueError: a test")]
    # Registration's group dead-lettered nothing: its list stays empty.
    assert requests.get(f"{stack.urls['registration']}/admin/dead-letters",
                        headers=tokens("admin"), timeout=30).json() == []
    assert requests.get(url, headers=tokens("coordinator"), timeout=30).status_code == 403

    def replay():
        return requests.post(f"{url}/replay", json={"topic": "registration.events"},
                             headers=tokens("admin"), timeout=30).json()["replayed"]

    assert replay() == 1
    assert replay() == 0
    bad = requests.post(f"{url}/replay", json={"topic": "elsewhere"}, headers=tokens("admin"),
                        timeout=30)
    assert bad.status_code == 422 and "topic" in bad.json()["errors"]["json"]
