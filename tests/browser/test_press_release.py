"""The press release, through the console alone, as its people would do it in a browser.

One ordered flow on one stack: the admin invites the coordinator, viewer and facilitator; the
coordinator plans the programme, the November 2020 workshop and the 2021 coaching series,
registers 24 officers (18 FIA, 6 Punjab Police), holds the workshop, enrolls its attendees as
the series' cohort; attendance of the first coaching session is taken on a tablet (day one
tap by tap by the coordinator, day two by the facilitator); feedback; the indicators read as
the press release does. test_press_release_guards.py goes on with what others must not do.
Only the pages are used: no API call; eventual consistency is waited for by reloading the page
as a person would. A step whose earlier step failed is skipped, naming it.
"""

import re

import pytest
from selenium.webdriver.common.by import By

from tests.browser import people
from tests.browser.conftest import ADMIN_EMAIL
from tests.browser.driver import TABLET
from tests.browser.flow import (
    CONFIRMED,
    COORDINATOR,
    FACILITATOR,
    MARCH_DAYS,
    PASSWORD,
    VIEWER,
    VISITS,
    WORKSHOP_DAYS,
    WORLD,
    as_admin,
    as_coordinator,
    figures_of_the_press_release,
    need,
)
from tests.browser.people import heading, refused, signed_in_as
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


@pytest.fixture
def coordinator(desktop):
    """The desktop window, signed in as the coordinator."""
    return as_coordinator(desktop)


def test_01_the_admin_signs_in(desktop):
    desktop.go("/")
    assert desktop.path().startswith("/signin"), "a signed-out person is sent to sign in"
    VISITS.look(desktop, "signin")
    desktop.fill("#signin", email=ADMIN_EMAIL, password="not the password")
    desktop.submit("#signin")
    assert desktop.text("#signin-error") == "Wrong email or password."
    assert not desktop.exists("#signout")
    as_admin(desktop)
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
    as_admin(desktop)
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


def test_18_the_indicators_read_as_the_press_release(coordinator):
    need("day_two")
    page = f"/indicators/sessions/{WORLD['coaching'][0].rsplit('/', 1)[-1]}"
    figures_of_the_press_release(coordinator, page)
    WORLD["indicators"] = page
    VISITS.look(coordinator, "indicators")
