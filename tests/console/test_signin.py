"""Signing in: argon2 passwords, server-side sessions, cookies, throttling, CSRF, admin pages."""

import re

from tests.console.conftest import csrf_of, person, sign_in


def test_a_person_signs_in_and_out_with_a_server_side_session(console):
    app, store = console()
    person(store, "amina@glo-act.local", "coordinator")
    browser = app.test_client()
    assert browser.get("/").status_code == 302  # to the sign-in page

    signed = sign_in(browser, "Amina@GLO-ACT.local")
    assert signed.status_code == 302
    cookie = browser.get_cookie("console_session")
    assert cookie.http_only and cookie.same_site == "Strict"
    assert store.signin(cookie.value) is not None  # the session lives in the console's DB
    assert store.db.signins.find_one({"_id": cookie.value}) is None  # only its digest is kept
    home = browser.get("/")
    assert home.status_code == 200 and b"amina@glo-act.local" in home.data

    browser.post("/signout", data={"csrf_token": csrf_of(home.data)})
    assert store.signin(cookie.value) is None
    assert browser.get("/").status_code == 302


def test_passwords_are_stored_as_argon2_hashes(console):
    _, store = console()
    person(store, "hash@glo-act.local", "viewer")
    stored = store.account_by_email("hash@glo-act.local")["password_hash"]
    assert stored.startswith("$argon2id$") and "battery" not in stored


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(console):
    app, store = console()
    person(store, "bushra@glo-act.local", "viewer")
    wrong = sign_in(app.test_client(), "bushra@glo-act.local", "not the password at all")
    unknown = sign_in(app.test_client(), "nobody@glo-act.local", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert b"Wrong email or password." in wrong.data and b"Wrong email or password." in unknown.data


def test_sign_in_is_throttled_per_account_after_repeated_failures(console):
    app, store = console()
    person(store, "sana@glo-act.local", "coordinator")
    for attempt in range(3):  # the limit per account is 3 here, from different addresses
        assert sign_in(app.test_client(), "sana@glo-act.local", "wrong password!!",
                       address=f"10.0.1.{attempt}").status_code == 401
    refused = sign_in(app.test_client(), "sana@glo-act.local", address="10.0.2.1")
    assert refused.status_code == 429  # even the right password now waits
    assert int(refused.headers["Retry-After"]) > 0


def test_sign_in_is_throttled_per_address_across_accounts(console):
    app, store = console()
    person(store, "late@glo-act.local", "viewer")
    for n in range(6):
        sign_in(app.test_client(), f"guess{n}@glo-act.local", "wrong password!!",
                address="10.9.9.9")
    assert sign_in(app.test_client(), "late@glo-act.local", address="10.9.9.9").status_code == 429
    assert sign_in(app.test_client(), "late@glo-act.local", address="10.9.9.8").status_code == 302


def test_the_throttle_holds_across_app_processes_sharing_the_database(console):
    first, store = console()
    person(store, "shared@glo-act.local", "viewer")
    from services.console.app import create_app

    second = create_app(first.config["CONSOLE"], store)  # another gunicorn worker
    for app in (first, second, first):
        sign_in(app.test_client(), "shared@glo-act.local", "wrong password!!")
    assert sign_in(second.test_client(), "shared@glo-act.local").status_code == 429


def test_a_form_without_the_csrf_token_is_refused(console):
    app, store = console()
    person(store, "csrf@glo-act.local", "coordinator")
    browser = app.test_client()
    sign_in(browser, "csrf@glo-act.local")
    forged = browser.post("/signout", data={})
    assert forged.status_code == 400 and b"expired" in forged.data
    wrong = browser.post("/signout", data={"csrf_token": "0" * 64})
    assert wrong.status_code == 400
    assert browser.get("/").status_code == 200  # still signed in


def test_sign_in_itself_needs_the_csrf_token(console):
    app, store = console()
    person(store, "login-csrf@glo-act.local", "viewer")
    browser = app.test_client()
    refused = browser.post("/signin", data={"email": "login-csrf@glo-act.local",
                                            "password": "correct horse battery staple"})
    assert refused.status_code == 400 and browser.get_cookie("console_session") is None


def test_cookies_are_secure_outside_development(console):
    app, store = console(secure_cookies=True)
    person(store, "tls@glo-act.local", "viewer")
    browser = app.test_client()
    sign_in(browser, "tls@glo-act.local")
    assert browser.get_cookie("console_session").secure


def test_admin_invites_with_a_one_time_link_and_can_disable(console):
    app, store = console()
    person(store, "admin@glo-act.local", "admin")
    admin = app.test_client()
    sign_in(admin, "admin@glo-act.local")
    page = admin.get("/admin/accounts")
    assert page.status_code == 200
    invited = admin.post("/admin/accounts", data={
        "email": "new.coordinator@glo-act.local", "role": "coordinator",
        "csrf_token": csrf_of(page.data)})
    assert invited.status_code == 201
    link = re.search(rb'value="http://localhost(/set-password/[^"]+)"', invited.data).group(1)

    newcomer = app.test_client()
    form = newcomer.get(link.decode())
    assert form.status_code == 200
    set_it = newcomer.post(link.decode(), data={
        "password": "a long new password", "confirm": "a long new password",
        "csrf_token": csrf_of(form.data)})
    assert set_it.status_code == 200
    assert newcomer.get(link.decode()).status_code == 410  # used once
    assert sign_in(newcomer, "new.coordinator@glo-act.local",
                   "a long new password").status_code == 302

    account = store.account_by_email("new.coordinator@glo-act.local")
    page = admin.get("/admin/accounts")
    admin.post(f"/admin/accounts/{account['_id']}", data={
        "action": "disable", "role": "coordinator", "csrf_token": csrf_of(page.data)})
    assert newcomer.get("/").status_code == 302  # signed out everywhere
    assert sign_in(app.test_client(), "new.coordinator@glo-act.local",
                   "a long new password").status_code == 401


def test_only_an_admin_reaches_the_accounts_page(console):
    app, store = console()
    for role in ("coordinator", "facilitator", "viewer"):
        person(store, f"{role}@glo-act.local", role,
               "fac-1" if role == "facilitator" else None)
        browser = app.test_client()
        sign_in(browser, f"{role}@glo-act.local")
        assert browser.get("/admin/accounts").status_code == 403
        assert b"/admin/accounts" not in browser.get("/").data or role == "facilitator"


def test_the_next_address_after_sign_in_stays_on_the_console(console):
    app, store = console()
    person(store, "next@glo-act.local", "viewer")
    browser = app.test_client()
    token = csrf_of(browser.get("/signin").data)
    answer = browser.post("/signin", data={"email": "next@glo-act.local", "csrf_token": token,
                                           "password": "correct horse battery staple",
                                           "next": "https://evil.example/"})
    assert answer.headers["Location"] == "/"


def test_an_outage_of_the_consoles_own_database_is_a_page_not_a_trace(console):
    app, _ = console(mongo_uri="mongodb://127.0.0.1:9/")
    browser = app.test_client()
    token = csrf_of(browser.get("/signin").data)
    down = browser.post("/signin", data={"email": "a@glo-act.local", "password": "whatever!!",
                                         "csrf_token": token})
    assert down.status_code == 503
    assert b"cannot reach its own database" in down.data and b"Traceback" not in down.data
    assert app.test_client().get("/health/ready").status_code == 503


def test_urdu_is_right_to_left_and_remembered_on_the_account(console):
    app, store = console()
    person(store, "urdu@glo-act.local", "coordinator")
    browser = app.test_client()
    sign_in(browser, "urdu@glo-act.local")
    home = browser.get("/")
    browser.post("/language", data={"language": "ur", "csrf_token": csrf_of(home.data)})
    assert b'<html lang="ur" dir="rtl">' in browser.get("/").data

    elsewhere = app.test_client()  # another device: no language cookie there
    sign_in(elsewhere, "urdu@glo-act.local", address="10.0.0.2")
    page = elsewhere.get("/").data.decode()
    assert '<html lang="ur" dir="rtl">' in page and "سائن آؤٹ" in page
