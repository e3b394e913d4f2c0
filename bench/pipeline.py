"""From the enrollment request to the confirmation email accepted by the SMTP sink."""

import json
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import requests


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[int(p * (len(ordered) - 1))] if ordered else float("nan")


def enroll_at_rate(registration_url: str, headers: dict, pairs: list[tuple[dict, dict]],
                   rate: float) -> dict[tuple[str, str], float]:
    """POST one enrollment every 1/rate seconds; returns (email, session title) -> send time."""
    sent: dict[tuple[str, str], float] = {}
    began = time.monotonic()

    def one(index: int) -> None:
        officer, session = pairs[index]
        time.sleep(max(0.0, began + index / rate - time.monotonic()))
        at = time.time()
        response = requests.post(f"{registration_url}/enrollments", headers=headers, timeout=30,
                                 json={"participant_id": officer["id"],
                                       "session_id": session["id"]})
        if response.status_code == 201:
            sent[(officer["email"], session["title"])] = at

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(one, range(len(pairs))))
    return sent


def delivered(inbox: str, expected: dict[tuple[str, str], float], timeout_s: float = 60
              ) -> dict[tuple[str, str], float]:
    """When each expected confirmation reached the sink (epoch seconds)."""
    addresses = sorted({email for email, _ in expected})
    arrived: dict[tuple[str, str], float] = {}
    deadline = time.monotonic() + timeout_s
    while len(arrived) < len(expected) and time.monotonic() < deadline:
        for address in addresses:
            for message in requests.get(f"{inbox}/messages", params={"to": address},
                                        timeout=10).json():
                title = message["subject"].strip().removeprefix("Your place is confirmed: ")
                key = (address, title)
                if key in expected and key not in arrived:
                    arrived[key] = datetime.fromisoformat(message["received_at"]).timestamp()
        time.sleep(0.5)
    return arrived


def latency(sent: dict, arrived: dict) -> dict:
    gaps = [(arrived[k] - sent[k]) * 1000 for k in sent if k in arrived]
    return {"enrollments": len(sent), "emails": len(arrived), "missing": len(sent) - len(arrived),
            "p50_ms": _percentile(gaps, 0.50), "p95_ms": _percentile(gaps, 0.95),
            "p99_ms": _percentile(gaps, 0.99),
            "mean_ms": statistics.fmean(gaps) if gaps else float("nan")}


def requests_file(path, base: str, pairs) -> None:
    """JSON lines of enrollment requests for the load generator."""
    with open(path, "w") as out:
        for officer, session in pairs:
            out.write(json.dumps({"method": "POST", "url": f"{base}/enrollments", "body":
                                  json.dumps({"participant_id": officer["id"],
                                              "session_id": session["id"]})}) + "\n")


def settled(busy: Callable[[], float], floor: float, timeout_s: float = 90,
            window_s: float = 2.0) -> dict:
    """Wait until ``busy()`` (a counter that grows with work: CPU seconds of the database, say)
    grows no faster than ``floor`` per second over a window, at most ``timeout_s``.

    A worker that just joined does start-up work that is not the pipeline's: its outbox relay
    reads every outbox collection whole (on FerretDB, every notification decoded), its due sweep
    reads the notifications of the hours it has not watched yet. Measured inside the window, it
    was billed to the emails (FerretDB's profile of a two-worker drain: a fifth of its CPU in
    `getMore` of those scans)."""
    began = time.monotonic()
    while True:
        before = busy()
        time.sleep(window_s)
        rate = (busy() - before) / window_s
        waited = time.monotonic() - began
        if rate <= floor or waited >= timeout_s:
            return {"waited_s": round(waited, 1), "rate": round(rate, 3), "floor": floor,
                    "settled": rate <= floor}
