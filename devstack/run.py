"""`make run`: infrastructure, three APIs and three workers, the console, the demo, until Ctrl-C.

What exits is restarted with a backoff (see `devstack.supervise`); only Ctrl-C or a process that
keeps crashing stops the run.
"""

import argparse
import signal
import threading
import time

from common.auth import mint
from common.config import load, load_console
from devstack import console_people, infra, services, system_packages
from devstack.supervise import CrashLoopError, Supervisor
from devstack.tour import print_tour
from operations import demo


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack run",
                                     description="Run the whole system locally; Ctrl-C stops it.")
    parser.add_argument("--empty", action="store_true",
                        help="start with empty databases: do not load the press-release demo")
    args = parser.parse_args(argv)
    started = time.monotonic()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    system_packages.ensure(system_packages.RENDERING, "certificate and report PDFs")
    local = infra.up()
    stack = None
    try:
        print("==> starting the APIs (gunicorn) and the workers", flush=True)
        stack = services.start(local.env(), services.ports_from_env(),
                               infra.state_dir() / "logs", pid_dir=infra.state_dir() / "run")
        services.wait_ready(stack)
        settings = load("devstack")
        # As long as the APIs accept (JWT_MAX_TTL_SECONDS, 12 h by default).
        token = mint(settings.jwt_secret, "local-coordinator", ["coordinator"],
                     settings.jwt_max_ttl_s, settings.jwt_audience, settings.jwt_issuer,
                     settings.jwt_max_ttl_s)
        loaded = None if args.empty else demo.load(stack.urls, token)
        console = load_console()
        people = console_people.create(
            local.env()["MONGO_URI"], console.stack, console.admin_email,
            console.admin_password or None, stack.urls["sessions"], token,
            with_demo=loaded is not None)
        print_tour(stack, local, token, loaded, time.monotonic() - started, people)
        # Like compose's `restart: unless-stopped`: what exits is started again (see supervise).
        supervisor = Supervisor([*infra.local_components(), *stack.processes])
        while not stop.is_set():
            supervisor.tick()
            stop.wait(1)
        print("\n==> stopping")
        return 0
    except CrashLoopError as exc:
        print(f"!! {exc}:\n{services.tail(exc.child.log)}")
        return 1
    except RuntimeError as exc:
        print(f"!! {exc}")
        return 1
    finally:
        if stack is not None:
            services.stop(stack)
        infra.down(local.started)
