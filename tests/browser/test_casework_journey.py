"""A practitioner takes a referral through the first days of casework; the manager then
reallocates the case. Every page visited is checked with axe."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from cases.models import CaseEvent, NeedCategory, TRMStage, YoungPerson
from cases.reference_data import ensure_defaults
from seed.factories import user_with_role
from tests.browser.conftest import assert_accessible, sign_in


@pytest.fixture
def colleague(team_a):
    """A second practitioner in Alice's team, to take the case over."""
    return user_with_role(
        Role.PRACTITIONER, team_a, username="dafydd", first_name="Dafydd", last_name="Owen"
    )


def test_referral_needs_consent_appointment_then_reallocation(
    page, live_server, practitioner, manager, colleague
):
    ensure_defaults(NeedCategory, TRMStage)  # the live server's database starts empty
    today = timezone.localdate()

    # Alice adds a referral from her caseload.
    sign_in(page, live_server, "alice")
    page.get_by_role("link", name="My caseload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    assert_accessible(page)
    page.get_by_role("button", name="Add a referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a referral")
    assert_accessible(page)
    page.get_by_label("Given name").fill("Seren")
    page.get_by_label("Family name").fill("Bowen")
    page.get_by_label("Date of birth").fill((today - timedelta(days=15 * 365)).isoformat())
    page.get_by_label("Female").check()
    page.get_by_label("Referral date").fill((today - timedelta(days=3)).isoformat())
    page.get_by_label("Reference").fill("FL-2026-001")
    page.get_by_role("button", name="Add referral").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Seren Bowen")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Seren Bowen")
    assert_accessible(page)
    record_url = page.url

    # She records a need with its evidence.
    page.get_by_role("link", name="Record a need").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a need")
    assert_accessible(page)
    page.get_by_label("Substance misuse").check()
    page.get_by_label("Date identified").fill((today - timedelta(days=3)).isoformat())
    page.get_by_label("Evidence").fill("Told us in the first meeting.")
    page.get_by_role("button", name="Save need").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Substance misuse")

    # Seren consents to take part.
    page.get_by_role("link", name="Record consent decisions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record consent decisions")
    assert_accessible(page)
    page.get_by_role("group", name="Young person – Taking part in ECM").get_by_label(
        "Given"
    ).check()
    page.get_by_label("Date of the decisions").fill(today.isoformat())
    page.get_by_role("button", name="Save consent decisions").click()
    expect(page.locator("#consent")).to_contain_text("Given")

    # A first one-to-one took place earlier today (at midnight, so that the test never logs
    # an attended appointment that has not started yet, whatever the time it runs).
    page.get_by_role("link", name="Log an appointment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log an appointment")
    assert_accessible(page)
    page.get_by_label("Date and time").fill(f"{today.isoformat()}T00:00")
    page.get_by_label("One-to-one").check()
    page.get_by_label("Building the relationship").check()
    page.get_by_label("Purpose detail").fill("Getting to know each other; agree a weekly time")
    page.get_by_label("Attended", exact=True).check()
    page.get_by_label("4", exact=True).check()
    page.get_by_label("Achieved", exact=True).check()
    page.get_by_label("Outcome note").fill("Relaxed by the end; chose Tuesdays after school.")
    page.get_by_role("button", name="Save appointment").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()

    # The caseload now shows Seren with today's contact.
    page.get_by_role("link", name="My caseload").click()
    row = page.get_by_role("row").filter(has_text="Seren Bowen")
    expect(row).to_contain_text(today.strftime("%-d %B %Y"))
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    # Mona, the manager, moves the case to Dafydd with a reason.
    sign_in(page, live_server, "mona")
    page.get_by_role("link", name="Teams", exact=True).click()
    page.get_by_role("link", name="Team A").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team A")
    assert_accessible(page)
    page.get_by_role("row").filter(has_text="Seren Bowen").get_by_role("checkbox").check()
    page.get_by_label("Reallocate to").select_option(label="Dafydd Owen")
    page.get_by_label("Reason for the reallocation").fill("Balancing caseloads")
    page.get_by_role("button", name="Reallocate").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "reallocated to Dafydd Owen"
    )
    assert_accessible(page)

    seren = YoungPerson.objects.get(reference="FL-2026-001")
    assert seren.practitioner == colleague
    assert CaseEvent.objects.get(young_person=seren, action="case.reallocated").data["reason"] == (
        "Balancing caseloads"
    )
    page.goto(record_url)
    expect(page.locator("#details")).to_contain_text("Dafydd Owen")
