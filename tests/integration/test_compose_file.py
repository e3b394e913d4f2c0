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
READS = re.compile(r"""(?:\benv|\bsecret|environ\.get|getenv)\(\s*["']([A-Z][A-Z0-9_]+)["']""")


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
    secrets = ("JWT_SECRET=", "SERVICE_NUMBER_HASH_KEY=", "SMTP_PASSWORD=",
               "MONGO_ROOT_PASSWORD=", "MONGO_APP_PASSWORD=", "MAILPIT_UI_AUTH=",
               "CONSOLE_SECRET_KEY=", "CONSOLE_ADMIN_PASSWORD=")
    committed = [line for line in (ROOT / ".env.example").read_text().splitlines()
                 if line.startswith(secrets) and line.split("=", 1)[1]]
    assert not committed, "no secret may be committed"


def _published(service: dict) -> list[str]:
    return [str(port) for port in service.get("ports", [])]


def test_published_ports_are_bound_to_loopback(compose):
    for name, service in compose["services"].items():
        for port in _published(service):
            assert port.startswith("127.0.0.1:"), f"{name} publishes {port} on every interface"
    assert _published(compose["services"]["mailpit"]), "the inbox is reachable from the host"


def test_the_mail_inbox_asks_for_a_password(compose):
    auth = compose["services"]["mailpit"]["environment"]["MP_UI_AUTH"]
    assert re.fullmatch(r"\$\{MAILPIT_UI_AUTH:\?[^}]+\}", auth), auth


def test_mongodb_has_a_root_user_and_the_services_connect_as_the_application_user(compose):
    mongo = compose["services"]["mongo"]
    env = mongo["environment"]
    assert env["MONGO_INITDB_ROOT_USERNAME"].startswith("${MONGO_ROOT_USERNAME:?")
    assert env["MONGO_INITDB_ROOT_PASSWORD"].startswith("${MONGO_ROOT_PASSWORD:?")
    init = [v for v in mongo["volumes"] if ":/docker-entrypoint-initdb.d/" in v]
    assert len(init) == 1, mongo["volumes"]
    script = (ROOT / init[0].split(":")[0]).read_text()
    assert "createUser" in script and "readWrite" in script
    assert "process.env.MONGO_APP_USERNAME" in script and "process.env.MONGO_APP_PASSWORD" in script
    assert env["MONGO_APP_USERNAME"].startswith("${MONGO_APP_USERNAME:?")
    for name in OURS:
        for role in ("api", "worker"):
            uri = compose["services"][f"{name}-{role}"]["environment"]["MONGO_URI"]
            assert re.match(r"mongodb://\$\{MONGO_APP_USERNAME:\?[^}]+\}:"
                            r"\$\{MONGO_APP_PASSWORD:\?[^}]+\}@mongo:27017/", uri), uri
            assert "ROOT" not in uri


EXACT = re.compile(r"[^:@]+:v?\d+\.\d+\.\d+(-[a-z0-9.-]+)?(@sha256:[0-9a-f]{64})?")


def test_every_pulled_image_is_an_exact_version(compose):
    for name, service in compose["services"].items():
        if "build" in service:  # built here from the Dockerfile below
            continue
        assert EXACT.fullmatch(service["image"]), f"{name}: {service['image']} floats"
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = set(re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", dockerfile, re.MULTILINE))
    bases = [base for base in re.findall(r"^FROM\s+(\S+)", dockerfile, re.MULTILINE)
             if base not in stages]  # a later stage built on an earlier one pulls nothing
    assert bases and all(EXACT.fullmatch(base) for base in bases), bases


def _seconds(duration: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    return sum(float(n) * units[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)([smh])", duration))


def test_apis_get_at_least_gunicorns_graceful_timeout_to_stop(compose):
    graceful = re.search(r"--graceful-timeout\s+(\d+)", (ROOT / "Dockerfile").read_text())
    assert graceful, "the Dockerfile's gunicorn sets --graceful-timeout"
    for name in OURS:
        service = compose["services"][f"{name}-api"]
        assert _seconds(service.get("stop_grace_period", "10s")) >= int(graceful.group(1)), name


def test_the_console_has_its_own_target_reads_its_environment_and_stays_on_this_host(compose):
    console = compose["services"]["console"]
    assert console["build"]["target"] == "console"
    assert "FROM base AS console" in (ROOT / "Dockerfile").read_text()
    unknown = set(console["environment"]) - _variables_the_code_reads()
    assert not unknown, f"the console sets variables no code reads: {sorted(unknown)}"
    assert all(port.startswith("127.0.0.1:") for port in console["ports"])
    assert "MONGO_URI" in console["environment"] and "KAFKA_BOOTSTRAP_SERVERS" not in \
        console["environment"]
