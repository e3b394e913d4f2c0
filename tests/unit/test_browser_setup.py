"""What `make test` does for the browser suite: installs what is missing, never hides it."""

import json

import pytest

from devstack import browser, testrun


@pytest.fixture
def nothing_installed(monkeypatch, tmp_path):
    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "chromium")
    monkeypatch.setattr(browser, "CHROMEDRIVER", tmp_path / "chromedriver")
    monkeypatch.setattr(browser, "AXE", tmp_path / "node_modules" / "axe-core" / "axe.min.js")
    return tmp_path


def test_what_is_missing_is_named_with_its_package(nothing_installed):
    problems = " ".join(browser.missing())
    assert "Debian package chromium)" in problems
    assert "Debian package chromium-driver" in problems
    assert "npm ci --prefix tests/browser" in problems


def test_an_axe_core_other_than_the_pinned_one_counts_as_missing(nothing_installed):
    browser.AXE.parent.mkdir(parents=True)
    browser.AXE.write_text("/* axe */")
    (browser.AXE.parent / "package.json").write_text(json.dumps({"version": "3.0.0"}))
    assert any("installed: 3.0.0" in problem for problem in browser.missing())


def test_without_root_nothing_is_run_and_the_missing_browser_is_reported(
        nothing_installed, monkeypatch, capsys):
    ran = []
    monkeypatch.setattr(browser.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(browser, "_run", lambda step, command: ran.append(command) or False)
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)  # no npm either
    problems = browser.ensure()
    assert not ran
    assert problems
    assert "apt-get install -y chromium chromium-driver" in capsys.readouterr().out


def test_as_root_apt_get_installs_chromium_after_updating_its_lists(
        nothing_installed, monkeypatch):
    ran = []
    monkeypatch.setattr(browser.os, "geteuid", lambda: 0)
    monkeypatch.setattr(browser.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(browser, "_run", lambda step, command: ran.append(command) or True)
    browser.ensure()
    assert ran[0][0] == "apt-get" and "update" in ran[0]
    assert ran[1][0] == "apt-get" and "install" in ran[1]
    assert {"chromium", "chromium-driver"} <= set(ran[1])
    assert ran[2][:2] == ["npm", "ci"]


@pytest.mark.parametrize(("argv", "selected"), [
    ([], True), (["-x", "-q"], True), (["tests"], True), (["tests/browser"], True),
    (["tests/browser/test_press_release.py::test_01_the_admin_signs_in"], True),
    (["tests/unit", "tests/integration/test_x.py"], False), (["tests/unit", "-x"], False)])
def test_make_test_prepares_the_browser_only_when_its_suite_is_selected(argv, selected):
    assert testrun._selects_browser_suite(argv) is selected
