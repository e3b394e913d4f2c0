"""docker-compose.yml is checked here, where no Docker engine runs: schema, wiring, variables."""

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from devstack.compose_schema import schema_path

ROOT = Path(__file__).resolve().parents[2]
OURS = ("registration", "sessions", "notifications")
READS = re.compile(r"""(?:\benv|environ\.get|getenv)\(\s*["']([A-Z][A-Z0-9_]+)["']""")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _variables_the_code_reads() -> set[str]:
    names = set()
    for folder in ("common", "services", "operations"):
        for source in (ROOT / folder).rglob("*.py"):
            names |= set(READS.findall(source.read_text()))
    return names


def test_compose_file_matches_the_compose_schema(compose):
    schema = json.loads(schema_path().read_text())
    jsonschema.Draft201909Validator(schema).validate(compose)


def test_every_service_has_an_api_and_a_worker_from_the_same_image(compose):
    services = compose["services"]
    for name in OURS:
        api, worker = services[f"{name}-api"], services[f"{name}-worker"]
        assert api["image"] == worker["image"]
        assert api["build"]["args"]["SERVICE"] == name
        assert worker["command"] == ["python", "-m", f"services.{name}.worker"]


def test_infrastructure_runs_the_real_images(compose):
    images = {name: compose["services"][name]["image"].split(":")[0]
              for name in ("kafka", "topics", "mongo", "mailpit")}
    assert images == {"kafka": "apache/kafka", "topics": "apache/kafka", "mongo": "mongo",
                      "mailpit": "axllent/mailpit"}


def test_every_long_running_service_has_a_healthcheck(compose):
    image_healthcheck = "HEALTHCHECK" in (ROOT / "Dockerfile").read_text()
    for name, service in compose["services"].items():
        if name == "topics":  # a one-shot job: the others wait for it to complete
            continue
        assert "healthcheck" in service or ("build" in service and image_healthcheck), name


def test_dependencies_wait_for_health_and_have_healthchecks(compose):
    services = compose["services"]
    for name, service in services.items():
        for dependency, rule in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            if rule["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no healthcheck"


def test_each_services_environment_is_read_by_the_code(compose):
    read = _variables_the_code_reads()
    for name in OURS:
        for role in ("api", "worker"):
            unknown = set(compose["services"][f"{name}-{role}"]["environment"]) - read
            assert not unknown, f"{name}-{role} sets variables no code reads: {sorted(unknown)}"


def test_env_example_lists_every_variable_compose_interpolates():
    text = (ROOT / "docker-compose.yml").read_text()
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    example = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines()
               if line and not line.startswith("#")}
    assert interpolated <= example, f"missing from .env.example: {interpolated - example}"
    secrets = ("JWT_SECRET=", "CONTACT_SEALING_KEY=", "SERVICE_NUMBER_HASH_KEY=", "SMTP_PASSWORD=",
               "CONSOLE_SECRET_KEY=", "CONSOLE_ADMIN_PASSWORD=")
    committed = [line for line in (ROOT / ".env.example").read_text().splitlines()
                 if line.startswith(secrets) and line.split("=", 1)[1]]
    assert not committed, "no secret may be committed"


def test_the_console_has_its_own_target_reads_its_environment_and_stays_on_this_host(compose):
    console = compose["services"]["console"]
    assert console["build"]["target"] == "console"
    assert "FROM base AS console" in (ROOT / "Dockerfile").read_text()
    unknown = set(console["environment"]) - _variables_the_code_reads()
    assert not unknown, f"the console sets variables no code reads: {sorted(unknown)}"
    assert all(port.startswith("127.0.0.1:") for port in console["ports"])
    assert "MONGO_URI" in console["environment"] and "KAFKA_BOOTSTRAP_SERVERS" not in \
        console["environment"]
