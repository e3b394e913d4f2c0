"""`python -m devstack run|test|infra ...`: the developer's commands (`make run`, `make test`)."""

import os
import sys

USAGE = """usage: python -m devstack COMMAND [ARGS]

commands:
  run                    infrastructure, the three APIs and workers, until Ctrl-C
  test [PYTEST ARGS]     lint, bring up what the tests need, run pytest, stop what was started
  infra up|down|status   only the local infrastructure (Kafka, FerretDB, SMTP sink)
"""


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    # Everything started from here runs on the repository's development secrets.
    os.environ.setdefault("GLO_ACT_ENV", "development")
    if command == "run":
        from devstack.run import main as run_main

        return run_main(rest)
    if command == "test":
        from devstack.testrun import main as test_main

        return test_main(rest)
    if command == "infra":
        from devstack.infra.cli import main as infra_main

        return infra_main(rest)
    print(USAGE, file=sys.stderr, end="")
    return 0 if command in ("-h", "--help", "help") else 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
