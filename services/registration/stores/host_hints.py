"""What registration's processes on one host tell each other, so they stop racing for numbers.

gunicorn runs the API as two (or more) processes on one host. Each numbers the same streams (a
session's seat log, the enrollment pages "all", each officer's, the participant pages) by unique
insert, and each only knew where a stream ended from its own writes: the other process's writes
cost it a read per entry, and a lost insert when it guessed. Under the bench's 8 clients those
reads and lost inserts were half of an enrollment's database commands.

So the processes share, in a small memory-mapped file of the host, two things:
- `known_end` / `ended`: where a stream ends, as some process of the host last wrote or read
  it. Only a number below which every entry is written is ever recorded (after the insert or the
  read that proved it), so starting there never leaves a gap;
- `exclusive`: a lock per name across the host's processes (open file description locks: the
  kernel drops them when a process dies, and, unlike classic record locks, does not refuse a
  wait it takes for a deadlock between two processes' unrelated threads), so the processes
  take turns instead of racing.

Both are hints: the unique insert still decides. Processes on other hosts, a missing or
unwritable file, a hint evicted by another stream: each only costs the reads and retries the
code made before. The file is named after the database and its generation (a document drawn by
the first process to look), so a database made again under the same name starts with no hints.
"""

import contextlib
import fcntl
import hashlib
import logging
import mmap
import os
import struct
import tempfile
import threading
import uuid
from collections import OrderedDict
from datetime import UTC, datetime

from common.persistence import by_id, claims
from common.runtime import Runtime

log = logging.getLogger(__name__)

SLOTS = 1 << 16  # streams remembered per database; a slot's stream may be replaced by another
SLOT = struct.Struct("<16sQ")  # the stream's fingerprint, its end
TABLE_BYTES = SLOTS * SLOT.size
LOCKS = 1 << 16  # names locked apart; two names on one lock only take turns needlessly
# Read-locked by every process that has the file open, for as long as it lives: a file nobody
# holds so is of no more use (its database was dropped, or its stack stopped) and is removed.
IN_USE = TABLE_BYTES + LOCKS
PREFIX = f"glo-act-{os.getuid()}-"
GENERATIONS = "host_hints"

FLOCK = struct.Struct("hhqqi4x")  # struct flock: type, whence, start, length, pid (0)

# The tables this process opened, by (process, database): a process serves one database, a
# test run hundreds, so the least used are let go (each closes once no thread still holds it).
KEPT_TABLES = 16
_tables: OrderedDict[tuple[int, str], "_Table | None"] = OrderedDict()
_tables_lock = threading.Lock()


class _Table:
    """The host's shared file for one database generation, mapped in this process."""

    def __init__(self, path: str):
        self.path = path
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self.fd).st_size < TABLE_BYTES:
            os.ftruncate(self.fd, TABLE_BYTES)  # zeros: no stream known
        self.map = mmap.mmap(self.fd, TABLE_BYTES)
        self._lock(fcntl.F_RDLCK, IN_USE, 1)  # held until the process ends
        self.threads = threading.Lock()  # record locks do not exclude this process's threads
        self.holders: dict[int, threading.Lock] = {}

    def __del__(self):
        with contextlib.suppress(Exception):
            self.map.close()
            os.close(self.fd)  # with it, the locks this process held through it

    def _lock(self, kind: int, start: int, length: int) -> None:
        fcntl.fcntl(self.fd, fcntl.F_OFD_SETLKW, FLOCK.pack(kind, os.SEEK_SET, start, length, 0))

    def _slot(self, key: bytes) -> int:
        return int.from_bytes(key[:8], "little") % SLOTS * SLOT.size

    def get(self, key: bytes) -> int | None:
        offset = self._slot(key)
        with self.threads:
            self._lock(fcntl.F_RDLCK, offset, SLOT.size)
            try:
                found, end = SLOT.unpack_from(self.map, offset)
            finally:
                self._lock(fcntl.F_UNLCK, offset, SLOT.size)
        return end if found == key else None

    def raise_to(self, key: bytes, end: int) -> None:
        offset = self._slot(key)
        with self.threads:
            self._lock(fcntl.F_WRLCK, offset, SLOT.size)
            try:
                found, known = SLOT.unpack_from(self.map, offset)
                if found != key or known < end:
                    SLOT.pack_into(self.map, offset, key, end)
            finally:
                self._lock(fcntl.F_UNLCK, offset, SLOT.size)

    @contextlib.contextmanager
    def exclusive(self, key: bytes):
        number = int.from_bytes(key[8:], "little") % LOCKS
        with self.threads:
            held = self.holders.setdefault(number, threading.Lock())
        with held:  # this process's threads first, then the other processes
            self._lock(fcntl.F_WRLCK, TABLE_BYTES + number, 1)
            try:
                yield
            finally:
                self._lock(fcntl.F_UNLCK, TABLE_BYTES + number, 1)


def _unused(path: str) -> bool:
    """Whether no process holds the file open as a table (it is then removed by the caller)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.fcntl(fd, fcntl.F_OFD_SETLK, FLOCK.pack(fcntl.F_WRLCK, os.SEEK_SET, IN_USE, 1, 0))
        return True
    except OSError:
        return False  # a process holds it
    finally:
        os.close(fd)


def _remove_unused(directory: str, kept: set[str]) -> None:
    """Remove the tables of databases no process here uses any more (a process that opened
    one just then keeps its own copy: it only shares no hints)."""
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        if name.startswith(PREFIX) and name.endswith(".hints") and path not in kept \
                and _unused(path):
            with contextlib.suppress(OSError):
                os.unlink(path)


def _directory() -> str:
    shared = "/dev/shm"  # noqa: S108 - memory, not disk; the files hold numbers only
    return shared if os.access(shared, os.W_OK) else tempfile.gettempdir()


def _generation(runtime: Runtime) -> str:
    """The database's generation: drawn once by whichever process looks first."""
    collection = runtime.db[GENERATIONS]
    claims.claim(collection, "generation", value=uuid.uuid4().hex, at=datetime.now(UTC))
    return by_id.get(collection, "generation")["value"]


def _table(runtime: Runtime) -> "_Table | None":
    if not hasattr(fcntl, "F_OFD_SETLKW"):
        return None  # not Linux: no open file description locks, so no sharing (as before)
    name = runtime.db.name
    key = (os.getpid(), name)
    with _tables_lock:
        if key in _tables:
            _tables.move_to_end(key)
            return _tables[key]
    try:
        digest = hashlib.sha256(f"{name}\n{_generation(runtime)}".encode()).hexdigest()[:24]
        directory = _directory()
        path = os.path.join(directory, f"{PREFIX}{digest}.hints")
        table = _Table(path)
        with _tables_lock:
            kept = {t.path for t in _tables.values() if t is not None} | {path}
        _remove_unused(directory, kept)
    except OSError as exc:  # no shared file: every process finds ends as before
        log.warning("host hints unavailable", extra={"error": repr(exc)})
        table = None
    with _tables_lock:
        table = _tables.setdefault(key, table)
        while len(_tables) > KEPT_TABLES:
            _tables.popitem(last=False)
        return table


def _key(collection: str, stream: str) -> bytes:
    return hashlib.blake2b(f"{collection}\n{stream}".encode(), digest_size=16).digest()


def known_end(runtime: Runtime, collection: str, stream: str) -> int | None:
    """Where the stream ends as a process of this host last saw it (every number below it is
    written), or None when no process here knows."""
    table = _table(runtime)
    return None if table is None else table.get(_key(collection, stream))


def ended(runtime: Runtime, collection: str, stream: str, end: int) -> None:
    """Record that every number of the stream below ``end`` is written (it only goes up)."""
    table = _table(runtime)
    if table is not None:
        table.raise_to(_key(collection, stream), end)


@contextlib.contextmanager
def exclusive(runtime: Runtime, name: str):
    """Hold ``name`` against this host's other processes (and this process's other threads
    holding it through here) while the block runs."""
    table = _table(runtime)
    if table is None:
        yield
        return
    with table.exclusive(_key("lock", name)):
        yield
