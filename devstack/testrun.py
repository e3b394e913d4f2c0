"""`make test`: bring up what the tests need, run them all, stop what was started."""

import os
import subprocess
import sys
import time

from devstack import browser, infra, system_packages


def main(argv: list[str]) -> int:
    started = time.monotonic()
    print("==> lint (ruff)")
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "."])
    if lint.returncode != 0:
        print("!! ruff found problems; run `make lint` and fix them")
        return lint.returncode
    system_packages.ensure(system_packages.RENDERING, "certificate and report PDFs")
    if _selects_browser_suite(argv):
        browser.ensure()  # what it cannot install, tests/browser reports as a failure
    local = infra.up()
    try:
        env = {**os.environ, **local.env()}
        print("==> tests: unit, integration, end to end")
        result = subprocess.run([sys.executable, "-m", "pytest", *argv], env=env)
        print(f"==> tests finished in {time.monotonic() - started:.0f}s "
              f"(exit {result.returncode})")
        return result.returncode
    finally:
        infra.down(local.started)


def _selects_browser_suite(argv: list[str]) -> bool:
    """True unless the paths given leave tests/browser out (no path means every suite)."""
    paths = [arg.split("::")[0].rstrip("/") for arg in argv if not arg.startswith("-")]
    return not paths or any(p in ("tests", ".") or "browser" in p for p in paths)
