"""Resident memory a long-running worker hands back to the system (glibc's allocator only;
elsewhere these do nothing).

A worker's threads (consumer, sending threads, relay, readers) each get a malloc arena of
their own, and memory freed after a large batch stays mapped in them: the notifications
worker's resident set grew from 78 to over 100 MB through a backlog of imported officers
while tracemalloc saw about 10 MB of live Python objects (`bench.pipe_memory --traced`).
Two arenas, and a trim every few seconds, return what is free.
"""

import ctypes
import threading
from collections.abc import Callable

M_ARENA_MAX = -8  # mallopt parameter (glibc's malloc.h)


def _libc():
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None


def limit_arenas(count: int = 2) -> bool:
    """At most ``count`` malloc arenas; call it before the process starts its threads."""
    libc = _libc()
    return bool(libc is not None and libc.mallopt(M_ARENA_MAX, count))


def trim() -> bool:
    """Give the free memory at the top of each arena back to the system."""
    libc = _libc()
    return bool(libc is not None and libc.malloc_trim(0))


def trimmer(every_s: float = 5.0) -> Callable[[threading.Event], None]:
    """A worker's background task: `trim` every ``every_s`` seconds until stopped."""
    def trimming(stop: threading.Event) -> None:
        while not stop.wait(every_s):
            trim()
    return trimming
