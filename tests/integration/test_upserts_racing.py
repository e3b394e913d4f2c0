"""Writers that create a document by `_id` at the same moment (an upsert each) all succeed:
the one that loses the insert writes its change onto the winner's document. On FerretDB the
loser's upsert answers E11000, which reached a coordinator's erasure as a 409."""

import threading

import pytest

from common.mongo import client
from common.persistence import by_id
from services.registration.stores import listed_profiles

WRITERS = 6
ROUNDS = 15


@pytest.fixture
def database(mongo_uri, unique):
    name = f"it{unique}_upserts"
    yield client(mongo_uri)[name]
    client(mongo_uri).drop_database(name)


def _together(write) -> list[Exception]:
    start = threading.Barrier(WRITERS)
    failures = []

    def writer(n):
        start.wait()
        try:
            write(n)
        except Exception as exc:  # noqa: BLE001 - every failure is the finding
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return failures


def test_writers_creating_one_document_at_once_all_succeed_and_one_value_stays(database):
    for round_ in range(ROUNDS):
        key = f"mark:{round_}"
        failures = _together(lambda n, key=key: by_id.set_fields(
            database["marks"], key, {"by": n}, upsert=True))
        assert failures == [], f"round {round_}: {failures[0]!r}"
        assert database["marks"].find_one({"_id": f"mark:{round_}"})["by"] in range(WRITERS)


def test_profiles_changed_at_once_on_a_fresh_database_all_succeed(mongo_uri, unique):
    for round_ in range(ROUNDS):
        tokens = client(mongo_uri)[f"it{unique}_tokens{round_}"]["participant_pages"]
        try:
            failures = _together(lambda n, tokens=tokens: listed_profiles.changed(tokens))
        finally:
            client(mongo_uri).drop_database(tokens.database.name)
        assert failures == [], f"round {round_}: {failures[0]!r}"
