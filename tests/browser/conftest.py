"""The real stack with the console, started as `make run` starts it, and Chromium windows on it.

One stack for the browser suite, stopped when its last test ends (throwaway STACK_NAME and
TOPIC_PREFIX, every process on a free port). Screenshots go to .local/artifacts/browser/
(git-ignored); a failing test leaves there a screenshot and the HTML of every open window.
"""

import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from common.topics import catalogue
from devstack import browser, services
from devstack.infra import ensure_topics
from tests.browser.driver import DESKTOP, TABLET, Browser, open_chromium
from tests.conftest import remove_stack

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS") or ROOT / ".local" / "artifacts" / "browser")
# The three the README shows; `BROWSER_README_SCREENSHOTS=1` copies them there after a green run.
README_SHOTS = {"dashboard": "console-dashboard.png",
                "attendance-tablet": "console-attendance-tablet.png",
                "indicators": "console-indicators.png"}
ADMIN_EMAIL = "admin@glo-act.test"
ADMIN_PASSWORD = "first-admin-password-for-tests"
_OPEN: dict[str, Browser] = {}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and report.when in ("setup", "call") and "/browser/" in str(item.fspath):
        for name, window in list(_OPEN.items()):
            _keep_evidence(window, f"FAILED-{item.name}-{name}")
    return report


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("BROWSER_README_SCREENSHOTS") and exitstatus == 0:
        target = ROOT / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        for shot, name in README_SHOTS.items():
            shutil.copyfile(ARTIFACTS / f"{shot}.png", target / name)


def _keep_evidence(window: Browser, name: str) -> None:
    try:
        window.screenshot(name)
        (window.artifacts / f"{name}.html").write_text(window.html(), encoding="utf-8")
    except Exception as exc:  # noqa: BLE001 - evidence is best effort; the failure is reported
        print(f"could not save {name}: {exc}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def browser_tools():
    """Chromium, its driver and axe-core; fails (never skips) naming what to install."""
    problems = browser.missing()
    if problems:
        pytest.fail("the browser suite cannot run: missing " + "; ".join(problems)
                    + f". Install: {browser.INSTALL_HINT} (make test does this as root)",
                    pytrace=False)
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture(scope="package")
def console_stack(browser_tools, kafka_bootstrap, mongo_uri, tmp_path_factory):
    """Every API, worker and the console on free ports, the first admin created as make run
    creates it; yields the running stack (``console_url`` is the console's address)."""
    name = f"ui{uuid.uuid4().hex[:8]}"
    env = {"STACK_NAME": name, "TOPIC_PREFIX": f"{name}.", "OUTBOX_RELAY_GRACE_SECONDS": "2",
           "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "MONGO_URI": mongo_uri,
           "GLO_ACT_ENV": "development", "CONSOLE_ADMIN_EMAIL": ADMIN_EMAIL,
           "CONSOLE_ADMIN_PASSWORD": ADMIN_PASSWORD}
    ports = {s: _free_port() for s in (*services.SERVICES, "console")}
    ensure_topics(kafka_bootstrap, list(catalogue(f"{name}.")))
    log_dir = Path(os.environ.get("E2E_LOG_DIR") or tmp_path_factory.mktemp("browser-logs"))
    running = services.start(env, ports, log_dir, api_workers=2)
    try:
        services.wait_ready(running, timeout_s=90)
        created = subprocess.run([sys.executable, "-m", "services.console.accounts"],
                                 env={**os.environ, **env}, cwd=ROOT, capture_output=True,
                                 text=True, timeout=60)
        assert created.returncode == 0, f"creating the first admin failed:\n{created.stderr}"
        yield running
    finally:
        services.stop(running)
        remove_stack(name, mongo_uri, kafka_bootstrap)


def _window(name: str, size: tuple[int, int], base_url: str, tmp_path_factory):
    profile = tmp_path_factory.mktemp(f"chromium-{name}")
    driver = open_chromium(size, profile, ARTIFACTS / f"chromedriver-{name}.log")
    window = Browser(driver, base_url, ARTIFACTS, name)
    _OPEN[name] = window
    try:
        yield window
    finally:
        _OPEN.pop(name, None)
        driver.quit()


@pytest.fixture(scope="package")
def desktop(console_stack, tmp_path_factory):
    """A desktop-sized Chromium window (1280x900) with its own cookies."""
    yield from _window("desktop", DESKTOP, console_stack.console_url, tmp_path_factory)


@pytest.fixture(scope="package")
def tablet(console_stack, tmp_path_factory):
    """A tablet-sized Chromium window (820x1180, portrait), as in the training room."""
    yield from _window("tablet", TABLET, console_stack.console_url, tmp_path_factory)
