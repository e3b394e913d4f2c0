"""Feedback rules: one per participant per session that took place; quotable comments."""

from services.sessions.domain.errors import IllegalTransitionError
from services.sessions.domain.lifecycle_rules import HELD


def check_open(session: dict) -> None:
    if session["status"] not in HELD:
        raise IllegalTransitionError(
            f"feedback is given once a session has taken place; it is {session['status']}")


def quotable(feedbacks: list[dict]) -> list[str]:
    """Comments whose authors consented to be quoted anonymously, without who said them."""
    return [f["comments"] for f in feedbacks
            if f.get("consent_to_quote") and (f.get("comments") or "").strip()]
