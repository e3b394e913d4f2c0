"""Configuration from environment variables, read in this one module (no other module of
common/ or services/ reads the environment); defaults serve local use, except secrets: outside
development mode (`GLO_ACT_ENV=development`) they must be set. Each reader is called when the
value is needed, so a test or a process that sets a variable first is heard."""

import os
from dataclasses import dataclass
from datetime import timedelta

DEVELOPMENT_ENV = "GLO_ACT_ENV"
# Values in the repository, so anyone can read them: used only in development mode.
DEVELOPMENT_SECRETS = {
    "JWT_SECRET": "dev-only-secret-change-me-in-production-0123456789",
    "SERVICE_NUMBER_HASH_KEY": "dev-only-service-number-hash-key",
}
DEV_JWT_SECRET = DEVELOPMENT_SECRETS["JWT_SECRET"]
# Which secrets each process needs; every other process (the mint command, tests' own
# clients) needs only the token secret.
NEEDED_SECRETS = {"registration": ("JWT_SECRET", "SERVICE_NUMBER_HASH_KEY")}
GENERATE = 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'


class ConfigurationError(Exception):
    """The process cannot start as configured; the message says what to set."""


def env(name: str, default: str) -> str:
    """Read one environment variable, treating an empty value as unset."""
    value = os.environ.get(name, "")
    return value if value else default


def service_port(service: str) -> int:
    """The local port of a service's API, or the console's (`<SERVICE>_PORT`)."""
    # Each variable spelled out, so a search for its name finds where it is read.
    return int({"console": env("CONSOLE_PORT", "8000"),
                "registration": env("REGISTRATION_PORT", "8001"),
                "sessions": env("SESSIONS_PORT", "8002"),
                "notifications": env("NOTIFICATIONS_PORT", "8003")}[service])


def service_url(service: str) -> str:
    """Where a service's API answers: `<SERVICE>_URL`, else its local port."""
    configured = {"registration": env("REGISTRATION_URL", ""),
                  "sessions": env("SESSIONS_URL", ""),
                  "notifications": env("NOTIFICATIONS_URL", "")}[service]
    return (configured or f"http://127.0.0.1:{service_port(service)}").rstrip("/")


def topic_prefix() -> str:
    """`TOPIC_PREFIX`: empty in production; a throwaway stack's own names on a shared broker."""
    return env("TOPIC_PREFIX", "")


def worker_heartbeat_file() -> str:
    """`WORKER_HEARTBEAT_FILE`, which the consumer loop touches; empty: none is kept."""
    return env("WORKER_HEARTBEAT_FILE", "")


def metrics_multiprocess_dir() -> str:
    """`PROMETHEUS_MULTIPROC_DIR` (prometheus_client reads it too): empty for one process."""
    return env("PROMETHEUS_MULTIPROC_DIR", "")


def certificate_verify_base_url() -> str:
    """Where a certificate's QR code points, before its code (`CERTIFICATE_VERIFY_BASE_URL`)."""
    return env("CERTIFICATE_VERIFY_BASE_URL", "http://127.0.0.1:8002/certificates/")


def certificate_verify_limit() -> tuple[int, int]:
    """(requests, window seconds) from `CERTIFICATE_VERIFY_LIMIT`, e.g. `30/60`."""
    count, _, window = env("CERTIFICATE_VERIFY_LIMIT", "30/60").partition("/")
    return int(count), int(window or 60)


def service_number_hash_key() -> str:
    """The key registration hashes service numbers with (a secret)."""
    return secret("SERVICE_NUMBER_HASH_KEY")


@dataclass(frozen=True)
class HealthcheckSettings:
    """What a container's healthcheck (`python -m common.container_healthcheck`) looks at."""

    worker: bool
    heartbeat_file: str
    heartbeat_max_age_s: float
    port: int


def load_healthcheck() -> HealthcheckSettings:
    return HealthcheckSettings(
        worker=env("WORKER_ROLE", "") == "worker",
        heartbeat_file=env("WORKER_HEARTBEAT_FILE", "/tmp/worker-heartbeat"),  # noqa: S108
        heartbeat_max_age_s=float(env("WORKER_HEARTBEAT_MAX_AGE_SECONDS", "60")),
        port=int(env("PORT", "8000")),
    )


def development() -> bool:
    """Whether this process runs in development mode (`GLO_ACT_ENV=development`)."""
    return os.environ.get(DEVELOPMENT_ENV, "") == "development"


def secret(name: str) -> str:
    """A secret's value: the environment's, or the repository's own in development mode."""
    value = os.environ.get(name, "")
    if value and (development() or value != DEVELOPMENT_SECRETS.get(name)):
        return value
    if development():
        return DEVELOPMENT_SECRETS[name]
    raise ConfigurationError(_refusal([name]))


def check_secrets(service: str) -> None:
    """Refuse to start outside development mode while a secret is missing or a development value."""
    if development():
        return
    bad = [name for name in NEEDED_SECRETS.get(service, ("JWT_SECRET",))
           if os.environ.get(name, "") in ("", DEVELOPMENT_SECRETS[name])]
    if bad:
        raise ConfigurationError(_refusal(bad))


def _refusal(names: list[str]) -> str:
    lines = [f"  {name}: missing or a development value; set it in the environment (or .env "
             f"for docker compose) to a random value of its own, e.g. from `{GENERATE}`"
             for name in names]
    return ("refusing to start: these secrets are not set for production:\n" + "\n".join(lines)
            + f"\n(for local development only, set {DEVELOPMENT_ENV}=development to use the "
              "repository's development values)")


@dataclass(frozen=True)
class Settings:
    service: str
    stack: str
    kafka_bootstrap: str
    mongo_uri: str
    jwt_secret: str
    jwt_audience: str
    jwt_issuer: str
    jwt_max_ttl_s: int
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
    """Settings for ``service`` (registration, sessions or notifications); raises
    ConfigurationError outside development mode while one of its secrets is not set."""
    check_secrets(service)
    return Settings(
        service=service,
        stack=env("STACK_NAME", "glo"),
        kafka_bootstrap=env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        mongo_uri=env("MONGO_URI", "mongodb://127.0.0.1:27017/"),
        jwt_secret=secret("JWT_SECRET"),
        jwt_audience=env("JWT_AUDIENCE", "glo-act-platform"),
        jwt_issuer=env("JWT_ISSUER", "glo-act-platform"),
        jwt_max_ttl_s=int(env("JWT_MAX_TTL_SECONDS", str(12 * 3600))),
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


def parse_offsets(raw: str) -> tuple[timedelta, ...]:
    """`"7d,1d,2h,30m"` -> reminder offsets before a session starts, largest first."""
    units = {"d": "days", "h": "hours", "m": "minutes"}
    offsets = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        if part[-1] not in units or not part[:-1].isdigit():
            raise ValueError(f"reminder offset {part!r} is not like 7d, 24h or 30m")
        offsets.append(timedelta(**{units[part[-1]]: int(part[:-1])}))
    return tuple(sorted(offsets, reverse=True))


@dataclass(frozen=True)
class NotificationSettings:
    """Notifications' own knobs, besides the `Settings` every service has."""

    reminder_offsets: tuple[timedelta, ...]
    sender_interval_s: float
    sender_threads: int
    lease_s: float
    max_attempts: int
    backoff_s: float
    backoff_cap_s: float
    mail_from: str
    smtp_starttls: bool
    smtp_ssl: bool
    smtp_username: str
    smtp_password: str
    smtp_timeout_s: float
    extra_channels: str
    registration_url: str
    sessions_url: str


def load_notification_settings() -> NotificationSettings:
    """Notifications' own knobs (reminders, the sender, SMTP, channels, where contacts are)."""
    return NotificationSettings(
        reminder_offsets=parse_offsets(env("NOTIFICATION_REMINDER_OFFSETS", "7d,1d")),
        sender_interval_s=float(env("NOTIFICATION_SENDER_INTERVAL_SECONDS", "30")),
        sender_threads=max(1, int(env("NOTIFICATION_SENDER_THREADS", "4"))),
        lease_s=float(env("NOTIFICATION_LEASE_SECONDS", "120")),
        max_attempts=int(env("NOTIFICATION_MAX_ATTEMPTS", "6")),
        backoff_s=float(env("NOTIFICATION_BACKOFF_SECONDS", "5")),
        backoff_cap_s=float(env("NOTIFICATION_BACKOFF_CAP_SECONDS", "600")),
        mail_from=env("NOTIFICATION_MAIL_FROM", "GLO.ACT Programme <no-reply@glo-act.example>"),
        smtp_starttls=env("SMTP_STARTTLS", "false").lower() == "true",
        smtp_ssl=env("SMTP_SSL", "false").lower() == "true",
        smtp_username=env("SMTP_USERNAME", ""),
        smtp_password=env("SMTP_PASSWORD", ""),
        smtp_timeout_s=float(env("SMTP_TIMEOUT_SECONDS", "10")),
        # Further channels by configuration: "sms=package.module:SmsChannel,..."
        extra_channels=env("NOTIFICATION_CHANNELS", ""),
        # Where contact details are asked for (events carry none): the APIs' base URLs.
        registration_url=service_url("registration"),
        sessions_url=service_url("sessions"),
    )


DEV_CONSOLE_SECRET_KEY = "dev-only-console-key-change-me-in-production-0123"  # noqa: S105
MIN_SECRET_LENGTH = 32


class InsecureConfigError(RuntimeError):
    """A secret is missing or is the development one outside development mode."""


def development_mode() -> bool:
    """True only when GLO_ACT_ENV=development (make run, make test, make bench set it)."""
    return env("GLO_ACT_ENV", "") == "development"


@dataclass(frozen=True)
class ConsoleSettings:
    stack: str
    mongo_uri: str
    development: bool
    secret_key: str
    jwt_secret: str
    jwt_audience: str
    jwt_issuer: str
    secure_cookies: bool
    registration_url: str
    sessions_url: str
    notifications_url: str
    api_token_ttl_s: int
    api_timeout_s: float
    session_idle_s: int
    signin_window_s: int
    max_failures_per_account: int
    max_failures_per_address: int
    admin_email: str
    admin_password: str
    log_level: str
    max_body_bytes: int
    # Where a certificate's code is verified in public; empty: sessions' URL + /certificates/.
    certificate_verify_base_url: str = ""

    @property
    def database(self) -> str:
        return f"{self.stack}_console"

    @property
    def service(self) -> str:
        return "console"


def _secret(name: str, value: str, dev_value: str, development: bool) -> str:
    """The secret read from ``name``; outside development, never missing, short or the dev one."""
    value = value or (dev_value if development else "")
    if not development and (value == dev_value or len(value) < MIN_SECRET_LENGTH):
        raise InsecureConfigError(
            f"{name} must be set to a secret of at least {MIN_SECRET_LENGTH} characters "
            "(not the development one) unless GLO_ACT_ENV=development")
    return value


def load_console() -> ConsoleSettings:
    """The console's settings; outside development mode, refuses missing or development secrets."""
    development = development_mode()
    return ConsoleSettings(
        stack=env("STACK_NAME", "glo"),
        mongo_uri=env("MONGO_URI", "mongodb://127.0.0.1:27017/"),
        development=development,
        secret_key=_secret("CONSOLE_SECRET_KEY", env("CONSOLE_SECRET_KEY", ""),
                           DEV_CONSOLE_SECRET_KEY, development),
        jwt_secret=_secret("JWT_SECRET", env("JWT_SECRET", ""), DEV_JWT_SECRET, development),
        jwt_audience=env("JWT_AUDIENCE", "glo-act-platform"),
        jwt_issuer=env("JWT_ISSUER", "glo-act-platform"),
        # Plain-http localhost is allowed only in development; elsewhere cookies need TLS.
        secure_cookies=not development or env("CONSOLE_SECURE_COOKIES", "0") != "0",
        registration_url=service_url("registration"),
        sessions_url=service_url("sessions"),
        notifications_url=service_url("notifications"),
        api_token_ttl_s=int(env("CONSOLE_API_TOKEN_TTL_SECONDS", "300")),
        api_timeout_s=float(env("CONSOLE_API_TIMEOUT_SECONDS", "10")),
        session_idle_s=int(env("CONSOLE_SESSION_IDLE_SECONDS", str(8 * 3600))),
        signin_window_s=int(env("CONSOLE_SIGNIN_WINDOW_SECONDS", "900")),
        max_failures_per_account=int(env("CONSOLE_MAX_FAILURES_PER_ACCOUNT", "5")),
        max_failures_per_address=int(env("CONSOLE_MAX_FAILURES_PER_ADDRESS", "20")),
        admin_email=env("CONSOLE_ADMIN_EMAIL", "admin@glo-act.local"),
        admin_password=env("CONSOLE_ADMIN_PASSWORD", ""),
        log_level=env("LOG_LEVEL", "INFO"),
        max_body_bytes=int(env("MAX_BODY_BYTES", str(64 * 1024))),
        certificate_verify_base_url=env("CERTIFICATE_VERIFY_BASE_URL", ""),
    )
