"""`make run`'s demo: the press-release scenario through the real APIs, loaded once."""

import requests

from common.auth import mint
from common.config import load
from operations import demo


def _token(*roles) -> str:
    settings = load("e2e")
    return mint(settings.jwt_secret, "e2e-demo", list(roles), 3600, settings.jwt_audience,
                settings.jwt_issuer)


def test_demo_loads_the_press_release_figures_once(stack):
    said = []
    loaded = demo.load(stack.urls, _token("coordinator"), say=said.append)
    viewer = {"Authorization": f"Bearer {_token('viewer')}"}
    sessions = stack.urls["sessions"]

    first = requests.get(f"{sessions}/sessions/{loaded['first_session_id']}/indicators",
                         headers=viewer, timeout=10).json()
    assert first["enrolled"] == {"total": 24, "by_gender": {"female": 24}, "by_agency": {
        "Federal Investigation Agency": 18, "Punjab Police": 6}, "percent_women": 100.0,
        "percent_by_agency": {"Federal Investigation Agency": 75.0, "Punjab Police": 25.0}}
    assert (first["days"], first["attendance_rate"]) == (2, 1.0)
    assert (first["position"], first["planned_sessions"]) == (1, 3)
    assert first["next_session"]["starts_at"].startswith("2021-07")
    assert first["feedback"]["count"] == 8

    again = demo.load(stack.urls, _token("coordinator"), say=said.append)
    assert again == loaded
    assert said[-1] == "==> demo: already loaded"
    programmes = requests.get(f"{sessions}/programmes", headers={
        "Authorization": f"Bearer {_token('coordinator')}"}, timeout=10).json()
    assert [p["name"] for p in programmes].count(demo.PROGRAMME) == 1
