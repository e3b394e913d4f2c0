"""Operations (admin): each service's health, consumer lag and outbox backlog."""

import requests
from flask import Blueprint, redirect, render_template, request, url_for
from prometheus_client.parser import text_string_to_metric_families

from services.console.clients.base import ApiRefusedError, ServiceDownError
from services.console.web import (
    notifications_api,
    registration_api,
    sessions_api,
    settings,
    signed_in,
)

blp = Blueprint("operations", __name__, url_prefix="/operations")

WATCHED = ("consumer_lag", "outbox_backlog", "dlq_messages")


def _health(url: str) -> str:
    try:
        answer = requests.get(f"{url}/health/ready", timeout=3)
    except requests.RequestException:
        return "not answering"
    if answer.status_code == 200:
        return "ready"
    try:
        return "not ready: " + "; ".join(answer.json().get("reasons", []))
    except ValueError:
        return f"not ready ({answer.status_code})"


def _figures(text: str) -> list[dict]:
    """Lag, backlog and dead letters from Prometheus text, one row per labelled sample."""
    rows = []
    for family in text_string_to_metric_families(text):
        if not any(family.name.startswith(w) for w in WATCHED):
            continue
        for sample in family.samples:
            labels = ", ".join(f"{k}={v}" for k, v in sorted(sample.labels.items())
                               if k not in ("pid",))
            rows.append({"name": sample.name, "labels": labels, "value": sample.value})
    return rows


@blp.route("")
@signed_in("operate")
def overview():
    s = settings()
    services = []
    for name, url, client in (("registration", s.registration_url, registration_api()),
                              ("sessions", s.sessions_url, sessions_api()),
                              ("notifications", s.notifications_url, notifications_api())):
        try:
            figures, problem = _figures(client.metrics()), None
            letters = client.dead_letters()
        except (ServiceDownError, ApiRefusedError) as exc:
            figures, letters, problem = [], [], str(exc)
        services.append({"name": name, "health": _health(url), "figures": figures,
                         "letters": letters, "problem": problem})
    return render_template("operations.html", services=services,
                           replayed=request.args.get("replayed"))


CLIENTS = {"registration": registration_api, "sessions": sessions_api,
           "notifications": notifications_api}


@blp.route("/<service>/replay", methods=["POST"])
@signed_in("operate")
def replay(service):
    """Replay one service's dead letters of one topic; each is applied once."""
    if service not in CLIENTS:
        return render_template("message.html", title="Not found", message="no such service"), 404
    done = CLIENTS[service]().replay_dead_letters(request.form.get("topic", ""))
    return redirect(url_for("operations.overview",
                            replayed=f"{service}: {done['replayed']} from {done['topic']}"), 303)
