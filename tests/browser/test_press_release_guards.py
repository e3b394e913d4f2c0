"""After the press release's flow (test_press_release.py, same stack and windows): every other
page opens; export and erasure need a confirmation; a viewer sees figures and no names; what a
role may not do is refused, and so is a form without its CSRF token; Urdu reads right to left;
an outage is told where it matters; sign-in locks out after five wrong passwords; no page is
wider than its window and axe-core finds nothing serious or critical on any page seen.
"""

import os
import re
import signal

import pytest

from tests.browser import people
from tests.browser.flow import (
    MARCH_DAYS,
    PASSWORD,
    VIEWER,
    VISITS,
    WORLD,
    as_admin,
    as_coordinator,
    figures_of_the_press_release,
    need,
)
from tests.browser.people import heading, refused, signed_in_as
from tests.browser.scenario import COACHING, PROGRAMME, SERIES, full_names, register_officer


@pytest.fixture
def coordinator(desktop):
    """The desktop window, signed in as the coordinator."""
    return as_coordinator(desktop)


def test_18b_every_other_main_page_opens_for_the_coordinator_and_the_admin(coordinator):
    need("indicators")
    first = WORLD["coaching"][0]
    series_id = WORLD["series"].rsplit("/", 1)[-1]
    programme_id = WORLD["programme"].rsplit("/", 1)[-1]
    pages = [("dashboard", "/"), ("sessions", "/sessions"), ("session-new", "/sessions/new"),
             ("programme", WORLD["programme"]), ("session", first),
             ("indicators", f"/indicators/series/{series_id}"),
             ("indicators", f"/indicators/programmes/{programme_id}"),
             ("indicators-choose", "/indicators"),
             ("notifications", f"/notifications?session_id={first.rsplit('/', 1)[-1]}"),
             ("officer-edit", f"{WORLD['officers'][0]}/edit")]
    for expected, page in pages:
        coordinator.go(page)
        assert coordinator.page() == expected, f"{page}: {heading(coordinator)!r}"
        VISITS.look(coordinator, expected if expected == "dashboard" else
                    f"{expected}-{len(VISITS.seen)}")
    admin = as_admin(coordinator)
    admin.go("/operations")
    assert admin.page() == "operations", heading(admin)
    VISITS.look(admin, "operations")


def test_18c_an_officer_is_exported_and_erased_only_after_a_confirmation(coordinator):
    need("passwords")
    page = register_officer(coordinator, {
        "given_name": "Zarmina", "family_name": "Durrani", "agency": "Punjab Police",
        "unit": "Lahore", "email": "zarmina.durrani@example.org", "preferred_language": "ur"})
    coordinator.follow("Export her data")
    assert coordinator.page() == "export" and "Zarmina Durrani" in heading(coordinator)
    VISITS.look(coordinator, "export")
    coordinator.go(page)
    coordinator.follow("Erase her data")
    assert coordinator.page() == "erasure" and "cannot be undone" in coordinator.text("main")
    VISITS.look(coordinator, "erasure")
    coordinator.fill("#erase-form", confirm="erase")
    coordinator.submit("#erase-form")
    coordinator.go(page)
    assert heading(coordinator) == "Zarmina Durrani", "erased without typing ERASE"
    coordinator.follow("Erase her data")
    coordinator.fill("#erase-form", confirm="ERASE")
    coordinator.submit("#erase-form")

    def forgotten():
        coordinator.go("/officers?name=Zarmina")
        return "Zarmina" not in coordinator.text("main")

    coordinator.wait(forgotten, "her name gone from the officers' search")


def test_19_a_viewer_sees_the_indicators_and_no_names(desktop):
    need("indicators")
    signed_in_as(desktop, VIEWER, PASSWORD)
    desktop.go("/indicators")  # two clicks from her dashboard, no id to be given
    VISITS.look(desktop, "indicators-choose-viewer")
    desktop.follow(SERIES)
    desktop.follow(COACHING[0][0])
    assert desktop.path() == WORLD["indicators"]
    figures_of_the_press_release(desktop, WORLD["indicators"])
    shown = desktop.html()
    assert not [name for name in full_names() if name in shown]
    VISITS.look(desktop, "indicators-viewer")


def test_20_a_viewer_opening_a_coordinators_page_is_refused(desktop):
    need("passwords", "officers", "coaching")
    signed_in_as(desktop, VIEWER, PASSWORD)
    for page in ("/programmes", "/officers", "/officers/new", WORLD["officers"][0],
                 f"{WORLD['coaching'][0]}/roster", f"{WORLD['coaching'][0]}/attendance/"
                 f"{MARCH_DAYS[0]}", "/admin/accounts"):
        desktop.go(page)
        assert refused(desktop), f"a viewer was shown {page}: {heading(desktop)!r}"
        assert not [name for name in full_names() if name in desktop.html()], page
    VISITS.look(desktop, "refused")


@pytest.mark.parametrize("token", ["", "0" * 64])
def test_21_a_form_without_its_csrf_token_or_with_a_wrong_one_is_refused(coordinator, token):
    name = f"Forged programme {len(token)}"
    coordinator.go("/programmes")
    coordinator.fill("#programme-form", name=name)
    coordinator.driver.execute_script(
        "const field = document.querySelector('#programme-form').csrf_token;"
        "if (arguments[0]) { field.value = arguments[0]; } else { field.remove(); }", token)
    coordinator.submit("#programme-form")
    assert coordinator.page() == "csrf", heading(coordinator)
    coordinator.go("/programmes")
    assert name not in coordinator.text("#programme-list")


def test_22_urdu_lays_the_page_out_right_to_left(coordinator):
    need("programme")
    coordinator.go("/")
    people.choose_language(coordinator, "ur")
    html = coordinator.find("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ur", "rtl")
    assert re.search("[\u0600-\u06ff]", coordinator.text("header nav")), "the menu in Urdu"
    VISITS.look(coordinator, "home-urdu")
    coordinator.go(WORLD["programme"])
    assert coordinator.find("html").get_attribute("dir") == "rtl", "the choice is remembered"
    people.choose_language(coordinator, "en")
    assert coordinator.find("html").get_attribute("dir") == "ltr"


def test_22b_an_outage_is_told_on_the_page_that_needs_it_and_the_rest_keeps_working(
        coordinator, console_stack):
    need("programme")
    [api] = [p for p in console_stack.processes if p.name == "notifications-api"]
    os.killpg(api.popen.pid, signal.SIGTERM)
    api.popen.wait(timeout=60)
    coordinator.go("/notifications")
    assert coordinator.page() == "unavailable", heading(coordinator)
    assert "notifications" in coordinator.text("main").lower()
    assert "Traceback" not in coordinator.html()
    VISITS.look(coordinator, "unavailable")
    coordinator.go(WORLD["programme"])
    assert heading(coordinator) == PROGRAMME, "the pages that need no notifications still work"


def test_22c_sign_in_is_refused_for_a_while_after_five_wrong_passwords(desktop):
    need("passwords")
    email = "typo.prone@glo-act.test"
    as_admin(desktop)
    people.set_password(desktop, people.invite(desktop, email, "viewer"), PASSWORD)
    for _ in range(5):
        desktop.go("/signin")
        desktop.fill("#signin", email=email, password="a wrong guess")
        desktop.submit("#signin")
        assert desktop.text("#signin-error") == "Wrong email or password."
    desktop.go("/signin")
    desktop.fill("#signin", email=email, password=PASSWORD)
    desktop.submit("#signin")
    assert "too many failed sign-ins" in desktop.text("#signin-error")
    assert not desktop.exists("#signout"), "the right password got in during the lock-out"


def test_23a_no_page_is_wider_than_its_window():
    """Wider means scrolling sideways on a tablet, or a right-to-left page cut off."""
    assert VISITS.seen, "no page was looked at"
    assert not VISITS.too_wide, VISITS.too_wide


def test_23_axe_finds_no_serious_or_critical_violation_on_any_page():
    assert not VISITS.violations, "axe-core found:\n" + VISITS.report()
    # Fewer pages than the flow visits means a step failed before reaching them (reported).
    assert VISITS.seen, "axe-core looked at no page"
