"""What the press-release flow's steps share: its people, what each step found, the pages
seen, and the figures the press release gives."""

import pytest

from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.browser.people import Visits, signed_in_as

COORDINATOR = "coordinator@glo-act.test"
VIEWER = "donor.liaison@glo-act.test"
FACILITATOR = "marta.reyes@glo-act.test"
PASSWORD = "correct horse battery staple"  # the same for each; they are test accounts
WORKSHOP_DAYS = ["2020-11-09", "2020-11-10", "2020-11-11", "2020-11-12", "2020-11-13"]
MARCH_DAYS = ["2021-03-25", "2021-03-26"]
CONFIRMED = "#roster-confirmed tr[data-participant-id]"
WORLD: dict = {}  # what a step found (pages, links) for the steps after it
VISITS = Visits()


def need(*keys: str) -> None:
    """Skip, naming what is missing, a step whose earlier step failed (it has failed already)."""
    missing = [key for key in keys if key not in WORLD]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} from an earlier step, which failed")


def as_coordinator(window):
    """The window signed in as the coordinator (once the accounts have their passwords)."""
    need("passwords")
    return signed_in_as(window, COORDINATOR, PASSWORD)


def as_admin(window):
    return signed_in_as(window, ADMIN_EMAIL, ADMIN_PASSWORD)


def figures_of_the_press_release(window, page: str) -> None:
    """The session's indicators say what the press release says (once attendance reached
    them: the page is reloaded until it has)."""
    def attended():
        window.go(page)
        return window.exists("#attended-total") and window.text("#attended-total") == "24"

    window.wait(attended, "24 attended in the figures", 90)
    assert window.text("#participants") == "24"
    assert window.text("#women-share") == "100%"
    assert window.text("#attendance-rate") == "100%"
    by_agency = {row.find_element("css selector", "th").get_attribute("textContent"):
                 row.find_element("css selector", "td").get_attribute("textContent")
                 for row in window.find_all("#by-agency table tr")}
    assert by_agency == {"Federal Investigation Agency": "18", "Punjab Police": "6"}, by_agency
    assert window.text("#series-position") == "session 1 of 3"
    assert "Jul 2021" in window.text("#next-session"), window.text("#next-session")
