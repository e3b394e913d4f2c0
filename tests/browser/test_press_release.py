"""The press release, through the console alone, as its people would do it in a browser.

One ordered flow on one stack: the admin invites the coordinator, viewer and facilitator; the
coordinator plans the programme, the November 2020 workshop and the 2021 coaching series,
registers 24 officers (18 FIA, 6 Punjab Police), holds the workshop, enrolls its attendees as
the series' cohort; attendance of the first coaching session is taken on a tablet (day one
tap by tap by the coordinator, day two by the facilitator); feedback; the indicators read as
the press release does. Then what others must not do: a viewer sees figures and no names,
refusals by role and without a CSRF token; Urdu reads right to left. axe-core looks at every
page on the way. Only the pages are used: no API call, eventual consistency is waited for by
reloading the page as a person would.
"""

import os
import re
import signal

import pytest
from selenium.webdriver.common.by import By

from tests.browser import people
from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.browser.driver import TABLET
from tests.browser.people import Visits, heading, refused, signed_in_as
from tests.browser.scenario import (
    COACHING,
    FACILITATORS,
    OFFICERS,
    PROGRAMME,
    QUOTE,
    SERIES,
    WORKSHOP,
    all_present,
    create_session,
    enroll,
    error_shown,
    full_names,
    press_action,
    register_officer,
    wait_for_rows,
)

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


@pytest.fixture
def coordinator(desktop):
    """The desktop window, signed in as the coordinator."""
    need("passwords")
    return signed_in_as(desktop, COORDINATOR, PASSWORD)


def _as_admin(desktop):
    return signed_in_as(desktop, ADMIN_EMAIL, ADMIN_PASSWORD)


def test_01_the_admin_signs_in(desktop):
    desktop.go("/")
    assert desktop.path().startswith("/signin"), "a signed-out person is sent to sign in"
    VISITS.look(desktop, "signin")
    desktop.fill("#signin", email=ADMIN_EMAIL, password="not the password")
    desktop.submit("#signin")
    assert desktop.text("#signin-error") == "Wrong email or password."
    assert not desktop.exists("#signout")
    _as_admin(desktop)
    VISITS.look(desktop, "home")


def test_02_the_admin_invites_the_coordinator_and_the_viewer(desktop):
    WORLD["links"] = {email: people.invite(desktop, email, role)
                      for email, role in ((COORDINATOR, "coordinator"), (VIEWER, "viewer"))}
    VISITS.look(desktop, "accounts")
    assert COORDINATOR in desktop.text("main table") and "invited" in desktop.text("main table")


def test_03_each_sets_a_password_from_the_one_time_link(desktop):
    need("links")
    for link in WORLD["links"].values():
        people.set_password(desktop, link, PASSWORD)
        desktop.go(link)
        assert "used or has expired" in desktop.body_text(), "the link works once"
    WORLD["passwords"] = True


def test_04_the_coordinator_creates_the_programme(coordinator):
    coordinator.go("/programmes")
    coordinator.fill("#programme-form", name=PROGRAMME, donors="European Union",
                     description="Global Action against Trafficking in Persons and the "
                                 "Smuggling of Migrants",
                     countries="Afghanistan, Iran, Iraq, Pakistan")
    VISITS.look(coordinator, "programmes")
    coordinator.submit("#programme-form")
    assert heading(coordinator) == PROGRAMME, error_shown(coordinator)
    WORLD["programme"] = coordinator.path()


def test_05_the_november_2020_workshop_is_scheduled_in_karachi_time(coordinator):
    need("programme")
    WORLD["workshop"] = create_session(coordinator, WORLD["programme"], WORKSHOP,
                                       "training_workshop", "2020-11-09T09:00",
                                       "2020-11-13T17:00", 30)
    assert "09 Nov 2020 09:00 (Asia/Karachi, UTC+05:00)" in coordinator.text("#starts")
    VISITS.look(coordinator, "session")


def test_06_the_coaching_series_of_three_comes_from_the_workshop(coordinator):
    need("workshop")
    coordinator.go(WORLD["programme"])
    coordinator.fill("#series-form", title=SERIES, planned_sessions=3,
                     origin_session_id=WORKSHOP)
    coordinator.submit("#series-form")
    assert heading(coordinator) == SERIES, error_shown(coordinator)
    WORLD["series"] = coordinator.path()


def test_07_24_officers_are_registered_and_enrolled_in_the_workshop(coordinator):
    need("workshop")
    officers = []
    for n, officer in enumerate(OFFICERS):
        page = register_officer(coordinator, officer)
        if n == 0:
            VISITS.look(coordinator, "officer")
        enroll(coordinator, page, WORKSHOP)
        officers.append(page)
    WORLD["officers"] = officers
    coordinator.go(f"/officers?agency={OFFICERS[0]['agency'].replace(' ', '+')}")
    VISITS.look(coordinator, "officers")
    assert coordinator.text("main").count("Federal Investigation Agency") >= 18


def test_08_the_workshop_roster_shows_24_confirmed(coordinator):
    need("officers")
    roster = f"{WORLD['workshop']}/roster"
    wait_for_rows(coordinator, roster, CONFIRMED, 24,
                  "24 confirmed on the workshop's roster")
    VISITS.look(coordinator, "roster")
    agencies = [cell.text for cell in coordinator.find_all("#roster-confirmed td:nth-child(2)")]
    assert (agencies.count("Federal Investigation Agency"), agencies.count("Punjab Police")) \
        == (18, 6)


def test_09_the_workshop_is_held_all_present_each_day_on_the_tablet(coordinator, tablet):
    need("officers")
    press_action(coordinator, WORLD["workshop"], "start")
    signed_in_as(tablet, COORDINATOR, PASSWORD)
    for day in WORKSHOP_DAYS:
        assert all_present(tablet, f"{WORLD['workshop']}/attendance/{day}") == "Saved (24)"
    press_action(coordinator, WORLD["workshop"], "complete")
    assert coordinator.text("#session-status") == "completed"
    WORLD["workshop_held"] = True


def test_10_the_workshop_attendees_join_the_series_as_its_cohort(coordinator):
    need("series", "workshop_held")
    def joined():
        # Attendance reaches registration as events; enrolling the cohort again is harmless.
        coordinator.go(WORLD["series"])
        coordinator.fill("#cohort-form", session_id=WORKSHOP, include="attendees")
        coordinator.submit("#cohort-form")
        coordinator.go(WORLD["series"])
        return "cohort of 24" in coordinator.text("main")

    coordinator.wait(joined, "the workshop's 24 attendees joining the series", 90)
    WORLD["cohort"] = True


def test_11_the_three_coaching_sessions_are_planned_in_the_series(coordinator):
    need("series")
    WORLD["coaching"] = [create_session(coordinator, WORLD["series"], title, "coaching_session",
                                        starts, ends, 24, draft)
                         for title, starts, ends, draft in COACHING]
    coordinator.go(WORLD["coaching"][0])
    assert coordinator.text("#series-position") == "session 1 of 3"
    assert re.search(r"Coaching session 2 of 3, \w+ 20 Jul 2021 09:00",
                     coordinator.text("#next-session")), coordinator.text("#next-session")
    coordinator.go(WORLD["series"])
    VISITS.look(coordinator, "series")


def test_12_facilitators_are_registered_and_assigned_to_the_first_session(coordinator):
    need("coaching")
    first = WORLD["coaching"][0]
    coordinator.go("/facilitators")
    VISITS.look(coordinator, "facilitators")
    for given, family, organisation, _ in FACILITATORS:
        coordinator.go("/facilitators")
        coordinator.fill("#facilitator-create-form", given_name=given, family_name=family,
                         organisation=organisation,
                         email=f"{given.lower()}.{family.lower()}@example.org")
        coordinator.submit("#facilitator-create-form")
        assert not error_shown(coordinator), error_shown(coordinator)
    for given, family, _, role in FACILITATORS:
        coordinator.go(first)
        coordinator.fill("#facilitator-form", facilitator_id=f"{given} {family}", role=role)
        coordinator.submit("#facilitator-form")
    assert all(f"{g} {f}" in coordinator.text("#facilitators") for g, f, _, _ in FACILITATORS)
    WORLD["facilitators"] = True


def test_13_the_admin_gives_the_facilitator_an_account(desktop):
    need("facilitators")
    _as_admin(desktop)
    given, family, organisation, _ = FACILITATORS[0]
    link = people.invite(desktop, FACILITATOR, "facilitator",
                         f"{given} {family} ({organisation})")
    people.set_password(desktop, link, PASSWORD)
    WORLD["facilitator_account"] = True


def test_14_the_cohort_is_enrolled_in_the_first_coaching_session(coordinator):
    need("coaching", "cohort")
    wait_for_rows(coordinator, f"{WORLD['coaching'][0]}/roster", CONFIRMED, 24,
                  "the series' cohort of 24 confirmed in coaching session 1")
    WORLD["first_roster"] = True


def test_15_day_one_is_taken_one_tap_per_officer_on_the_tablet(coordinator, tablet):
    need("first_roster")
    first = WORLD["coaching"][0]
    press_action(coordinator, first, "start")
    signed_in_as(tablet, COORDINATOR, PASSWORD)
    tablet.go(f"{first}/attendance/{MARCH_DAYS[0]}")
    rows = tablet.find_all("li.officer[data-participant-id]")
    assert len(rows) == 24
    tablet.driver.execute_script("window.sameSheet = true")  # gone if the page reloads
    for row in rows:
        tablet.click(row.find_element(By.CSS_SELECTOR, "label.choice[data-status=present]"))
    tablet.wait(lambda: not tablet.exists("li.officer.saving, li.officer.unsaved")
                and tablet.find("#save-status").get_attribute("data-state") == "saved",
                "24 taps saved")
    assert tablet.driver.execute_script("return window.sameSheet === true"), "the page reloaded"
    VISITS.look(tablet, "attendance-tablet", max_height=TABLET[1])
    tablet.go(f"{first}/attendance/{MARCH_DAYS[0]}")
    assert len(tablet.find_all("input[value=present]:checked")) == 24, "the taps were kept"
    WORLD["day_one"] = True


def test_16_the_facilitator_sees_only_her_sessions_and_takes_day_two(tablet):
    need("facilitator_account", "day_one")
    signed_in_as(tablet, FACILITATOR, PASSWORD)
    assert tablet.path() == "/my-sessions"
    listed = tablet.text("#my-sessions")
    assert COACHING[0][0] in listed
    assert WORKSHOP not in listed and COACHING[1][0] not in listed, listed
    VISITS.look(tablet, "my-sessions")
    tablet.follow("Attendance")
    tablet.follow(f"Day 2 · {MARCH_DAYS[1]}")
    assert all_present(tablet, tablet.path()) == "Saved (24)"
    tablet.go(f"{WORLD['coaching'][1]}/attendance/2021-07-20")
    assert refused(tablet), "she takes attendance only where she facilitates"
    tablet.go("/programmes")
    assert refused(tablet), "a facilitator plans nothing"
    WORLD["day_two"] = True


def test_16b_the_sheet_saves_with_javascript_off_too(coordinator):
    need("day_two")
    sheet = f"{WORLD['coaching'][0]}/attendance/{MARCH_DAYS[1]}"
    coordinator.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        coordinator.go(sheet)
        # Without the script "All present" posts the form (with it, the click would be taken
        # by the script and no new page would come) and the page comes back saved.
        coordinator.submit("#attendance-sheet", "#all-present")
        assert coordinator.text("#flash") == "Saved", error_shown(coordinator)
        assert len(coordinator.find_all("input[value=present]:checked")) == 24
    finally:
        coordinator.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled",
                                           {"value": False})


def test_17_the_session_is_completed_and_feedback_recorded(coordinator):
    need("day_two")
    first = WORLD["coaching"][0]
    press_action(coordinator, first, "complete")
    coordinator.go(f"{first}/feedback")
    coordinator.fill("#feedback-form", participant_id=full_names()[0], rating="5",
                     comments=QUOTE, consent_to_quote=True)
    coordinator.submit("#feedback-form")
    assert coordinator.text("#flash") == "feedback saved", \
        error_shown(coordinator)
    assert QUOTE in coordinator.text("#quotes")
    VISITS.look(coordinator, "feedback")


def _figures_of_the_press_release(window, page: str) -> None:
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


def test_18_the_indicators_read_as_the_press_release(coordinator):
    need("day_two")
    page = f"/indicators/sessions/{WORLD['coaching'][0].rsplit('/', 1)[-1]}"
    _figures_of_the_press_release(coordinator, page)
    WORLD["indicators"] = page
    VISITS.look(coordinator, "indicators")


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
    admin = _as_admin(coordinator)
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
    _figures_of_the_press_release(desktop, WORLD["indicators"])
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
    _as_admin(desktop)
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
