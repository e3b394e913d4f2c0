"""`make run`'s console accounts: the first admin, and with the demo a coordinator, a
facilitator (linked to the demo's regional advisor) and a viewer. Passwords are printed once."""

import requests

from services.console import accounts
from services.console.store import ConsoleStore

DEMO = (("coordinator@glo-act.local", "coordinator"), ("facilitator@glo-act.local", "facilitator"),
        ("viewer@glo-act.local", "viewer"))


def _demo_facilitator(sessions_url: str, token: str) -> str | None:
    """The demo's regional advisor (Marta Reyes), whom the facilitator account speaks for."""
    answer = requests.get(f"{sessions_url}/facilitators", params={"page_size": 100},
                          headers={"Authorization": f"Bearer {token}"}, timeout=10)
    answer.raise_for_status()
    return next((f["id"] for f in answer.json() if f["family_name"] == "Reyes"), None)


def create(mongo_uri: str, stack_name: str, admin_email: str, admin_password: str | None,
           sessions_url: str, token: str, with_demo: bool) -> list[tuple[str, str, str]]:
    """(email, role, password) of each account made ready; a development stack's accounts get
    a fresh password on every start, so the printed one always works."""
    store = ConsoleStore(mongo_uri, f"{stack_name}_console")
    store.ensure_indexes()
    made = [(admin_email, "admin",
             accounts.ensure(store, admin_email, "admin", admin_password, reset=True))]
    if with_demo:
        facilitator_id = _demo_facilitator(sessions_url, token)
        for email, role in DEMO:
            if role == "facilitator" and facilitator_id is None:
                continue
            made.append((email, role, accounts.ensure(
                store, email, role, facilitator_id=facilitator_id if role == "facilitator"
                else None, reset=True)))
    return made
