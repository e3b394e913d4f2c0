"""What a person does at the console's door and on the admin's accounts page."""

import re

from tests.browser import axe
from tests.browser.driver import Browser


class Visits:
    """Every main page the suite saw: a screenshot each, and axe's serious findings per page."""

    def __init__(self):
        self.violations: dict[str, list[dict]] = {}
        self.seen: list[str] = []
        self.too_wide: dict[str, int] = {}  # page -> its width, where wider than the window

    def look(self, window: Browser, name: str, max_height: int = 2400) -> None:
        """Screenshot the page as ``name`` (from its top) and run axe-core in it."""
        window.page_screenshot(name, max_height)
        self.seen.append(name)
        width, shown = window.driver.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]")
        if width > shown:
            self.too_wide[f"{name} ({window.path()}, {shown} px window)"] = width
        found = axe.violations(window.driver)
        if found:
            self.violations[f"{name} ({window.path()})"] = found

    def report(self) -> str:
        return "\n".join(f"{page}:\n{axe.describe(found)}"
                         for page, found in self.violations.items())


def heading(window: Browser) -> str:
    found = window.find_all("main h1")
    return " ".join(found[0].text.split()) if found else ""


def sign_in(window: Browser, email: str, password: str) -> None:
    window.go("/signin")
    window.fill("#signin", email=email, password=password)
    window.submit("#signin")
    assert window.exists("#signout"), f"{email} is not signed in: {heading(window)!r}, " \
        f"{window.body_text()[:300]}"


def signed_in_as(window: Browser, email: str, password: str) -> Browser:
    """The window signed in as ``email`` (signing out whoever else was)."""
    window.go("/")
    who = window.find_all(".who")
    if not (window.exists("#signout") and who and email in who[0].text):
        sign_out(window)
        sign_in(window, email, password)
    return window


def sign_out(window: Browser) -> None:
    if window.exists("#signout"):
        window.submit("#signout")
        assert not window.exists("#signout"), "still signed in after signing out"


def invite(window: Browser, email: str, role: str, facilitator: str = "") -> str:
    """Invite ``email`` as ``role`` on the accounts page; returns the one-time link shown."""
    window.go("/admin/accounts")
    fields = {"email": email, "role": role}
    if facilitator:
        fields["facilitator_id"] = facilitator
    window.fill("#invite", **fields)
    window.submit("#invite")
    link = window.find("#invite-link").get_attribute("value")
    assert re.match(r"https?://", link), f"no invitation link shown: {window.body_text()[:300]}"
    return link


def set_password(window: Browser, link: str, password: str) -> None:
    """Open the invitation link (signed out) and choose a password."""
    sign_out(window)
    window.go(link)
    window.fill("form:has(#confirm)", password=password, confirm=password)
    window.submit("form:has(#confirm)")
    assert "sign in" in window.body_text().lower(), window.body_text()[:300]


def refused(window: Browser) -> bool:
    """The page is the console's refusal by role, not the page asked for."""
    return window.page() == "refused"


def choose_language(window: Browser, language: str) -> None:
    """The language switch in the header: a button per language."""
    window.submit("#language", f"#language button[value='{language}']")
