"""One entry point for operators: tokens, lag, outbox backlog, dead letters, resends, the demo.

It runs against any deployment, so it never imports the developer's launcher (`devstack`);
the local stack is `make infra-up|infra-down|infra-status` (`python -m devstack infra ...`).
"""

import argparse
import json
import sys

from common.auth import ROLES, mint
from common.config import ConfigurationError, load, service_url
from common.topics import EVENT_TOPICS

SERVICES = ("registration", "sessions", "notifications")


def _token(args) -> int:
    settings = load("operations")
    try:
        print(mint(settings.jwt_secret, args.subject, args.role, args.ttl,
                   settings.jwt_audience, settings.jwt_issuer, settings.jwt_max_ttl_s,
                   facilitator_id=args.facilitator_id))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def _lag(args) -> int:
    from kafka.admin import KafkaAdminClient

    from common.backlog import consumer_lag

    settings = load("operations")
    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    try:
        for service in SERVICES:
            group = load(service).consumer_group
            topics = sorted({tp.topic for tp in admin.list_group_offsets(group).get(group, {})})
            lag = consumer_lag(settings.kafka_bootstrap, group, topics) if topics else {}
            print(f"{group:<28} " + (", ".join(f"{t}: {n}" for t, n in lag.items())
                                     or "no committed offsets yet"))
    finally:
        admin.close()
    return 0


def _backlog(args) -> int:
    from common.backlog import outbox_backlog
    from common.mongo import database

    for service in SERVICES:
        waiting = outbox_backlog(database(load(service)))
        print(f"{service:<14} " + (", ".join(f"{c}: {n}" for c, n in waiting.items())
                                   or "outbox empty"))
    return 0


def _dlq(args) -> int:
    from common import dlq
    from common.producer import EventProducer

    settings = load("operations")
    if args.action == "list":
        letters = dlq.list_dead_letters(settings.kafka_bootstrap, args.topic)
        for letter in letters:
            print(json.dumps(letter.summary()))
        print(f"{len(letters)} dead letter(s) in {dlq.dlq(args.topic)}", file=sys.stderr)
        return 0
    producer = EventProducer(settings.kafka_bootstrap, "operations-dlq-replay")
    try:
        count = dlq.replay(settings.kafka_bootstrap, args.topic,
                           f"{settings.stack}.dlq-replay.{args.topic}", producer,
                           only_group=args.group)
    finally:
        producer.close()
    print(f"replayed {count} message(s) onto {args.topic}")
    return 0


def _coordinator_token() -> str:
    settings = load("operations")
    return mint(settings.jwt_secret, "operations", ["coordinator"], 600, settings.jwt_audience,
                settings.jwt_issuer)


def _urls(args) -> dict[str, str]:
    """Each API's URL: the option given, else `<SERVICE>_URL`, else the local port."""
    return {service: getattr(args, service) or service_url(service) for service in SERVICES}


def _resend(args) -> int:
    import requests

    url = _urls(args)["notifications"]
    headers = {"Authorization": f"Bearer {_coordinator_token()}"}
    failed = requests.get(f"{url}/notifications", params={"status": "failed", "page_size": 100},
                          headers=headers, timeout=30)
    failed.raise_for_status()
    resent = 0
    for notification in failed.json():
        answer = requests.post(f"{url}/notifications/{notification['id']}/resend",
                               headers=headers, timeout=30)
        if answer.status_code < 300:
            resent += 1
        else:
            print(f"{notification['id']}: {answer.status_code} {answer.text[:200]}")
    print(f"resent {resent} failed notification(s)")
    return 0


def _demo(args) -> int:
    from operations import demo

    demo.load(_urls(args), _coordinator_token())
    return 0


def _add_urls(command: argparse.ArgumentParser) -> None:
    for service in SERVICES:
        command.add_argument(f"--{service}", metavar="URL",
                             help=f"the {service} API (default: ${service.upper()}_URL, "
                                  "else the local port)")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="glo-act", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True)

    token = sub.add_parser("token", help="mint a bearer token")
    token.add_argument("--subject", required=True, help="who the token is for")
    token.add_argument("--role", action="append", choices=ROLES, required=True,
                       help="a role to grant (repeatable)")
    token.add_argument("--ttl", type=int, default=8 * 3600, help="lifetime in seconds")
    token.add_argument("--facilitator-id", help="for --role facilitator: her id in sessions")
    token.set_defaults(run=_token)

    lag = sub.add_parser("lag", help="consumer lag of each service's worker group")
    lag.set_defaults(run=_lag)

    backlog = sub.add_parser("backlog", help="events waiting in each service's outbox")
    backlog.set_defaults(run=_backlog)

    dead = sub.add_parser("dlq", help="list or replay dead letters of a topic")
    dead.add_argument("action", choices=("list", "replay"))
    dead.add_argument("--topic", required=True, choices=EVENT_TOPICS,
                      help="the original topic (its DLQ is <topic>.dlq)")
    dead.add_argument("--group", help="replay only what this consumer group dead-lettered")
    dead.set_defaults(run=_dlq)

    resend = sub.add_parser("resend", help="resend every failed notification")
    _add_urls(resend)
    resend.set_defaults(run=_resend)

    demo = sub.add_parser("demo", help="load the press-release scenario (once) into running APIs")
    _add_urls(demo)
    demo.set_defaults(run=_demo)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
