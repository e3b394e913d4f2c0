"""The create probe reads py-spy's collapsed stacks: which part of the code the CPU was in."""

from bench.create_probe import part_of, summary

SITE = "/w/.venv/lib/python3.11/site-packages"
RAW = "\n".join([
    f"process 1;handle ({SITE}/gunicorn/workers/sync.py:9);create (/w/services/registration/"
    f"api/participants.py:40);insert_one ({SITE}/pymongo/collection.py:5) 6",
    f"process 1;handle ({SITE}/gunicorn/workers/sync.py:9);create (/w/services/registration/"
    f"api/participants.py:41);dumps (/usr/lib/python3.11/json/__init__.py:2) 3",
    f"process 1;run (/w/common/outbox.py:250);send ({SITE}/kafka/producer/kafka.py:7) 1",
])


def test_frames_are_put_in_their_package():
    assert part_of(f"insert_one ({SITE}/pymongo/collection.py:5)") == "pymongo"
    assert part_of("create (/w/services/registration/api/participants.py:40)") == (
        "services/registration")
    assert part_of("run (/w/common/outbox.py:250)") == "common/outbox"
    assert part_of("dumps (/usr/lib/python3.11/json/__init__.py:2)") == "python"
    # py-spy's own shortening of installed and project modules' paths
    assert part_of("Sender.run (kafka/producer/sender.py:113)") == "kafka"
    assert part_of("Publisher._loop (common/outbox.py:265)") == "common/outbox"
    assert part_of("Thread.run (threading.py:982)") == "python"


def test_shares_of_the_innermost_part_and_of_the_projects_functions():
    found = summary(RAW)
    assert found["samples"] == 10
    assert found["innermost_part_pct"] == {"pymongo": 60.0, "python": 30.0, "kafka": 10.0}
    assert found["project_functions_pct"] == {"create services/registration": 90.0,
                                              "run common/outbox": 10.0}
