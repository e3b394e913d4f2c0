"""A PATCH racing an erasure never undoes it, and its `participant.updated` brings nothing of her
back in notifications: erasure wins, always (many rounds, two threads each)."""

import threading
import uuid

from common.config import load_notification_settings
from common.dispatch import Dispatcher, ProcessedEvents
from common.envelope import new_event
from common.runtime import Runtime
from common.topics import REGISTRATION_EVENTS
from services.notifications.channels.registry import build_channels
from services.notifications.handlers import build_registry
from services.notifications.indexes import ensure_indexes
from services.notifications.send_queue import SendQueue
from services.notifications.stores import notification_store as notifications
from tests.conftest import read_topic
from tests.contact_owners import FakeDirectory
from tests.integration.notifications_programme import send_due
from tests.integration.registration.helpers import auth, profile_of

ROUNDS = 25
PERSONAL = ("given_name", "family_name", "email", "phone")


def _race(client, config, officer_id: str, round_: int) -> dict:
    start = threading.Barrier(2)
    answers = {}

    def patch():
        start.wait()
        answers["patch"] = client.patch(f"/participants/{officer_id}",
                                        json={"phone": f"+9230055{round_:05d}",
                                              "given_name": "Rubina"},
                                        headers=auth(config, "coordinator")).status_code

    def erase():
        start.wait()
        answers["erase"] = client.post(f"/participants/{officer_id}/erasure",
                                       headers=auth(config, "coordinator")).status_code

    threads = [threading.Thread(target=patch), threading.Thread(target=erase)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_an_erasure_racing_a_patch_always_wins_in_registration_and_notifications(
        api, settings, make_topic, kafka_bootstrap, unique):
    client, runtime, config = api
    officers = []
    for round_ in range(ROUNDS):
        officer = client.post("/participants", json=profile_of(f"{unique}{round_}"),
                              headers=auth(config, "coordinator")).get_json()
        answers = _race(client, config, officer["id"], round_)
        assert answers["erase"] == 200 and answers["patch"] in (200, 409), answers
        officers.append(officer["id"])

    undone = []
    for officer_id in officers:
        stored = runtime.db["participants"].find_one({"_id": officer_id})
        if any(stored.get(k) for k in PERSONAL) or not stored.get("erased_at"):
            undone.append(officer_id)
        assert client.get(f"/participants/{officer_id}/contact",
                          headers=auth(config, "service")).status_code == 410
    assert undone == [], f"{len(undone)} of {ROUNDS} erasures undone by a racing PATCH"

    # Notifications consumes everything registration published, in its order; then a notice
    # for each officer falls due: none goes, and nothing of her is kept.
    runtime.publisher.drain()
    records = read_topic(kafka_bootstrap, runtime.topic, until=lambda r: sum(
        b"participant.erased" in x.value for x in r) >= ROUNDS, timeout_s=60)
    notices = Runtime(settings("notifications"), make_topic(f"it.{unique}.notifications"),
                      indexes=ensure_indexes)
    notices.prepare()
    dispatcher = Dispatcher(build_registry(notices, load_notification_settings()),
                            ProcessedEvents(notices.db["processed_events"]), max_attempts=1)
    for record in records:
        assert dispatcher.dispatch(REGISTRATION_EVENTS, record.value).action in (
            "handled", "duplicate")
    for officer_id in officers:
        enrollment = new_event("registration.enrollment.confirmed", str(uuid.uuid4()),
                               {"enrollment_id": str(uuid.uuid4()), "participant_id": officer_id,
                                "session_id": str(uuid.uuid4()), "series_id": None,
                                "gender": "female", "agency": "Punjab Police"}, "registration")
        dispatcher.dispatch(REGISTRATION_EVENTS, enrollment.to_bytes())
        recipient = notices.db["recipients"].find_one({"_id": officer_id})
        assert recipient["erased"] is True and not any(recipient.get(k) for k in PERSONAL)
    # Even were registration to answer with her contact, nothing goes out to her.
    directory = FakeDirectory()
    for officer_id in officers:
        directory.add(officer_id, given_name="Rubina", family_name="Khan",
                      email=f"{officer_id}@example.org", phone=None)
    config = load_notification_settings()
    sending = SendQueue(notices, build_channels(notices.settings, config), config,
                        directory=directory, settle_s=0)
    send_due(sending)
    sent = notices.db[notifications.COLLECTION].count_documents({"status": "sent"})
    assert sent == 0, f"{sent} notices sent to erased officers"
    notices.publisher.drain()
    notices.producer.close()
