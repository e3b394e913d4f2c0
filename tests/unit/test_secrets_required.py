"""Outside development mode a service does not start on a missing or development secret."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from common import config

ROOT = Path(__file__).resolve().parents[2]
STRONG = {"JWT_SECRET": "a-production-jwt-secret-of-at-least-32-characters",
          "SERVICE_NUMBER_HASH_KEY": "a-production-service-number-key-0123456789"}


@pytest.fixture
def production(monkeypatch):
    monkeypatch.delenv("GLO_ACT_ENV", raising=False)
    for name in STRONG:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_missing_secrets_are_each_named_with_how_to_set_them(production):
    with pytest.raises(config.ConfigurationError) as refused:
        config.load("registration")
    message = str(refused.value)
    assert "JWT_SECRET" in message and "SERVICE_NUMBER_HASH_KEY" in message
    assert "GLO_ACT_ENV=development" in message
    assert "secrets.token_urlsafe" in message


def test_a_development_value_is_refused_outside_development(production):
    production.setenv("JWT_SECRET", config.DEVELOPMENT_SECRETS["JWT_SECRET"])
    with pytest.raises(config.ConfigurationError, match="JWT_SECRET"):
        config.load("sessions")


def test_each_service_needs_only_its_own_secrets(production):
    production.setenv("JWT_SECRET", STRONG["JWT_SECRET"])
    assert config.load("sessions").jwt_secret == STRONG["JWT_SECRET"]
    with pytest.raises(config.ConfigurationError, match="SERVICE_NUMBER_HASH_KEY"):
        config.load("registration")


def test_real_secrets_are_used_outside_development(production):
    for name, value in STRONG.items():
        production.setenv(name, value)
    assert config.load("registration").jwt_secret == STRONG["JWT_SECRET"]


def test_development_mode_runs_on_the_development_values(production):
    production.setenv("GLO_ACT_ENV", "development")
    assert config.load("registration").jwt_secret == config.DEVELOPMENT_SECRETS["JWT_SECRET"]


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("GLO_ACT_ENV", *STRONG)}
    env["MONGO_URI"] = "mongodb://127.0.0.1:9/"  # nothing is reached before the refusal
    env["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:9"
    return subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("command", [
    ("-m", "common.auth", "mint", "--subject", "ops", "--role", "viewer"),
    ("-m", "services.registration.worker"),
    ("-c", "from services.registration.app import create_app; create_app()"),
], ids=["mint", "worker", "api"])
def test_processes_refuse_to_start_and_say_which_secret(command):
    finished = _run(*command)
    assert finished.returncode != 0
    assert "JWT_SECRET" in finished.stderr
    assert "SERVICE_NUMBER_HASH_KEY" in finished.stderr or command[1] == "common.auth"
    assert "eyJ" not in finished.stdout  # no token was printed
