import uuid

import pytest
from kafka.admin import KafkaAdminClient

from common.mongo import client
from common.topics import catalogue
from devstack import services
from devstack.infra import ensure_topics
from tests.contact_owners import ContactOwnerServer
from tests.faults.helpers import start_worker
from tests.faults.private import PrivateKafka, free_port


def pytest_collection_modifyitems(items):
    for item in items:
        if "/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)


@pytest.fixture
def stack_on_private_broker(mongo_uri, tmp_path):
    """Every API and worker, on a broker of the test's own (``stack.topic_prefix`` set)."""
    broker = PrivateKafka(tmp_path / "kafka-state", mongo_uri)
    broker.start()
    name = f"fault{uuid.uuid4().hex[:8]}"
    ensure_topics(broker.bootstrap, list(catalogue(f"{name}.")))
    env = {"STACK_NAME": name, "TOPIC_PREFIX": f"{name}.", "KAFKA_BOOTSTRAP_SERVERS":
           broker.bootstrap, "MONGO_URI": mongo_uri, "OUTBOX_RELAY_INTERVAL_SECONDS": "1",
           "OUTBOX_RELAY_GRACE_SECONDS": "2",
           # No reminders: two thirds fewer notification writes; reminders are not under test.
           "NOTIFICATION_REMINDER_OFFSETS": ",",
           # A recipient or session not known yet (events on other partitions) is retried:
           # quickly, and patiently enough for a consumer catching up after the outage.
           "NOTIFICATION_BACKOFF_SECONDS": "1", "NOTIFICATION_BACKOFF_CAP_SECONDS": "5",
           "NOTIFICATION_MAX_ATTEMPTS": "30"}
    running = services.start(env, {s: free_port() for s in services.SERVICES},
                             tmp_path / "logs", api_workers=2)
    running.topic_prefix = env["TOPIC_PREFIX"]
    try:
        services.wait_ready(running, timeout_s=90)
        yield running, broker
    finally:
        services.stop(running)
        broker.stop()


class WorkerStack:
    """Own STACK_NAME and topics on the shared broker and database; workers started at will."""

    def __init__(self, bootstrap: str, mongo_uri: str, log_dir, **env: str):
        self.name = f"fault{uuid.uuid4().hex[:8]}"
        self.prefix = f"{self.name}."
        self.bootstrap, self.log_dir = bootstrap, log_dir
        # Registration and sessions as notifications asks them for contact details.
        self.contacts = ContactOwnerServer()
        self.env = {"STACK_NAME": self.name, "TOPIC_PREFIX": self.prefix,
                    "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "MONGO_URI": mongo_uri,
                    "REGISTRATION_URL": self.contacts.url, "SESSIONS_URL": self.contacts.url,
                    **env}
        self.db = client(mongo_uri)
        self.processes: list = []
        ensure_topics(bootstrap, list(catalogue(self.prefix)))
        log_dir.mkdir(parents=True, exist_ok=True)

    def topic(self, producer: str) -> str:
        return f"{self.prefix}{producer}.events"

    def database(self, service: str):
        return self.db[f"{self.name}_{service}"]

    def worker(self, service: str, log_name: str, **env: str):
        process = start_worker(service, {**self.env, **env}, self.log_dir / f"{log_name}.log")
        self.processes.append(process)
        return process

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        self.contacts.close()
        for name in self.db.list_database_names():
            if name.startswith(f"{self.name}_"):
                self.db.drop_database(name)
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap)
        admin.delete_topics([t for t in admin.list_topics() if t.startswith(self.prefix)])
        admin.close()


@pytest.fixture
def worker_stack(kafka_bootstrap, mongo_uri, tmp_path):
    """A factory: ``worker_stack(**env)`` gives a WorkerStack, cleaned up after the test."""
    made = []

    def make(**env: str) -> WorkerStack:
        made.append(WorkerStack(kafka_bootstrap, mongo_uri, tmp_path / "logs", **env))
        return made[-1]

    yield make
    for stack in made:
        stack.close()
