"""Pure pieces of devstack.infra: the broker configuration, ids, paths, the sink's storage."""

import pathlib
import re
import uuid

from devstack import infra
from devstack.infra import kafka, paths, smtp_sink


def _props(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return dict(pairs)


def test_server_properties_listen_on_loopback_only(tmp_path):
    props = _props(kafka.render_server_properties(19092, 19093, tmp_path / "data"))
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19092"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert props["process.roles"] == "broker,controller"
    assert props["controller.listener.names"] == "CONTROLLER"
    assert props["log.dirs"] == str(tmp_path / "data")


def test_server_properties_suit_a_single_node():
    props = _props(kafka.render_server_properties(9092, 9093, pathlib.Path("/x")))
    for key in ("offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                "transaction.state.log.min.isr", "share.coordinator.state.topic.replication.factor",
                "share.coordinator.state.topic.min.isr"):
        assert props[key] == "1", key
    assert props["auto.create.topics.enable"] == "false"
    assert props["num.partitions"] == "3"
    assert props["group.initial.rebalance.delay.ms"] == "0"


def test_cluster_id_is_22_url_safe_characters():
    ids = {kafka.new_cluster_id() for _ in range(50)}
    assert len(ids) == 50
    for cluster_id in ids:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", cluster_id), cluster_id


def test_a_cluster_id_never_starts_with_a_dash_which_the_storage_tool_reads_as_an_option(
        monkeypatch):
    # 0xF8 encodes as "-" first: one random id in 64 did, and the broker would not format.
    drawn = iter([uuid.UUID(bytes=b"\xf8" + bytes(15)), uuid.UUID(bytes=b"\x01" * 16)])
    monkeypatch.setattr(kafka.uuid, "uuid4", lambda: next(drawn))
    assert kafka.new_cluster_id() == "AQEBAQEBAQEBAQEBAQEBAQ"


def test_state_dir_and_ports_follow_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("GLO_ACT_STATE", raising=False)
    assert infra.state_dir() == paths.REPO_ROOT / ".local"
    monkeypatch.setenv("GLO_ACT_STATE", str(tmp_path))
    monkeypatch.setenv("KAFKA_PORT", "29092")
    monkeypatch.setenv("MONGO_PORT", "")
    assert infra.state_dir() == tmp_path
    assert paths.pid_file("kafka") == tmp_path / "run" / "kafka.pid"
    assert paths.kafka_port() == 29092
    assert paths.mongo_port() == 27017


def test_infra_env_names_every_address():
    local = infra.Infra("127.0.0.1:9092", "mongodb://127.0.0.1:27017/", "127.0.0.1", 1025,
                        "http://127.0.0.1:1080", ["kafka"])
    assert local.env() == {
        "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9092",
        "MONGO_URI": "mongodb://127.0.0.1:27017/",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": "1025",
        "SMTP_HTTP_URL": "http://127.0.0.1:1080",
    }
    external = infra.Infra("k:9092", "mongodb://m/", "mail", 25, None, [])
    assert "SMTP_HTTP_URL" not in external.env()


def test_sink_stores_whole_files_and_lists_them(tmp_path):
    raw = b"From: a@x.org\r\nTo: b@y.org\r\nSubject: =?utf-8?q?Caf=C3=A9?=\r\n\r\nhello\r\n"
    record = smtp_sink.store(tmp_path, "a@x.org", ["b@y.org", "c@y.org"], raw)
    assert (tmp_path / f"{record['id']}.eml").read_bytes() == raw
    assert record["subject"] == "Café"
    assert not list(tmp_path.glob(".*.tmp"))
    assert smtp_sink.list_messages(tmp_path) == [record]
    assert smtp_sink.list_messages(tmp_path, to="C@Y.ORG") == [record]
    assert smtp_sink.list_messages(tmp_path, to="nobody@y.org") == []
    assert smtp_sink.ID_RE.match(record["id"])


def test_a_spawned_process_is_tracked_and_stopped(monkeypatch, tmp_path):
    from devstack.infra import procs

    monkeypatch.setenv("GLO_ACT_STATE", str(tmp_path))
    pid = procs.spawn("sleeper", ["sleep", "60"])
    # Until the child has exec'd, its command line is still Python's: give it a moment.
    assert procs.wait_until(lambda: procs.running_pid("sleeper", "sleep") == pid,
                            deadline_s=5, interval=0.05)
    assert procs.running_pid("sleeper", "not-its-command-line") is None
    assert procs.stop("sleeper", "sleep", log=lambda _: None)
    assert not procs.alive(pid)
    assert not paths.pid_file("sleeper").exists()
    assert not procs.stop("sleeper", "sleep", log=lambda _: None)  # stopping twice is fine

def test_sink_inbox_lists_new_messages_by_recipient_and_survives_a_restart(tmp_path):
    raw = b"From: a@x.org\r\nTo: b@y.org\r\nSubject: hi\r\n\r\nhello\r\n"
    earlier = smtp_sink.store(tmp_path, "a@x.org", ["b@y.org"], raw)
    inbox = smtp_sink.Inbox(tmp_path)
    later = inbox.store("a@x.org", ["B@y.org", "c@y.org"], raw)
    assert inbox.list("b@Y.org") == [earlier, later]
    assert inbox.list("c@y.org") == [later]
    assert inbox.list() == [earlier, later]
    assert smtp_sink.Inbox(tmp_path).list("c@y.org") == [later]
