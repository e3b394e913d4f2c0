"""The Kafka broker's jars, fetched from Maven Central with infra/kafka/pom.xml, cached."""

from __future__ import annotations

import hashlib
import pathlib
import re
import shutil
import subprocess
import time
from collections import deque
from collections.abc import Callable

from devstack.infra import paths, procs
from devstack.infra.procs import InfraError

VERSION = "4.1.1"
POM = paths.REPO_ROOT / "infra" / "kafka" / "pom.xml"
DOWNLOADED = re.compile(r"Downloaded from \S+: \S+/(?P<file>[^/\s]+\.jar) (?P<size>\([^)]*\))")
Log = Callable[[str], None]


def ensure_jars(log: Log = procs.say) -> pathlib.Path:
    """The broker's jars in the cache, fetched with Maven the first time or when the pom changed."""
    home = paths.cache_dir() / f"kafka-{VERSION}"
    libs, marker = home / "libs", home / ".complete"
    digest = hashlib.sha256(POM.read_bytes()).hexdigest()
    if marker.exists() and marker.read_text().strip() == digest and libs.is_dir():
        return libs
    mvn = shutil.which("mvn")
    if mvn is None:
        raise InfraError("kafka: `mvn` not found; install Maven 3 (e.g. apt-get install maven)")
    log(f"==> fetching Kafka {VERSION} jars from Maven Central (first run only, ~1 min)")
    t0 = time.monotonic()
    partial = home / "libs.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    cmd = [mvn, "-B", "-f", str(POM), "dependency:copy-dependencies",
           f"-DoutputDirectory={partial}", "-DincludeScope=runtime"]
    last: deque[str] = deque(maxlen=40)
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          stdin=subprocess.DEVNULL) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            last.append(line.rstrip())
            match = DOWNLOADED.search(line)
            if match:
                log(f"    downloaded {match['file']} {match['size']}")
            elif "ERROR" in line:
                log("    " + line.rstrip())
    if proc.returncode != 0:
        raise InfraError("kafka: Maven could not fetch the jars:\n" + "\n".join(last) +
                         "\nCheck access to Maven Central, then run `make infra-up` again")
    shutil.rmtree(libs, ignore_errors=True)
    partial.replace(libs)
    marker.write_text(digest + "\n")
    count = len(list(libs.glob("*.jar")))
    log(f"    {count} jars in {libs} ({procs.seconds(t0)})")
    return libs
