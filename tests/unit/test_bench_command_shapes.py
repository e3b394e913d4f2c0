"""The bench's command monitor names each command's filter shape (BENCH_COMMANDS_DETAIL=shape):
what tells a read by `_id` from one that scans a whole collection on FerretDB."""

import importlib.util
from pathlib import Path

MONITOR = Path(__file__).resolve().parents[2] / "bench" / "monitoring" / "sitecustomize.py"


def _monitor():
    spec = importlib.util.spec_from_file_location("bench_monitor_under_test", MONITOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shapes_tell_reads_by_id_from_scans_without_values():
    shape = _monitor()._shape
    assert shape("find", {"find": "recipients", "filter": {"_id": "officer-1"}}) == "{_id}"
    assert shape("find", {"find": "outbox_published",
                          "filter": {"_id": {"$in": ["a", "b"]}}}) == "{_id$in}"
    assert shape("find", {"find": "notifications", "filter": {"outbox_pending": True},
                          "sort": {"_id": 1}}) == "{outbox_pending}+sort"
    assert shape("update", {"update": "n", "updates": [
        {"q": {"session_id": "s"}, "u": {}, "multi": True}]}) == "{session_id}*"
    assert shape("delete", {"delete": "m", "deletes": [{"q": {"_id": "x"}, "limit": 1}]}) == "{_id}"
    assert "officer-1" not in shape("find", {"find": "r", "filter": {"_id": "officer-1"}})
