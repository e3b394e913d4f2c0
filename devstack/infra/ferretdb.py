"""FerretDB 1.24.2: the MongoDB wire protocol over SQLite files, built from source with Go."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import time
import urllib.parse
from collections import deque
from collections.abc import Callable

from devstack.infra import paths, procs
from devstack.infra.procs import InfraError

VERSION = "v1.24.2"
MODULE = "github.com/FerretDB/FerretDB"
NAME = "ferretdb"
TOKEN = "--handler=sqlite"  # noqa: S105 - a command-line marker, not a secret
READY_DEADLINE_S = 30
Log = Callable[[str], None]


# One patch, applied to the module source before it is built (`FERRETDB_STOCK=1` builds the
# release as it is). FerretDB's SQLite backend creates the `_id` index on
# `_ferretdb_sjson->"_id"` but looks documents up by `_ferretdb_sjson->'$._id'`: the same value,
# a different expression, so SQLite never uses the index and every find, update and delete by
# `_id` reads the whole table (EXPLAIN QUERY PLAN: SCAN). `python -m bench.id_lookups` measures
# it: an update by `_id` among 10,000 documents took 47 ms stock, 1.3 ms patched. The documents
# returned are the same; only the plan changes.
ID_INDEX_PATCH = (
    "internal/backends/sqlite/metadata/metadata.go",
    'IDColumn = DefaultColumn + "->\'$._id\'"',
    'IDColumn = DefaultColumn + `->"_id"`',
)


def stock() -> bool:
    return paths.env("FERRETDB_STOCK", "") not in ("", "0")


def binary_path() -> pathlib.Path:
    flavour = "" if stock() else "-idindex"
    return paths.cache_dir() / f"ferretdb-{VERSION}{flavour}" / "ferretdb"


def _apply_patch(src: pathlib.Path) -> None:
    relative, old, new = ID_INDEX_PATCH
    path = src / relative
    text = path.read_text()
    if old not in text:
        raise InfraError(f"ferretdb: the `_id` index patch no longer applies to {relative}; "
                         "set FERRETDB_STOCK=1 to build the release as it is")
    path.write_text(text.replace(old, new, 1))


def _works(binary: pathlib.Path) -> bool:
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, timeout=20,
                             stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0


def ensure_binary(log: Log = procs.say) -> pathlib.Path:
    """The ferretdb binary in the cache, built the first time.

    A plain ``go install .../cmd/ferretdb@v1.24.2`` gives a binary that panics at start-up
    ("Invalid build/version/version.txt"): that file is generated and not in the module zip.
    So the module source is copied out of Go's module cache, given the file, and built there.
    """
    binary = binary_path()
    home = binary.parent
    marker = home / ".complete"
    if binary.exists() and (marker.exists() or _works(binary)):
        marker.touch()
        return binary
    go = shutil.which("go")
    if go is None:
        raise InfraError("ferretdb: `go` not found; install Go 1.24+ to build FerretDB")
    log(f"==> building FerretDB {VERSION} with go (first run only, a few minutes)")
    t0 = time.monotonic()
    home.mkdir(parents=True, exist_ok=True)
    src = home / "src"
    shutil.rmtree(src, ignore_errors=True)
    out = _run([go, "mod", "download", "-json", f"{MODULE}@{VERSION}"], home, log, quiet=True)
    module_dir = json.loads(out)["Dir"]
    shutil.copytree(module_dir, src, copy_function=shutil.copyfile)
    for root, dirs, _files in os.walk(src):  # the module cache is read-only
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o700)
    (src / "build" / "version" / "version.txt").write_text(VERSION + "\n")
    if not stock():
        _apply_patch(src)
        log("    patched: `_id` look-ups use the `_id` index (FERRETDB_STOCK=1 to leave it out)")
    log(f"    source of {MODULE}@{VERSION} ready ({procs.seconds(t0)}); compiling")
    partial = home / "ferretdb.partial"
    _run([go, "build", "-v", "-trimpath", "-buildvcs=false", "-o", str(partial), "./cmd/ferretdb"],
         src, log)
    if not _works(partial):
        raise InfraError(f"ferretdb: the binary built in {home} does not run `--version`")
    partial.replace(binary)
    marker.touch()
    shutil.rmtree(src, ignore_errors=True)
    log(f"    built {binary} ({procs.seconds(t0)})")
    return binary


def _run(cmd: list[str], cwd: pathlib.Path, log: Log, quiet: bool = False) -> str:
    """Run a go command, showing downloads and a package count; raise with the output's tail."""
    last: deque[str] = deque(maxlen=40)
    stdout: list[str] = []
    packages = 0
    with subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          stdin=subprocess.DEVNULL) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        for line in proc.stderr:
            last.append(line.rstrip())
            if not line.strip():
                continue
            if " " not in line.strip():  # `go build -v` names each package it compiles
                packages += 1
                if packages % 100 == 0 and not quiet:
                    log(f"    ... {packages} packages compiled")
            else:
                log("    " + line.rstrip())
        stdout.append(proc.stdout.read())
    if proc.returncode != 0:
        raise InfraError(f"ferretdb: `{' '.join(cmd[:3])}` failed:\n" + "\n".join(last))
    return "".join(stdout)


def default_uri() -> str:
    return paths.env("MONGO_URI") or f"mongodb://{paths.LOOPBACK}:{paths.mongo_port()}/"


def ready(uri: str, timeout_s: float = 2.0) -> bool:
    """True if ``ping`` answers at ``uri``."""
    from pymongo import MongoClient
    from pymongo.errors import PyMongoError

    ms = int(timeout_s * 1000)
    client = MongoClient(uri, serverSelectionTimeoutMS=ms, connectTimeoutMS=ms, socketTimeoutMS=ms)
    try:
        return client.admin.command("ping").get("ok") == 1
    except PyMongoError:
        return False
    finally:
        client.close()


def start(log: Log = procs.say) -> tuple[str, bool]:
    """Make a MongoDB-compatible server answer; return (uri, whether this call started it)."""
    t0 = time.monotonic()
    external = paths.env("MONGO_URI")
    if external:
        if not procs.wait_until(lambda: ready(external, 5.0), deadline_s=30, interval=1):
            raise InfraError("ferretdb: no answer at MONGO_URI; is that server up? "
                             "Unset MONGO_URI to run a local FerretDB")
        log(f"==> ferretdb: external MongoDB at MONGO_URI answers ({procs.seconds(t0)})")
        return external, False
    port = paths.mongo_port()
    uri = f"mongodb://{paths.LOOPBACK}:{port}/"
    advice = f"port {port} busy? run `make infra-status`"
    pid = procs.running_pid(NAME, TOKEN)
    if pid is not None:
        if not procs.wait_until(lambda: ready(uri), deadline_s=READY_DEADLINE_S, pid=pid):
            raise procs.failure(NAME, f"pid {pid} runs but does not answer at {uri}", advice)
        log(f"==> ferretdb: already running (pid {pid}) at {uri}")
        return uri, False
    if procs.port_open(paths.LOOPBACK, port):
        if ready(uri, 5.0):
            log(f"==> ferretdb: a MongoDB server already answers at {uri} (no pid file; reused)")
            return uri, False
        raise InfraError(f"ferretdb: port {port} is taken by something that is not MongoDB; "
                         "free it or set MONGO_PORT")
    binary = ensure_binary(log)
    home = paths.component_dir(NAME)
    data = home / "data"
    data.mkdir(exist_ok=True)
    cmd = [str(binary), "--handler=sqlite", f"--sqlite-url=file:{urllib.parse.quote(str(data))}/",
           f"--listen-addr={paths.LOOPBACK}:{port}", "--telemetry=disable",
           f"--state-dir={home}", "--debug-addr=-",
           # not warn: FerretDB 1.x logs a full dump at WARN for each command it lacks, e.g.
           # the endSessions pymongo sends on every close()
           "--log-level=error"]
    step = time.monotonic()
    pid = procs.spawn(NAME, cmd, cwd=home)
    if not procs.wait_until(lambda: ready(uri), deadline_s=READY_DEADLINE_S, pid=pid,
                            interval=0.2):
        died = not procs.alive(pid)
        procs.stop(NAME, TOKEN, log=log)
        raise procs.failure(NAME, "FerretDB exited during start-up" if died else
                            f"no answer at {uri} after {READY_DEADLINE_S}s", advice)
    log(f"==> ferretdb: started pid {pid}, ready at {uri} ({procs.seconds(step)})")
    return uri, True


def stop(log: Log = procs.say) -> bool:
    return procs.stop(NAME, TOKEN, log=log)
