"""The press release's people and plans (fictional names), and what a coordinator does with
them in the console's forms."""

import re
import time

from tests.browser.driver import Browser
from tests.browser.people import heading

FIA, PUNJAB = "Federal Investigation Agency", "Punjab Police"
GIVEN = ["Ayesha", "Sana", "Hina", "Rabia", "Nadia", "Saima", "Amina", "Fatima", "Mehwish",
         "Sadia", "Iqra", "Kiran", "Nazia", "Shazia", "Uzma", "Farah", "Huma", "Asma", "Bushra",
         "Samina", "Tahira", "Naila", "Rubina", "Shabnam"]
FAMILY = ["Khan", "Malik", "Qureshi", "Siddiqui", "Butt", "Chaudhry", "Shah", "Iqbal", "Aslam",
          "Raza", "Javed", "Akhtar"]
OFFICERS = [{"given_name": GIVEN[n], "family_name": FAMILY[n % len(FAMILY)],
             "agency": FIA if n < 18 else PUNJAB,
             "unit": "Anti-Human Trafficking Circle" if n < 18 else "Lahore",
             "email": f"{GIVEN[n].lower()}.{FAMILY[n % len(FAMILY)].lower()}.{n}@example.org",
             "preferred_language": "ur" if n % 3 else "en"} for n in range(24)]
PROGRAMME = "GLO.ACT Asia and the Middle East"
WORKSHOP = "Specialist training on investigative techniques"
SERIES = "Coaching on investigative techniques, 2021"
COACHING = [("Coaching session 1 of 3", "2021-03-25T09:00", "2021-03-26T17:00", False),
            ("Coaching session 2 of 3", "2021-07-20T09:00", "2021-07-21T17:00", False),
            ("Coaching session 3 of 3", "2021-11-22T09:00", "2021-11-23T17:00", True)]
FACILITATORS = [("Marta", "Reyes", "UNODC", "regional_advisor"),
                ("Javed", "Hashmi", FIA, "law_enforcement_expert"),
                ("Kamran", "Qadir", "Independent defence attorney", "prosecution_expert")]
QUOTE = ("This coaching session allowed me to discuss the real time problems with the coach "
         "and guided me to identify solutions.")


def full_names() -> list[str]:
    return [f"{o['given_name']} {o['family_name']}" for o in OFFICERS]


def error_shown(window: Browser) -> str:
    found = window.find_all("main .error, main [role=alert]")
    return " ".join(found[0].text.split()) if found else ""


def create_session(window: Browser, start_page: str, title: str, kind: str, starts: str,
                   ends: str, capacity: int, draft: bool = False) -> str:
    """From ``start_page``'s "new session" link, fill the form; returns the session's path."""
    window.go(start_page)
    window.follow("New session")
    window.fill("#session-form", kind=kind, title=title,
                topics="investigative techniques for TIP and SOM", timezone="Asia/Karachi",
                starts_at=starts, ends_at=ends, venue="Training hall", city="Islamabad",
                country="Pakistan", capacity=capacity, draft=draft)
    window.submit("#session-form")
    assert window.exists("#session-status"), \
        f"{title} not created: {heading(window)!r} {error_shown(window)!r}"
    return window.path()


def register_officer(window: Browser, officer: dict) -> str:
    """The officer form, consent ticked; returns her page's path."""
    window.go("/officers/new")
    window.fill("#officer-form", **officer, gender="female", consent=True)
    window.submit("#officer-form")
    assert re.fullmatch(r"/officers/[^/]+", window.path()), \
        f"{officer['email']} not registered: {error_shown(window)!r}"
    return window.path()


def enroll(window: Browser, officer_page: str, session_title: str, timeout_s: float = 60) -> None:
    """Enroll her from her page; registration may not know a just-scheduled session for a few
    seconds, so a refusal is retried as a person would."""
    deadline = time.monotonic() + timeout_s
    while True:
        window.go(officer_page)
        window.fill("#officer-enroll-form", session_id=session_title)
        window.submit("#officer-enroll-form")
        problem = error_shown(window)
        if not problem:
            return
        assert time.monotonic() < deadline, f"enrollment refused: {problem}"
        time.sleep(1)


def count_rows(window: Browser, css: str) -> int:
    return len(window.find_all(css))


def wait_for_rows(window: Browser, page: str, css: str, count: int, what: str,
                  timeout_s: float = 90) -> None:
    """Reload ``page`` until ``css`` matches ``count`` rows (events travel between services)."""
    def enough():
        window.go(page)
        return count_rows(window, css) == count

    window.wait(enough, what, timeout_s)


def press_action(window: Browser, session_page: str, action: str) -> None:
    """A lifecycle button on the session page (start, complete, ...)."""
    window.go(session_page)
    window.submit("", f"#{action}")
    assert not error_shown(window), f"{action}: {error_shown(window)}"


def all_present(window: Browser, sheet: str) -> str:
    """Press "All present" on a day's sheet and wait for the sheet to say it saved."""
    window.go(sheet)
    window.press("#all-present")
    return window.wait(lambda: window.find("#save-status").get_attribute("data-state") == "saved"
                       and window.text("#save-status"), f"'all present' saved on {sheet}")
