"""Configuration from environment variables, read in this one module; defaults serve local use."""

import os
from dataclasses import dataclass

DEV_JWT_SECRET = "dev-only-secret-change-me-in-production-0123456789"  # noqa: S105


def env(name: str, default: str) -> str:
    """Read one environment variable, treating an empty value as unset."""
    value = os.environ.get(name, "")
    return value if value else default


@dataclass(frozen=True)
class Settings:
    service: str
    stack: str
    kafka_bootstrap: str
    mongo_uri: str
    jwt_secret: str
    jwt_audience: str
    jwt_issuer: str
    max_body_bytes: int
    consumer_max_attempts: int
    consumer_backoff_s: float
    relay_interval_s: float
    relay_grace_s: float
    relay_quiet_s: float
    processed_events_days: float
    idempotency_key_hours: float
    smtp_host: str
    smtp_port: int
    log_level: str

    @property
    def database(self) -> str:
        """This service's own database: one per service, prefixed by the stack name."""
        return f"{self.stack}_{self.service}"

    @property
    def consumer_group(self) -> str:
        return f"{self.stack}.{self.service}"


def load(service: str) -> Settings:
    """Settings for ``service`` (registration, sessions or notifications)."""
    return Settings(
        service=service,
        stack=env("STACK_NAME", "glo"),
        kafka_bootstrap=env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        mongo_uri=env("MONGO_URI", "mongodb://127.0.0.1:27017/"),
        jwt_secret=env("JWT_SECRET", DEV_JWT_SECRET),
        jwt_audience=env("JWT_AUDIENCE", "glo-act-platform"),
        jwt_issuer=env("JWT_ISSUER", "glo-act-platform"),
        max_body_bytes=int(env("MAX_BODY_BYTES", str(64 * 1024))),
        consumer_max_attempts=int(env("CONSUMER_MAX_ATTEMPTS", "5")),
        consumer_backoff_s=float(env("CONSUMER_BACKOFF_SECONDS", "0.2")),
        relay_interval_s=float(env("OUTBOX_RELAY_INTERVAL_SECONDS", "10")),
        relay_grace_s=float(env("OUTBOX_RELAY_GRACE_SECONDS", "5")),
        relay_quiet_s=float(env("OUTBOX_RELAY_QUIET_SECONDS", "60")),
        # Far longer than any redelivery (Kafka keeps 7 days by default); a dead-lettered event
        # was never recorded, so a DLQ replay does not depend on this.
        processed_events_days=float(env("PROCESSED_EVENTS_RETENTION_DAYS", "30")),
        idempotency_key_hours=float(env("IDEMPOTENCY_KEY_RETENTION_HOURS", "24")),
        smtp_host=env("SMTP_HOST", "127.0.0.1"),
        smtp_port=int(env("SMTP_PORT", "1025")),
        log_level=env("LOG_LEVEL", "INFO"),
    )
