"""Never lose typed text: the idle sign-out warning kept away by typing, and a form submitted
after the sign-out offered back, filled in, after signing in again. Checked with axe in
English and Welsh.

The live server runs in this process, so the ``settings`` fixture shortens its idle limit to
seconds.
"""

import re
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Draft
from cases.models import Appointment
from seed import factories
from tests.browser.conftest import PASSWORD, assert_accessible, sign_in

OUTCOME = "Relaxed by the end; chose Tuesdays after school."


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(
        team=team_a, practitioner=practitioner, given_name="Seren", family_name="Bowen"
    )


@pytest.fixture
def form_url(live_server, young_person):
    return live_server.url + reverse("cases:appointment-create", kwargs={"pk": young_person.pk})


def fill_appointment(page):
    page.get_by_label("Date and time").fill(f"{timezone.localdate().isoformat()}T00:00")
    page.get_by_label("One-to-one").check()
    page.get_by_label("Review", exact=True).check()
    page.get_by_label("Purpose detail").fill("Weekly catch-up")
    page.get_by_label("Attended", exact=True).check()
    page.get_by_label("4", exact=True).check()
    page.get_by_label("Achieved", exact=True).check()


def test_typing_keeps_the_warning_away_and_stay_signed_in_keeps_the_session(
    page, live_server, practitioner, form_url, settings
):
    settings.ECM_SESSION_IDLE_SECONDS = 10
    settings.ECM_SESSION_WARNING_SECONDS = 4
    sign_in(page, live_server, "alice")
    page.goto(form_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log an appointment")
    warning = page.get_by_role("dialog", name="You are about to be signed out")

    # Alice writes the outcome slowly, for longer than the idle limit: typing is activity,
    # so the warning never comes and she stays signed in.
    outcome = page.get_by_label("Outcome note")
    started = time.monotonic()
    for word in (OUTCOME.split(" ") * 3)[:15]:
        outcome.press_sequentially(word + " ")
        assert not warning.is_visible(), "the warning came while she was typing"
        page.wait_for_timeout(1000)
    assert time.monotonic() - started > settings.ECM_SESSION_IDLE_SECONDS

    # She stops; the warning comes before the limit, and "Stay signed in" keeps her in.
    expect(warning).to_be_visible(timeout=12_000)
    expect(warning).to_contain_text("For your security, we will sign you out at")
    assert_accessible(page)
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()

    # Still signed in: the page opens again, with what she typed kept as a draft.
    page.goto(form_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log an appointment")
    expect(page.get_by_label("Outcome note")).to_have_value(re.compile(r"^Relaxed by the end"))
    expect(page.get_by_text("We kept what you typed on")).to_be_visible()
    assert_accessible(page)

    # The same warning in Welsh.
    page.locator(".govuk-language-navigation").get_by_role("button", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    warning = page.get_by_role("dialog", name="Rydych ar fin cael eich allgofnodi")
    expect(page.get_by_text("Gwnaethom gadw'r hyn a deipiwyd gennych ar")).to_be_visible()
    assert_accessible(page)
    expect(warning).to_be_visible(timeout=12_000)
    assert_accessible(page)
    warning.get_by_role("button", name="Aros wedi mewngofnodi").click()
    expect(warning).to_be_hidden()


def test_a_form_left_until_the_sign_out_is_restored_after_signing_in(
    page, live_server, practitioner, young_person, form_url, settings
):
    settings.ECM_SESSION_IDLE_SECONDS = 6
    settings.ECM_SESSION_WARNING_SECONDS = 3
    sign_in(page, live_server, "alice")
    page.goto(form_url)
    fill_appointment(page)
    page.get_by_label("Outcome note").fill(OUTCOME)

    # Alice is called away. The warning comes and goes unanswered; she is signed out, and
    # what she typed goes with the page's last post, which the server keeps.
    expect(page.get_by_role("dialog", name="You are about to be signed out")).to_be_visible(
        timeout=10_000
    )
    expect(page).to_have_url(re.compile(r"/account/sign-in/"), timeout=15_000)
    expect(
        page.get_by_text("What you typed has been kept, but it has not been saved yet.")
    ).to_be_visible()
    assert not Appointment.objects.exists()

    # She signs in again and is back at the form, filled in, told it is not saved yet.
    settings.ECM_SESSION_IDLE_SECONDS = 30 * 60
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(form_url)
    expect(page.get_by_text("Your form has not been saved yet")).to_be_visible()
    expect(page.get_by_label("Outcome note")).to_have_value(OUTCOME)
    expect(page.get_by_label("Purpose detail")).to_have_value("Weekly catch-up")
    assert_accessible(page)

    # She saves it: the appointment is recorded and the draft is gone.
    page.get_by_role("button", name="Save appointment").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    assert Appointment.objects.get(young_person=young_person).outcome == OUTCOME
    assert not Draft.objects.exists()


def test_a_form_submitted_after_the_sign_out_without_javascript_is_restored(
    no_script_page, live_server, practitioner, young_person, form_url, settings
):
    # (No axe here: it needs JavaScript. The same pages are checked in the journeys above.)
    page = no_script_page
    settings.ECM_SESSION_IDLE_SECONDS = 3
    sign_in(page, live_server, "alice")
    page.goto(form_url)
    # Without JavaScript the header says when the idle sign-out comes.
    expect(page.get_by_text("If you do nothing, you will be signed out at")).to_be_visible()
    fill_appointment(page)
    page.get_by_label("Outcome note").fill(OUTCOME)
    time.sleep(4.5)  # page timers need JavaScript

    page.get_by_role("button", name="Save appointment").click()
    expect(page).to_have_url(re.compile(r"/account/sign-in/"))
    expect(
        page.get_by_text("What you typed has been kept, but it has not been saved yet.")
    ).to_be_visible()

    settings.ECM_SESSION_IDLE_SECONDS = 30 * 60
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(form_url)
    expect(page.get_by_label("Outcome note")).to_have_value(OUTCOME)

    # In Welsh, the banner says the same.
    page.locator(".govuk-language-navigation").get_by_role("button", name="Cymraeg").click()
    expect(page.get_by_text("Nid yw eich ffurflen wedi'i chadw eto")).to_be_visible()

    # Or she discards it, and the form is empty again.
    page.get_by_role("button", name="Taflu'r drafft hwn").click()
    expect(page.get_by_label("Canlyniad")).to_have_value("")
    assert not Draft.objects.exists()
