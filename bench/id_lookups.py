"""The database's cost of reading and writing one document by `_id` in a large collection.

    .venv/bin/python -m bench.id_lookups [MONGO_URI]

On FerretDB 1.24 this cost is what the notification pipeline pays several times per message;
it tells the stock release (every look-up reads the whole table) from the patched build that
`devstack` runs (see `devstack/infra/ferretdb.py`), and both from MongoDB.
"""

import statistics
import sys
import time
import uuid

from pymongo import MongoClient


def id_lookups(uri: str, database: str, documents: int = 5000, samples: int = 40) -> dict:
    """Median milliseconds of find, update and guarded update by `_id` among ``documents``."""
    client = MongoClient(uri)
    collection = client[database]["id_lookups"]
    ids = [str(uuid.uuid4()) for _ in range(documents)]
    padding = "notification-sized document " * 40  # about 1 KB, like a notification
    for start in range(0, documents, 1000):
        collection.insert_many([{"_id": i, "status": "sent", "generation": 0, "text": padding}
                                for i in ids[start:start + 1000]])
    chosen = [ids[n * (documents // samples)] for n in range(samples)]

    def median_ms(operation) -> float:
        timings = []
        for doc_id in chosen:
            began = time.perf_counter()
            operation(doc_id)
            timings.append((time.perf_counter() - began) * 1000)
        return round(statistics.median(timings), 2)

    try:
        return {
            "documents": documents,
            "find_by_id_ms": median_ms(lambda i: collection.find_one({"_id": i})),
            "update_by_id_ms": median_ms(
                lambda i: collection.update_one({"_id": i}, {"$inc": {"generation": 1}})),
            "update_by_id_and_field_ms": median_ms(
                lambda i: collection.update_one({"_id": i, "status": "sent"},
                                                {"$inc": {"generation": 1}})),
        }
    finally:
        client.drop_database(database)


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "mongodb://127.0.0.1:27017/"
    print(id_lookups(target, f"bench_id_lookups_{uuid.uuid4().hex[:6]}"))
