"""What the browser suite needs: Debian's Chromium and its driver, and axe-core from npm.

`make test` calls `ensure()` before pytest. It installs only what is missing (apt-get as root,
`npm ci` for the pinned axe-core) and never hides a failure: what could not be had is returned
and put in BROWSER_UNAVAILABLE, and tests/browser then fails naming what to install.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

from devstack.infra import paths

CHROMIUM = paths.chromium()
CHROMEDRIVER = paths.chromedriver()
APT_PACKAGES = ("chromium", "chromium-driver", "fonts-dejavu-core")
PACKAGE_DIR = Path(__file__).resolve().parents[1] / "tests" / "browser"
AXE = PACKAGE_DIR / "node_modules" / "axe-core" / "axe.min.js"
INSTALL_HINT = ("as root: apt-get update && apt-get install -y chromium chromium-driver; "
                "then: npm ci --prefix tests/browser")


def missing() -> list[str]:
    """What the browser suite lacks on this machine, in words a developer can act on."""
    problems = []
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            problems.append(f"{path} (Debian package {package})")
    if not AXE.is_file():
        problems.append("tests/browser/node_modules/axe-core (npm ci --prefix tests/browser)")
    elif _installed_axe() != _pinned_axe():
        problems.append(f"axe-core {_pinned_axe()} (installed: {_installed_axe()}; "
                        "npm ci --prefix tests/browser)")
    return problems


def _pinned_axe() -> str:
    return json.loads((PACKAGE_DIR / "package.json").read_text())["dependencies"]["axe-core"]


def _installed_axe() -> str | None:
    try:
        return json.loads((AXE.parent / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def _run(step: str, command: list[str]) -> bool:
    print(f"==> browser suite: {step}: {' '.join(command)}", flush=True)
    result = subprocess.run(command, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        print(f"!! {step} failed (exit {result.returncode}):\n{result.stdout[-2000:]}")
    return result.returncode == 0


def _install_chromium() -> None:
    if os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK):
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        print("!! browser suite: Chromium is missing and this is not root on a Debian machine; "
              f"{INSTALL_HINT}")
        return
    # The package lists may be absent on a fresh machine: apt-get install would find nothing.
    wait_for_lock = ["-o", "DPkg::Lock::Timeout=300"]  # another apt-get may be running
    if _run("Debian's package lists", ["apt-get", *wait_for_lock, "update", "-q"]):
        _run("Chromium and its driver", ["apt-get", *wait_for_lock, "install", "-y", "-q",
                                         "--no-install-recommends", *APT_PACKAGES])


def _install_axe() -> None:
    if AXE.is_file() and _installed_axe() == _pinned_axe():
        return
    if shutil.which("npm") is None:
        print("!! browser suite: npm is missing; install Node.js and npm, then "
              "npm ci --prefix tests/browser")
        return
    _run(f"axe-core {_pinned_axe()} from npm",
         ["npm", "ci", "--prefix", str(PACKAGE_DIR), "--no-audit", "--no-fund"])


def ensure() -> list[str]:
    """Install what is missing; return what is still missing (empty when all is there)."""
    _install_chromium()
    _install_axe()
    problems = missing()
    if problems:
        print("!! the browser suite will fail: missing " + "; ".join(problems))
    else:
        print(f"==> browser suite: {CHROMIUM}, {CHROMEDRIVER} and axe-core {_pinned_axe()} ready")
    return problems
