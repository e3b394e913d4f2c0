"""The operator's command line: one entry point, --help on every command."""

import pytest

from common.auth import verify
from common.config import load
from operations.cli import main, parser

COMMANDS = ["token", "lag", "backlog", "dlq", "resend", "demo"]


def test_every_command_is_listed_and_documented(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    listed = capsys.readouterr().out
    assert all(command in listed for command in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    assert "usage: glo-act" in capsys.readouterr().out


def test_minted_token_is_accepted_by_the_services(capsys):
    assert main(["token", "--subject", "ops", "--role", "viewer"]) == 0
    settings = load("test")
    principal = verify(capsys.readouterr().out.strip(), settings.jwt_secret,
                       settings.jwt_audience, settings.jwt_issuer)
    assert (principal.subject, principal.roles) == ("ops", {"viewer"})


def test_replaying_needs_a_known_topic():
    with pytest.raises(SystemExit):
        parser().parse_args(["dlq", "replay", "--topic", "nonsense.events"])
