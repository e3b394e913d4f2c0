"""How a listing is stored: every window of it in order through random changes, documents of a
bounded size, and blocks and chunks kept in a process only while they are the stored ones."""

import random

from services.sessions.stores import session_listing_blocks as blocks


def _key(n: int) -> str:
    return f"2031-05-01T00:00:{n:09d}|s{n}"


def _every_window_is_the_model(listing, scope: str, model: dict[str, dict]) -> None:
    keys = sorted(model)
    for skip in range(len(keys) + 2):
        for limit in (1, 2, 5, 7):
            found, total = blocks.entries(listing, scope, skip, limit)
            assert total == len(keys)
            assert [e["key"] for e in found] == keys[skip:skip + limit]
            assert [e["session"] for e in found] == [model[k] for k in keys[skip:skip + limit]]


def test_every_window_of_a_listing_is_in_order_through_random_changes(api, monkeypatch):
    _, runtime = api
    monkeypatch.setattr(blocks, "CHUNK", 3)
    monkeypatch.setattr(blocks, "BLOCK", 2)
    listing, model, chance = runtime.db["listing_model"], {}, random.Random(7)
    for step in range(40):
        changes: dict[str, dict | None] = {}
        for _ in range(chance.randint(1, 9)):
            n = chance.randrange(80)
            changes[_key(n)] = None if chance.random() < 0.3 else {"title": f"{n}.{step}"}
        blocks.store(listing, {"all": changes})
        for key, shown in changes.items():
            if shown is None:
                model.pop(key, None)
            else:
                model[key] = shown
        _every_window_is_the_model(listing, "all", model)
    for key in list(model):  # emptied, then used again
        blocks.store(listing, {"all": {key: None}})
    _every_window_is_the_model(listing, "all", {})
    blocks.store(listing, {"all": {_key(1): {"title": "again"}}})
    _every_window_is_the_model(listing, "all", {_key(1): {"title": "again"}})


def test_no_document_a_page_reads_grows_with_the_listing_as_the_chunks_do(api, monkeypatch):
    """The head listed every chunk: 34 KB at 20,000 sessions, read by every page and write."""
    _, runtime = api
    monkeypatch.setattr(blocks, "CHUNK", 2)
    monkeypatch.setattr(blocks, "BLOCK", 4)
    listing = runtime.db["listing_sizes"]
    for n in range(160):
        blocks.store(listing, {"all": {_key(n): {"title": str(n)}}})
    chunks = [d for d in listing.find({}) if "entries" in d]
    head = listing.find_one({"_id": "all"})
    assert len(chunks) >= 80
    assert len(head["ids"]) <= len(chunks) // 2 + 1  # a block lists 2 to 4 chunks
    for block in listing.find({}):
        if "@" in block["_id"]:
            assert len(block["ids"]) <= 4
    _every_window_is_the_model(listing, "all", {_key(n): {"title": str(n)} for n in range(160)})


def test_a_listing_made_again_is_not_answered_from_what_a_process_kept(api, monkeypatch):
    _, runtime = api
    listing = runtime.db["listing_again"]
    blocks.store(listing, {"all": {_key(1): {"title": "first"}}})
    assert blocks.entries(listing, "all", 0, 5)[0][0]["session"] == {"title": "first"}
    listing.drop()  # as a restore does: the numbers start from 0 again
    mine = blocks._kept
    with monkeypatch.context() as elsewhere:  # written by another process
        elsewhere.setattr(blocks, "_kept", type(mine)())
        blocks.store(listing, {"all": {_key(1): {"title": "second"}}})
    assert blocks._kept is mine
    assert blocks.entries(listing, "all", 0, 5)[0][0]["session"] == {"title": "second"}


def test_a_round_that_failed_after_storing_its_chunks_does_not_stop_the_next(api, monkeypatch):
    """The database went away between a round's chunks and its heads: the next round numbers
    its chunks as that one did and must not be refused as a duplicate forever."""
    _, runtime = api
    listing = runtime.db["listing_interrupted"]
    blocks.store(listing, {"all": {_key(1): {"title": "1"}}})

    class OutageError(Exception):
        pass

    real = type(listing).bulk_write
    with monkeypatch.context() as outage:
        def failing(self, requests, *args, **kwargs):
            raise OutageError

        outage.setattr(type(listing), "bulk_write", failing)
        try:
            blocks.store(listing, {"all": {_key(2): {"title": "2"}}})
        except OutageError:
            pass
    assert type(listing).bulk_write is real
    blocks.store(listing, {"all": {_key(3): {"title": "3"}}})
    _every_window_is_the_model(listing, "all", {_key(1): {"title": "1"},
                                                _key(3): {"title": "3"}})
