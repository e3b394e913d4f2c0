"""Configuration from environment variables, read in this one module; defaults serve local use,
except secrets: outside development mode (`GLO_ACT_ENV=development`) they must be set."""

import os
from dataclasses import dataclass

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


LOCAL_PORTS = {"console": 8000, "registration": 8001, "sessions": 8002, "notifications": 8003}


def service_port(service: str) -> int:
    """The local port of a service's API (or the console's): `<SERVICE>_PORT`, else the default."""
    return int(env(f"{service.upper()}_PORT", str(LOCAL_PORTS[service])))


def service_url(service: str) -> str:
    """Where a service's API answers: `<SERVICE>_URL`, else its local port."""
    return env(f"{service.upper()}_URL", f"http://127.0.0.1:{service_port(service)}").rstrip("/")


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
