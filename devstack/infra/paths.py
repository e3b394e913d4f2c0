"""Where local infrastructure keeps its state and caches, which ports it uses, and every other
environment variable the developer's tools read (devstack reads none elsewhere; what the
services read is `common.config`'s)."""

from __future__ import annotations

import os
import pathlib

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"


def env(name: str, default: str = "") -> str:
    """An environment variable, an empty value counting as unset."""
    value = os.environ.get(name, "").strip()
    return value or default


def state_dir() -> pathlib.Path:
    """Root of the local state (data, logs, pid files, configs): ``$GLO_ACT_STATE`` or .local/."""
    override = env("GLO_ACT_STATE")
    return pathlib.Path(override).expanduser().resolve() if override else REPO_ROOT / ".local"


def cache_dir() -> pathlib.Path:
    """Downloads and builds shared by every clone on this machine."""
    return pathlib.Path(env("GLO_ACT_CACHE", "~/.cache/glo-act")).expanduser().resolve()


def logs_dir() -> pathlib.Path:
    return _mkdir(state_dir() / "logs")


def run_dir() -> pathlib.Path:
    return _mkdir(state_dir() / "run")


def component_dir(name: str) -> pathlib.Path:
    return _mkdir(state_dir() / name)


def log_file(name: str) -> pathlib.Path:
    return logs_dir() / f"{name}.log"


def pid_file(name: str) -> pathlib.Path:
    return run_dir() / f"{name}.pid"


def port(var: str, default: int) -> int:
    value = env(var, str(default))
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{var}={value!r} is not a port number") from None


def kafka_port() -> int:
    return port("KAFKA_PORT", 9092)


def kafka_controller_port() -> int:
    return port("KAFKA_CONTROLLER_PORT", 9093)


def mongo_port() -> int:
    return port("MONGO_PORT", 27017)


def smtp_port() -> int:
    return port("SMTP_PORT", 1025)


def smtp_http_port() -> int:
    return port("SMTP_HTTP_PORT", 1080)


def api_workers() -> int:
    """Gunicorn workers per API under `make run`: `API_WORKERS`, else one per core."""
    return int(env("API_WORKERS") or os.cpu_count() or 2)


def chromium() -> pathlib.Path:
    """The browser the browser suite drives: `CHROMIUM_BINARY`, else Debian's."""
    return pathlib.Path(env("CHROMIUM_BINARY", "/usr/bin/chromium"))


def chromedriver() -> pathlib.Path:
    return pathlib.Path(env("CHROMEDRIVER", "/usr/bin/chromedriver"))


def java_home() -> str:
    """`JAVA_HOME`, empty when unset (then `java` is looked up on the PATH)."""
    return env("JAVA_HOME")


def _mkdir(path: pathlib.Path) -> pathlib.Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
