"""Debian packages the project needs beside its Python ones, installed with apt-get if missing."""

import os
import shutil
import subprocess

# What the certificate and report PDFs need: Pango shapes text (Urdu included), the Noto fonts
# carry Naskh and Nastaliq, poppler-utils renders PDF pages to PNG for the README.
RENDERING = ["libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-noto-core",
             "fonts-dejavu-core", "poppler-utils"]


def _missing(packages: list[str]) -> list[str]:
    missing = []
    for package in packages:
        found = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                               capture_output=True, text=True)
        if "install ok installed" not in found.stdout:
            missing.append(package)
    return missing


def ensure(packages: list[str], why: str) -> None:
    """Install whichever of ``packages`` is missing (apt-get, as root), saying ``why``."""
    if shutil.which("dpkg-query") is None:
        raise SystemExit(f"!! {why} needs the Debian packages {' '.join(packages)}; this is not "
                         "a Debian system: install their equivalents")
    missing = _missing(packages)
    if not missing:
        return
    print(f"==> installing {' '.join(missing)} ({why})")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*sudo, "apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]
    if subprocess.run(install, env=env).returncode != 0:
        # The package lists may be missing or stale: refresh them once, then try again.
        subprocess.run([*sudo, "apt-get", "update", "-q"], env=env, check=True)
        subprocess.run(install, env=env, check=True)
