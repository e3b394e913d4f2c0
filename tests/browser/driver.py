"""A person at a browser: headless Debian Chromium driven by Selenium, with the page's words."""

import base64
import re
import time
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from devstack.browser import CHROMEDRIVER, CHROMIUM

# Without the background-networking flags Chromium reaches for Google's services, which this
# closed network refuses; --no-sandbox because CI runs as root.
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-quic", "--disable-extensions", "--hide-scrollbars",
         "--force-device-scale-factor=1")
DESKTOP = (1280, 900)
TABLET = (820, 1180)
WAIT_S = 30.0


def open_chromium(size: tuple[int, int], profile: Path, log: Path) -> webdriver.Chrome:
    """A fresh headless Chromium (own profile, so own cookies); never a downloaded driver."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={size[0]},{size[1]}")
    # The Service names the driver, so Selenium Manager never tries to download one.
    service = Service(executable_path=str(CHROMEDRIVER), log_output=str(log))
    driver = webdriver.Chrome(options=options, service=service)
    # --window-size counts the window's frame: grow it so the page itself gets ``size``.
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(2 * size[0] - inner[0], 2 * size[1] - inner[1])
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


class Browser:
    """One person's browser window on the console: go, fill, press, read, wait, screenshot."""

    def __init__(self, driver: webdriver.Chrome, base_url: str, artifacts: Path, name: str):
        self.driver, self.base_url, self.artifacts, self.name = driver, base_url, artifacts, name

    def go(self, path: str) -> str:
        self.driver.get(path if path.startswith("http") else f"{self.base_url}{path}")
        return self.page()

    def page(self) -> str:
        """The page's stable name (``<body data-page>``); '' when the page has none."""
        return self.find("body").get_attribute("data-page") or ""

    def path(self) -> str:
        return self.driver.current_url.removeprefix(self.base_url)

    def find(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def exists(self, css: str) -> bool:
        return bool(self.find_all(css))

    def text(self, css: str) -> str:
        return " ".join(self.find(css).text.split())

    def body_text(self) -> str:
        return " ".join(self.find("body").text.split())

    def html(self) -> str:
        return self.driver.page_source

    def fill(self, form: str, **fields) -> None:
        """Type into the form's inputs by name: text replaces, a bool ticks a checkbox, a string
        picks the radio or checkbox of that value, a select picks by value or visible text."""
        for name, value in fields.items():
            element = self.find(f"{form} [name='{name}']")
            kind = (element.get_attribute("type") or "").lower()
            if element.tag_name == "select":
                _choose(Select(element), value)
            elif kind in ("checkbox", "radio"):
                if isinstance(value, str):  # the one of that name with this value
                    element = self.find(f"{form} [name='{name}'][value='{value}']")
                    value = True
                if element.is_selected() != bool(value):
                    self.click(element)
            elif kind in ("date", "time", "datetime-local"):
                # Typed keys depend on the locale's field order; setting the value does not.
                self.driver.execute_script(
                    "arguments[0].value = arguments[1];"
                    "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                    element, str(value))
            else:
                element.clear()
                element.send_keys(str(value))

    def submit(self, form: str, button: str = "") -> str:
        """Press the form's submit button (or ``button``) and wait for the next page."""
        target = self.find(button or f"{form} [type=submit]")
        old = self.find("html")
        self.click(target)
        self.wait(lambda: _stale(old), f"a new page after submitting {form}")
        return self.page()

    def click(self, element) -> None:
        # Scrolling first keeps sticky headers from taking the click on a small window.
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        try:
            element.click()
        except (ElementNotInteractableException, ElementClickInterceptedException):
            # A styled radio or checkbox is hidden behind its label: tap the label, as a
            # person does.
            element_id = element.get_attribute("id")
            labels = self.find_all(f"label[for='{element_id}']") if element_id else []
            if not labels:
                raise
            labels[0].click()

    def press(self, css: str) -> None:
        self.click(self.find(css))

    def follow(self, link_text: str) -> str:
        old = self.find("html")
        self.click(self.driver.find_element(By.PARTIAL_LINK_TEXT, link_text))
        self.wait(lambda: _stale(old), f"the page behind the link {link_text!r}")
        return self.page()

    def wait(self, condition, what: str, timeout_s: float = WAIT_S):
        """Poll ``condition`` until it is truthy; fail naming ``what`` and the page shown."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                result = condition()
            except (StaleElementReferenceException, WebDriverException):
                result = None
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: {what} did not happen within {timeout_s:.0f}s "
                                     f"(on {self.path()}, page {self._page_or_none()!r})")
            time.sleep(0.25)

    def wait_for_text(self, css: str, pattern: str, reload: bool = True,
                      timeout_s: float = WAIT_S) -> str:
        """Reload the page until the element's text matches (eventual consistency, as a person
        would press refresh); return the text."""
        def matches():
            if reload:
                self.driver.refresh()
            found = self.find_all(css)
            text = " ".join(found[0].text.split()) if found else ""
            return text if re.search(pattern, text) else None

        return self.wait(matches, f"{css} showing /{pattern}/", timeout_s)

    def screenshot(self, name: str) -> Path:
        self.artifacts.mkdir(parents=True, exist_ok=True)
        path = self.artifacts / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def page_screenshot(self, name: str, max_height: int = 2400) -> Path:
        """The page from its top, as tall as its content (at most ``max_height``), whatever
        is scrolled into view."""
        content = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        width = self.driver.execute_script("return window.innerWidth")
        # A window as tall as the page, for the shot only (a clip beyond the viewport is
        # drawn shifted on right-to-left pages).
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": int(min(content["height"], max_height)),
            "deviceScaleFactor": 1, "mobile": False})
        try:
            self.driver.execute_script("window.scrollTo(0, 0)")
            shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
        finally:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        self.artifacts.mkdir(parents=True, exist_ok=True)
        path = self.artifacts / f"{name}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def _page_or_none(self) -> str | None:
        try:
            return self.page()
        except WebDriverException:
            return None


def _choose(select: Select, value) -> None:
    values = [o.get_attribute("value") for o in select.options]
    if str(value) in values:
        select.select_by_value(str(value))
    else:
        select.select_by_visible_text(str(value))


def _stale(element) -> bool:
    try:
        element.tag_name  # noqa: B018 - touching a replaced page's element raises
        return False
    except StaleElementReferenceException:
        return True
