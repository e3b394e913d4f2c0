"""Fan-out: one reschedule or cancellation, and the emails it sends to everyone enrolled."""

import time
from datetime import datetime

import requests


def _arrivals(inbox: str, addresses: set[str], since: float) -> dict[str, float]:
    """The first message each address received at or after ``since`` (epoch seconds)."""
    first: dict[str, float] = {}
    for message in requests.get(f"{inbox}/messages", timeout=60).json():
        if not message.get("received_at"):
            continue
        at = datetime.fromisoformat(message["received_at"]).timestamp()
        for to in message.get("to", []):
            to = to.lower()
            if to in addresses and at >= since and at < first.get(to, float("inf")):
                first[to] = at
    return first


def received(inbox: str, addresses: set[str]) -> int:
    """How many messages these addresses hold so far."""
    return sum(1 for m in requests.get(f"{inbox}/messages", timeout=60).json()
               if {t.lower() for t in m.get("to", [])} & addresses)


def settle(inbox: str, officers: list[dict], per_officer: int, timeout_s: float) -> int:
    """Wait until each officer's earlier emails (acknowledgement, confirmation) have arrived."""
    addresses = {o["email"].lower() for o in officers}
    deadline = time.monotonic() + timeout_s
    while (have := received(inbox, addresses)) < per_officer * len(officers) \
            and time.monotonic() < deadline:
        time.sleep(3)
    return have


def _one(url: str, headers: dict, inbox: str, addresses: set[str], body: dict,
         timeout_s: float) -> dict:
    time.sleep(1.1)  # the sink's clock and ours: nothing from before this request counts
    began = time.time()
    answer = requests.post(url, json=body, headers=headers, timeout=120)
    answered = time.time() - began
    if answer.status_code >= 300:
        return {"error": f"{answer.status_code} {answer.text[:200]}"}
    deadline = time.monotonic() + timeout_s
    arrived: dict[str, float] = {}
    while time.monotonic() < deadline:
        time.sleep(3)
        arrived = _arrivals(inbox, addresses, began)
        if len(arrived) == len(addresses):
            break
    times = sorted(arrived.values())
    return {"officers": len(addresses), "emails": len(arrived),
            "request_s": round(answered, 2),
            "first_s": round(times[0] - began, 2) if times else None,
            "last_s": round(times[-1] - began, 2) if len(times) == len(addresses) else None,
            "waited_s": timeout_s}


def reschedule_and_cancel(sessions_url: str, headers: dict, inbox: str, session: dict,
                          officers: list[dict], timeout_s: float, idle) -> dict:
    """Reschedule the session, wait for every officer's email; cancel it, the same.

    ``idle()`` waits for the pipeline's backlog first, so each is measured on its own."""
    addresses = {o["email"].lower() for o in officers}
    base = f"{sessions_url}/sessions/{session['id']}"
    found = {}
    for action, body in (("reschedule", {"starts_at": "2031-04-25T09:00:00+05:00",
                                         "ends_at": "2031-04-26T17:00:00+05:00"}),
                         ("cancel", {"reason": "Bench: the venue is closed"})):
        left = idle()
        found[action] = {"backlog_before": left, **_one(f"{base}/{action}", headers, inbox,
                                                        addresses, body, timeout_s)}
    return found
