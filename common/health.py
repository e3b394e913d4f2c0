"""Liveness and readiness: MongoDB answers ping, Kafka answers a metadata request."""

import threading
import time

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from kafka.admin import KafkaAdminClient

from common.mongo import client

blp = Blueprint("health", __name__, url_prefix="/health", description="Liveness and readiness")

_kafka_lock = threading.Lock()
_kafka: dict = {}


def mongo_ready(uri: str) -> str | None:
    """None when MongoDB answers ping, else the reason."""
    try:
        client(uri).admin.command("ping")
        return None
    except Exception as exc:
        return f"MongoDB unavailable: {type(exc).__name__}"


def kafka_ready(bootstrap: str, cache_s: float = 1.0) -> str | None:
    """None when the broker answers a metadata request, else the reason (cached briefly)."""
    with _kafka_lock:
        cached = _kafka.get("result")
        if cached and time.monotonic() - cached[0] < cache_s:
            return cached[1]
        reason = None
        try:
            admin = _kafka.get("admin")
            if admin is None:
                admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="readiness",
                                         bootstrap_timeout_ms=2000, request_timeout_ms=2000)
                _kafka["admin"] = admin
            admin.describe_cluster()
        except Exception as exc:
            reason = f"Kafka unavailable: {type(exc).__name__}"
            admin = _kafka.pop("admin", None)
            if admin is not None:
                try:
                    admin.close()
                except Exception:  # noqa: S110 - a broken client is dropped either way
                    pass
        _kafka["result"] = (time.monotonic(), reason)
        return reason


@blp.route("/live")
class Live(MethodView):
    @blp.doc(security=[])
    def get(self):
        """The process is up."""
        return {"status": "ok"}


@blp.route("/ready")
class Ready(MethodView):
    @blp.doc(security=[])
    def get(self):
        """MongoDB and Kafka both answer; 503 with the reasons otherwise."""
        settings = current_app.config["SETTINGS"]
        reasons = [r for r in (mongo_ready(settings.mongo_uri),
                               kafka_ready(settings.kafka_bootstrap)) if r]
        if reasons:
            return {"status": "unavailable", "reasons": reasons}, 503
        return {"status": "ok"}
