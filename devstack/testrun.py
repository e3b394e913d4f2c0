"""`make test`: bring up what the tests need, run them all, stop what was started."""

import os
import subprocess
import sys
import time

from devstack import infra, system_packages


def main(argv: list[str]) -> int:
    started = time.monotonic()
    print("==> lint (ruff)")
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "."])
    if lint.returncode != 0:
        print("!! ruff found problems; run `make lint` and fix them")
        return lint.returncode
    system_packages.ensure(system_packages.RENDERING, "certificate and report PDFs")
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
