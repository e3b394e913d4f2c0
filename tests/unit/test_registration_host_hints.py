"""What registration's processes on one host share: where streams end, and turns by name."""

import multiprocessing
import os
import threading
import time

from services.registration.stores import host_hints
from tests.unit import registration_helpers as world


def _table(tmp_path) -> host_hints._Table:
    return host_hints._Table(str(tmp_path / f"{host_hints.PREFIX}test.hints"))


def test_an_end_is_known_once_recorded_and_only_goes_up(tmp_path):
    table = _table(tmp_path)
    stream = host_hints._key("enrollment_pages", "all")
    assert table.get(stream) is None
    table.raise_to(stream, 7)
    table.raise_to(stream, 3)  # a process that saw less: the end stays where it was
    assert table.get(stream) == 7
    assert _table(tmp_path).get(stream) == 7  # another process opening the file sees it


def test_a_stream_whose_place_another_took_is_not_known_rather_than_known_wrong(tmp_path):
    table = _table(tmp_path)
    first = host_hints._key("seat_log", "a")
    other = next(host_hints._key("seat_log", str(n)) for n in range(10**6)
                 if table._slot(host_hints._key("seat_log", str(n))) == table._slot(first)
                 and host_hints._key("seat_log", str(n)) != first)
    table.raise_to(first, 40)
    table.raise_to(other, 2)
    assert table.get(first) is None  # never another stream's end: that could leave a gap
    assert table.get(other) == 2


def _holds_then_waits(path, held, wanted, holding, release):
    table = host_hints._Table(path)
    with table.exclusive(held):
        holding.set()
        with table.exclusive(wanted):
            pass
    release.set()


def test_unrelated_threads_of_two_processes_wait_for_each_other_without_a_refusal(tmp_path):
    """Process A's thread 1 holds a session's turn while its thread 2 waits for the pages;
    process B holds the pages and waits for that session. No thread waits for itself, so
    all finish: classic record locks, owned by a whole process, were refused as a deadlock
    ("Resource deadlock avoided": 14 enrollments answered 500 under the bench's 8 clients)."""
    path = str(tmp_path / f"{host_hints.PREFIX}test.hints")
    table = host_hints._Table(path)
    session, pages = host_hints._key("lock", "seat_log:s"), host_hints._key("lock", "pages")
    context = multiprocessing.get_context("fork")
    holding, done = context.Event(), context.Event()
    with table.exclusive(session):
        other = context.Process(target=_holds_then_waits,
                                args=(path, pages, session, holding, done))
        other.start()
        assert holding.wait(10)
        errors = []

        def wants_pages():
            try:
                with table.exclusive(pages):
                    pass
            except OSError as exc:
                errors.append(exc)

        waiting = threading.Thread(target=wants_pages)
        waiting.start()
        time.sleep(0.3)  # thread 2 waits on B, B waits on thread 1
    waiting.join(10)
    other.join(10)
    assert errors == []
    assert done.is_set() and other.exitcode == 0


def _takes_turns(path, name, written, rounds):
    table = host_hints._Table(path)
    fd = os.open(written, os.O_WRONLY | os.O_APPEND)
    for _ in range(rounds):
        with table.exclusive(name):
            os.write(fd, f"in {os.getpid()}\n".encode())
            time.sleep(0.002)
            os.write(fd, f"out {os.getpid()}\n".encode())
    os.close(fd)


def test_processes_holding_one_name_take_turns(tmp_path):
    path = str(tmp_path / f"{host_hints.PREFIX}test.hints")
    written = tmp_path / "turns.log"
    written.write_text("")
    host_hints._Table(path)
    context = multiprocessing.get_context("fork")
    name = host_hints._key("lock", "pages")
    workers = [context.Process(target=_takes_turns, args=(path, name, str(written), 20))
               for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    seen = [line.split() for line in written.read_text().splitlines()]
    assert len(seen) == 3 * 20 * 2
    assert all(seen[n][0] == "in" and seen[n + 1] == ["out", seen[n][1]]
               for n in range(0, len(seen), 2))


def test_a_table_no_process_holds_is_removed_and_one_in_use_kept(tmp_path):
    used = _table(tmp_path)
    gone = tmp_path / f"{host_hints.PREFIX}gone.hints"
    gone.write_bytes(b"")
    other = tmp_path / "someone-else.hints"
    other.write_bytes(b"")
    host_hints._remove_unused(str(tmp_path), kept=set())
    assert os.path.exists(used.path)
    assert not gone.exists()
    assert other.exists()


def test_a_database_made_again_under_its_name_starts_with_no_hints():
    runtime = world.registration()
    host_hints.ended(runtime, "seat_log", "s", 12)
    assert host_hints.known_end(runtime, "seat_log", "s") == 12
    runtime.db.client.drop_database(runtime.db.name)
    host_hints._tables.clear()  # a process started after the database was made again
    assert host_hints.known_end(runtime, "seat_log", "s") is None


def test_a_decision_after_a_siblings_entry_reads_that_entry_and_appends_once(monkeypatch):
    """Another process of the host decided last: this one starts from the entry it wrote,
    read by its number (the shared end says which), not from an append that loses to it."""
    from services.registration.stores import seat_log_store, seat_store

    runtime = world.registration()
    session_id = world.schedule(runtime, capacity=1)
    seat_store.enroll(runtime, session_id, world.officer(runtime, "Ayesha"))
    key = (runtime.db.name, session_id)
    before_sibling = seat_log_store._read[key]
    seat_store.enroll(runtime, session_id, world.officer(runtime, "Fatima"))  # "the sibling"
    seat_log_store._read[key] = before_sibling  # this process never saw that entry

    def lost(*args):
        raise AssertionError("an append lost to the sibling's entry")
    monkeypatch.setattr(seat_log_store, "taken", lost)
    sana = seat_store.enroll(runtime, session_id, world.officer(runtime, "Sana"))
    assert (sana["status"], sana["position"]) == ("waitlisted", 2)


def test_without_open_file_description_locks_nothing_is_shared_and_seats_still_decide(
        monkeypatch):
    """Not Linux (macOS has no such locks): every process finds ends as it did alone."""
    import fcntl

    from services.registration.stores import seat_store

    monkeypatch.delattr(fcntl, "F_OFD_SETLKW")
    runtime = world.registration()
    host_hints.ended(runtime, "seat_log", "s", 3)
    assert host_hints.known_end(runtime, "seat_log", "s") is None
    session_id = world.schedule(runtime, capacity=1)
    ayesha, fatima = (seat_store.enroll(runtime, session_id, world.officer(runtime, name))
                      for name in ("Ayesha", "Fatima"))
    assert [ayesha["status"], fatima["status"]] == ["confirmed", "waitlisted"]


def test_a_change_noted_after_a_siblings_note_is_numbered_next_without_looking_for_the_end(
        monkeypatch):
    """Another process of the host noted a session last: this one notes the next number at
    once, from the end they share, instead of searching for it and losing an insert to it."""
    from common.persistence import numbered_log
    from services.registration.stores import seat_log_store

    runtime = world.registration()
    notes = runtime.db[seat_log_store.CHANGES]
    numbered_log.append(notes, "all", 0, {"session_id": "noted by the sibling"})
    host_hints.ended(runtime, seat_log_store.CHANGES, "all", 1)

    def searched(*args):
        raise AssertionError("looked for the end of the notes")
    monkeypatch.setattr(numbered_log, "_start", searched)
    monkeypatch.setattr(numbered_log, "length", searched)
    seat_log_store.note_change(runtime, "noted here")

    assert seat_log_store.noted_after(runtime, -1) == [(0, "noted by the sibling"),
                                                       (1, "noted here")]
