"""`python -m devstack infra up|down|status` (`make infra-up|infra-down|infra-status`); status also
shows each API and worker `make run` started."""

from __future__ import annotations

import argparse
import contextlib
import pathlib
import sys

from devstack.infra import stack
from devstack.infra.procs import InfraError


def _print_status() -> None:
    rows = stack.status()
    print(f"{'component':<10} {'pid':>8}  {'ready':<5}  {'address':<28}  log")
    for row in rows:
        pid = str(row["pid"]) if row["pid"] else ("external" if row["external"] else "-")
        ready = "yes" if row["ready"] else "no"
        log: object = "-" if row["external"] else pathlib.Path(row["log"])
        with contextlib.suppress(ValueError, AttributeError):
            log = log.relative_to(pathlib.Path.cwd())  # type: ignore[attr-defined]
        print(f"{row['name']:<10} {pid:>8}  {ready:<5}  {row['address']:<28}  {log}")
        if row.get("http"):
            print(f"{'':<10} {'':>8}  {'':<5}  inbox: {row['http']}/messages")
    print(f"state: {stack.state_dir()}")
    _print_services()


def _print_services() -> None:
    """Each API (does it answer ready?) and each worker (is its process running?)."""
    from devstack import services

    for row in services.status(services.ports_from_env()):
        state = ("ready" if row["name"].endswith("-api") else "running") if row["ready"] \
            else "DOWN"
        reason = f"  ({row['reason']})" if row["reason"] else ""
        print(f"{row['name']:<22} {state:<7} {row['address']:<32} "
              f"pid {row['pid'] or '-'}{reason}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack infra",
                                     description="Local Kafka, FerretDB and SMTP sink.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="fetch/build as needed, start, wait until ready, create topics")
    down = sub.add_parser("down", help="stop local components (default: all)")
    down.add_argument("components", nargs="*", metavar="COMPONENT",
                      help=f"any of {', '.join(stack.COMPONENTS)}")
    sub.add_parser("status", help="show what runs and answers: components, APIs, workers")
    args = parser.parse_args(argv)
    try:
        if args.command == "up":
            infra = stack.up()
            for key, value in infra.env().items():
                print(f"    {key}={value}")
        elif args.command == "down":
            stack.down(args.components or None)
        else:
            _print_status()
    except (InfraError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0
