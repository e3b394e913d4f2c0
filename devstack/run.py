"""`make run`: infrastructure, three APIs and three workers, ready, until Ctrl-C."""

import argparse
import signal
import threading
import time

from common.auth import mint
from common.config import load
from devstack import infra, services


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack run",
                                     description="Run the whole system locally; Ctrl-C stops it.")
    parser.parse_args(argv)
    started = time.monotonic()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    local = infra.up()
    stack = None
    try:
        print("==> starting the APIs (gunicorn) and the workers")
        stack = services.start(local.env(), services.ports_from_env(),
                               infra.state_dir() / "logs")
        services.wait_ready(stack)
        _print_tour(stack, local, time.monotonic() - started)
        while not stop.is_set():
            dead = stack.dead()
            if dead:
                print(f"!! {dead[0].name} exited; see {dead[0].log}:\n"
                      f"{services.tail(dead[0].log)}")
                return 1
            stop.wait(1)
        print("\n==> stopping")
        return 0
    except RuntimeError as exc:
        print(f"!! {exc}")
        return 1
    finally:
        if stack is not None:
            services.stop(stack)
        infra.down(local.started)


def _print_tour(stack, local, elapsed: float) -> None:
    settings = load("devstack")
    token = mint(settings.jwt_secret, "local-coordinator", ["coordinator"], 12 * 3600,
                 settings.jwt_audience, settings.jwt_issuer)
    print(f"\n==> ready in {elapsed:.0f}s\n")
    for name, url in stack.urls.items():
        print(f"  {name:<14} {url}   docs {url}/docs   OpenAPI {url}/openapi.json")
    print(f"\n  Kafka {local.kafka_bootstrap}   MongoDB wire {local.mongo_uri}   "
          f"SMTP {local.smtp_host}:{local.smtp_port}")
    if local.smtp_http_url:
        print(f"  received mail: {local.smtp_http_url}/messages")
    print(f"  logs: {stack.log_dir}\n")
    print("  A coordinator token (12 h):\n")
    print(f"  export TOKEN={token}\n")
    print("  Try:")
    print(f"  curl -s -X POST {stack.urls['registration']}/participants "
          "-H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \\\n"
          "    -d '{\"given_name\":\"Ayesha\",\"family_name\":\"Khan\",\"gender\":\"female\","
          "\"agency\":\"Federal Investigation Agency\",\"email\":\"ayesha@example.org\","
          "\"consent\":{\"policy_version\":\"2021-01\",\"given_at\":\"2021-03-01T09:00:00Z\"}}'")
    print(f"  curl -s {stack.urls['notifications']}/notifications "
          "-H \"Authorization: Bearer $TOKEN\"\n")
    print("  Ctrl-C stops everything.")
