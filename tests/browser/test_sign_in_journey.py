"""A practitioner signs in, reads the service in Welsh, and signs out; also lockout and no-JS."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in


def language_button(page, name):
    # The switcher is labelled in the page's language: "Language", or "Iaith" in Welsh.
    switcher = page.get_by_role("navigation", name=re.compile(r"^(Language|Iaith)$"))
    return switcher.get_by_role("button", name=name, exact=True)


def test_practitioner_signs_in_reads_the_service_in_welsh_and_signs_out(
    page, live_server, practitioner
):
    # Alice opens the service and is asked to sign in.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/account/sign-in/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_accessible(page)

    # She signs in and lands on her home page, which greets her and shows her role and team.
    sign_in(page, live_server, "alice")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {practitioner.first_name}")
    roles = page.get_by_role("table", name="Your roles and teams")
    expect(roles.get_by_role("row", name="Practitioner Team A")).to_be_visible()
    expect(page.get_by_text(f"Signed in as {practitioner.get_full_name()}")).to_be_visible()
    assert_accessible(page)

    # She switches the service to Welsh with the language switcher in the header.
    language_button(page, "Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(language_button(page, "Cymraeg")).to_have_attribute("aria-current", "true")
    expect(language_button(page, "English")).to_be_visible()
    expect(language_button(page, "English")).not_to_have_attribute("aria-current", "true")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Croeso")
    assert_accessible(page)

    # She switches back to English, signs out, and is back at the sign-in page.
    language_button(page, "English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en-gb")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/account/sign-in/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    # Her home page is no longer open to this browser.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/account/sign-in/"))


def test_five_wrong_passwords_lock_the_username(page, live_server, practitioner):
    # Four wrong passwords: each time she is told, without saying which part was wrong.
    for _attempt in range(4):
        sign_in(page, live_server, "alice", password="wrong-password")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        expect(page.get_by_text("Enter a correct username and password").first).to_be_visible()
    expect(page.get_by_text("Too many failed attempts to sign in")).to_have_count(0)

    # The fifth locks the username, and says so in an error summary.
    sign_in(page, live_server, "alice", password="wrong-password")
    expect(page.get_by_role("alert")).to_contain_text("Too many failed attempts to sign in")
    assert_accessible(page)

    # Now even the right password does not let her in.
    sign_in(page, live_server, "alice")
    expect(page.get_by_role("alert")).to_contain_text("Too many failed attempts to sign in")
    expect(page).to_have_url(re.compile(r"/account/sign-in/"))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_signing_in_and_switching_language_work_without_javascript(
    no_script_page, live_server, practitioner
):
    page = no_script_page
    sign_in(page, live_server, "alice")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {practitioner.first_name}")
    # The GOV.UK Frontend start-up script marks the body when it runs; here it must not have.
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bjs-enabled\b"))

    language_button(page, "Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(language_button(page, "Cymraeg")).to_have_attribute("aria-current", "true")

    language_button(page, "English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en-gb")
    expect(language_button(page, "English")).to_have_attribute("aria-current", "true")
