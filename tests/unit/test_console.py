"""The console's rules without a database or a network: throttle, CSRF, tokens, config, times."""

import pytest
import requests

from common.auth import verify
from common.config import DEV_JWT_SECRET, InsecureConfigError, load_console
from services.console import api_tokens, csrf, display, passwords
from services.console.clients.base import ApiClient, ApiRefusedError, ServiceDownError
from services.console.throttle import Throttle
from tests.console.conftest import console_settings

STRONG = "x" * 40


def test_throttle_allows_until_the_limit_then_names_the_wait():
    throttle = Throttle(window_s=900, per_account=3, per_address=20)
    assert throttle.retry_after([100.0, 200.0], 3, now=300.0) == 0
    wait = throttle.retry_after([100.0, 200.0, 250.0], 3, now=300.0)
    assert wait == 701  # the oldest of the three ages out at 1000
    assert throttle.retry_after([100.0, 200.0, 250.0], 3, now=1001.0) == 0


def test_csrf_token_is_bound_to_the_browsers_cookie_and_the_secret():
    cookie = csrf.new_cookie_value()
    token = csrf.token_for(cookie, "secret-one")
    assert csrf.valid(cookie, token, "secret-one")
    assert not csrf.valid(csrf.new_cookie_value(), token, "secret-one")  # another browser
    assert not csrf.valid(cookie, token, "secret-two")
    assert not csrf.valid(cookie, None, "secret-one") and not csrf.valid(None, token, "x")


def test_the_api_token_carries_the_role_and_lives_five_minutes():
    settings = console_settings("mongodb://unused/")
    token = api_tokens.token_for(settings, {"_id": "acc1", "role": "viewer"})
    principal = verify(token, DEV_JWT_SECRET, "glo-act-platform", "glo-act-platform")
    assert principal.roles == {"viewer"} and principal.subject == "console:acc1"
    import jwt

    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 300


def test_a_facilitator_token_names_her_facilitator_id():
    settings = console_settings("mongodb://unused/")
    token = api_tokens.token_for(settings, {"_id": "a", "role": "facilitator",
                                            "facilitator_id": "fac-7"})
    principal = verify(token, DEV_JWT_SECRET, "glo-act-platform", "glo-act-platform")
    assert principal.roles == {"facilitator"} and principal.facilitator_id == "fac-7"


@pytest.mark.parametrize("variables, refused", [
    ({}, "CONSOLE_SECRET_KEY"),
    ({"CONSOLE_SECRET_KEY": STRONG}, "JWT_SECRET"),
    ({"CONSOLE_SECRET_KEY": STRONG, "JWT_SECRET": DEV_JWT_SECRET}, "JWT_SECRET"),
    ({"CONSOLE_SECRET_KEY": "short", "JWT_SECRET": STRONG}, "CONSOLE_SECRET_KEY"),
])
def test_outside_development_the_console_refuses_missing_or_development_secrets(
        monkeypatch, variables, refused):
    for name in ("GLO_ACT_ENV", "CONSOLE_SECRET_KEY", "JWT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(InsecureConfigError, match=refused):
        load_console()


def test_real_secrets_give_secure_cookies_even_if_asked_otherwise(monkeypatch):
    monkeypatch.delenv("GLO_ACT_ENV", raising=False)
    monkeypatch.setenv("CONSOLE_SECRET_KEY", STRONG)
    monkeypatch.setenv("JWT_SECRET", "y" * 40)
    monkeypatch.setenv("CONSOLE_SECURE_COOKIES", "0")
    assert load_console().secure_cookies


def test_development_mode_allows_the_development_secrets_over_plain_http(monkeypatch):
    monkeypatch.setenv("GLO_ACT_ENV", "development")
    for name in ("CONSOLE_SECRET_KEY", "JWT_SECRET", "CONSOLE_SECURE_COOKIES"):
        monkeypatch.delenv(name, raising=False)
    settings = load_console()
    assert settings.development and not settings.secure_cookies
    assert settings.database == "glo_console"


def test_times_are_shown_and_read_in_the_sessions_own_timezone():
    assert display.local("2021-03-25T04:00:00+00:00", "Asia/Karachi") == \
        "Thu 25 Mar 2021 09:00 (Asia/Karachi, UTC+05:00)"
    assert display.from_form("starts_at", "2021-03-25T09:00", "Asia/Karachi") == \
        "2021-03-25T09:00:00+05:00"
    with pytest.raises(display.FormError, match="starts_at"):
        display.from_form("starts_at", "next Tuesday", "Asia/Karachi")
    with pytest.raises(display.FormError, match="timezone"):
        display.from_form("starts_at", "2021-03-25T09:00", "Mars/Olympus")
    assert display.days("2021-03-25T04:00:00+00:00", "2021-03-26T12:00:00+00:00",
                        "Asia/Karachi") == ["2021-03-25", "2021-03-26"]


def test_chart_bars_scale_to_the_largest_and_keep_hidden_counts_hidden():
    bars = display.bars({"FIA": 18, "Punjab Police": 6, "Tiny": None}, width=300)
    assert [(b["label"], b["width"]) for b in bars] == [("FIA", 300), ("Punjab Police", 100),
                                                        ("Tiny", 0)]
    assert bars[2]["value"] is None


def test_a_new_password_is_refused_when_short_or_the_email():
    assert passwords.weakness("short", "a@b.c")
    assert passwords.weakness("amina.khan-2021-long", "amina.khan@glo-act.local")
    assert passwords.weakness("a sensible long passphrase", "amina@glo-act.local") is None


class _Answer:
    def __init__(self, status, body):
        self.status_code, self._body, self.reason = status, body, "refused"
        self.content = b"x"
        self.headers = {}

    def json(self):
        return self._body


class _Http:
    def __init__(self, answer=None, error=None):
        self.answer, self.error = answer, error

    def request(self, *args, **kwargs):
        if self.error:
            raise self.error
        return self.answer


def _client(**http):
    return ApiClient("http://sessions", lambda: "token", http=_Http(**http))


def test_the_client_maps_an_outage_and_a_5xx_to_service_down():
    with pytest.raises(ServiceDownError):
        _client(error=requests.ConnectionError()).get("/sessions")
    with pytest.raises(ServiceDownError):
        _client(answer=_Answer(503, {"message": "database unavailable"})).get("/sessions")


def test_the_client_carries_the_apis_refusal_and_its_fields():
    body = {"code": 422, "message": "Unprocessable Entity",
            "errors": {"json": {"ends_at": ["must be after starts_at"]}}}
    with pytest.raises(ApiRefusedError) as refused:
        _client(answer=_Answer(422, body)).post("/sessions", {})
    assert refused.value.status == 422
    assert refused.value.field_messages() == ["ends_at: must be after starts_at"]
