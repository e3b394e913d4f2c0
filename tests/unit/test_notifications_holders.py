"""A claim's holder: dead only when it ran on this host and its process is gone."""

import subprocess
import sys

from services.notifications import holders


def test_this_process_is_a_live_holder():
    assert not holders.dead(holders.me())


def test_a_holder_whose_process_exited_is_dead():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    holder = {**holders.me(), "pid": child.pid, "started": holders._started(child.pid)}
    assert not holders.dead(holder)
    child.kill()
    child.wait()
    assert holders.dead(holder)


def test_a_reused_pid_is_not_the_holder():
    """A container restarted as pid 1 again: same pid, another start time."""
    assert holders.dead({**holders.me(), "started": holders.me()["started"] - 1})


def test_a_holder_on_another_host_or_without_one_is_never_judged():
    assert not holders.dead({**holders.me(), "host": "elsewhere/boot", "pid": 999999})
    assert not holders.dead(None)
