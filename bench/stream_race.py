"""Two notifications workers appending a pipeline's feed entries to the same numbered streams
(all, the recipient's, the session's, the due hour's), in turn, on the tests' fake database:
database commands and documents per email, exact and whatever the machine's load.

    GLO_ACT_ENV=development .venv/bin/python -m bench.stream_race [emails]

The workload is `bench.pipe_probe`'s: 50 officers, a session per 50 confirmations, events
spread over 3 partitions, the first worker holding two of them (Kafka's range assignor). Run
it against older code with PYTHONPATH pointing at that tree.
"""

import random
import sys
from collections import Counter

from services.notifications.stores import stream_memory, stream_store
from services.notifications.stores.stream_store import Streams
from tests.fakes import FakeRuntime


class _Counting:
    def __init__(self, collection, counts: Counter, name: str):
        self.collection, self.counts, self.name = collection, counts, name

    def __getattr__(self, attr):
        return getattr(self.collection, attr)

    def find_one(self, *args, **kwargs):
        self.counts[f"find {self.name}"] += 1
        return self.collection.find_one(*args, **kwargs)

    def insert_many(self, documents, *args, **kwargs):
        self.counts[f"insert {self.name}"] += 1
        self.counts[f"documents {self.name}"] += len(documents)
        return self.collection.insert_many(documents, *args, **kwargs)

    def update_one(self, *args, **kwargs):
        self.counts[f"update {self.name}"] += 1
        return self.collection.update_one(*args, **kwargs)

    def bulk_write(self, *args, **kwargs):
        self.counts[f"update {self.name}"] += 1
        return self.collection.bulk_write(*args, **kwargs)


def run(emails: int, workers: int, batch: int) -> str:
    random.seed(1)
    runtime, counts = FakeRuntime("notifications"), Counter()
    memories = [(stream_memory.Known(), stream_memory.Groups()) for _ in range(workers)]
    partitions: dict[int, list[int]] = {0: [], 1: [], 2: []}
    for n in range(emails):
        partitions[random.randrange(3)].append(n)
    owned = [[0, 1, 2]] if workers == 1 else [[0, 1], [2]]
    queues = [sorted(n for p in held for n in partitions[p]) for held in owned]
    while any(queues):
        for worker, queue in enumerate(queues):
            taken, queues[worker] = queue[:batch * len(owned[worker]) // 3 or 1], \
                queue[batch * len(owned[worker]) // 3 or 1:]
            if not taken:
                continue
            stream_store._known, stream_store._groups = memories[worker]
            streams = Streams(runtime, "feed")
            streams.entries = _Counting(streams.entries, counts, "feed_entries")
            streams.heads = _Counting(streams.heads, counts, "feed_heads")
            streams.append_many([(stream, {"notification_id": str(n)}) for n in taken
                                 for stream in ("all", f"recipient:{n % 50}",
                                                f"session:{(n // 50) % 24}", "due:hour")])
    stream_store._known, stream_store._groups = stream_memory.Known(), stream_memory.Groups()
    assert len(Streams(runtime, "feed").everything("all")) == emails
    commands = sum(v for k, v in counts.items() if not k.startswith("documents"))
    return (f"{workers} worker(s), polls of {batch}: {commands / emails:.2f} commands an email ("
            + ", ".join(f"{k} {v / emails:.2f}" for k, v in sorted(counts.items())) + ")")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    for workers in (1, 2):
        for batch in (30, 100):
            print(run(count, workers, batch), flush=True)
