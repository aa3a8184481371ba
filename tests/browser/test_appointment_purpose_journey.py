"""A practitioner logs an appointment the way the evaluation asked: its purpose from the list,
its duration (filled in for the kind of contact) and a coded outcome, then reads them in words
on the record, in English and Welsh. A duration of 0 is explained and what she typed is kept."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Appointment
from seed import factories
from tests.browser.conftest import assert_accessible, sign_in


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(
        team=team_a, practitioner=practitioner, given_name="Seren", family_name="Bowen"
    )


def test_an_appointment_with_a_purpose_a_duration_and_an_outcome(
    page, live_server, practitioner, young_person
):
    today = timezone.localdate()
    sign_in(page, live_server, "alice")
    page.goto(live_server.url + reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk}))
    page.get_by_role("link", name="Log an appointment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log an appointment")
    assert_accessible(page)

    # Choosing the kind of contact fills in its usual length; she changes the kind, and the
    # duration follows, until she types her own.
    duration = page.get_by_label("Duration")
    expect(duration).to_have_value("")
    page.get_by_label("Phone").check()
    expect(duration).to_have_value("15")
    page.get_by_label("Home visit").check()
    expect(duration).to_have_value("60")

    page.get_by_label("Date and time").fill(f"{today.isoformat()}T00:00")
    page.get_by_role("group", name="Purpose").get_by_label("Family work").check()
    page.get_by_label("Purpose detail").fill("Meet mum about the school mornings")
    page.get_by_label("Attended", exact=True).check()
    page.get_by_label("4", exact=True).check()
    page.get_by_role("group", name="Outcome").get_by_label("Partly achieved").check()
    page.get_by_label("Outcome note").fill("Agreed a morning routine; mum unsure it will last.")

    # A duration of 0 is explained, beside the field, and nothing she typed is lost.
    duration.fill("0")
    page.get_by_role("button", name="Save appointment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The duration must be at least 1 minute"
    )
    expect(page.locator("#id_duration_minutes-error")).to_contain_text(
        "The duration must be at least 1 minute"
    )
    assert_accessible(page)
    expect(page.get_by_label("Duration")).to_have_value("0")
    expect(page.get_by_label("Family work")).to_be_checked()
    expect(page.get_by_label("Partly achieved")).to_be_checked()
    expect(page.get_by_label("Purpose detail")).to_have_value("Meet mum about the school mornings")
    expect(page.get_by_label("Outcome note")).to_have_value(
        "Agreed a morning routine; mum unsure it will last."
    )
    assert not Appointment.objects.exists()

    page.get_by_label("Duration").fill("75")
    page.get_by_role("button", name="Save appointment").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()

    # The record says it in words, not codes.
    row = page.locator("#appointments").get_by_role("row").filter(has_text="Family work")
    expect(row).to_contain_text("Home visit: Family work – Meet mum about the school mornings")
    expect(row).to_contain_text("75 minutes")
    expect(row).to_contain_text("Partly achieved")
    expect(page.locator("#timeline")).to_be_visible()
    timeline = page.get_by_role("table", name="Everything recorded, newest first")
    expect(timeline).to_contain_text("Partly achieved – Agreed a morning routine")
    assert_accessible(page)
    saved = Appointment.objects.get()
    assert (saved.purpose_category.code, saved.duration_minutes, saved.outcome_code) == (
        "family",
        75,
        "partly_achieved",
    )

    # And in Welsh.
    page.locator(".govuk-language-navigation").get_by_role("button", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    row = page.locator("#appointments").get_by_role("row").filter(has_text="Gwaith gyda'r teulu")
    expect(row).to_contain_text("Cyflawnwyd yn rhannol")
    expect(row).to_contain_text("75 munud")
    assert_accessible(page)


def test_an_outcome_on_a_missed_appointment_is_explained(
    page, live_server, practitioner, young_person
):
    sign_in(page, live_server, "alice")
    page.goto(live_server.url + reverse("cases:appointment-create", kwargs={"pk": young_person.pk}))
    page.get_by_label("Date and time").fill(f"{timezone.localdate().isoformat()}T00:00")
    page.get_by_label("One-to-one").check()
    page.get_by_role("group", name="Purpose").get_by_label("Review", exact=True).check()
    page.get_by_label("Did not attend").check()
    page.get_by_role("group", name="Outcome").get_by_label("Achieved", exact=True).check()
    page.get_by_role("button", name="Save appointment").click()
    expect(page.locator("#id_outcome_code-error")).to_contain_text(
        "The young person did not attend, so the outcome can only be “Not applicable” or left empty"
    )
    expect(page.get_by_label("Duration")).to_have_value("60")
    assert_accessible(page)
    assert not Appointment.objects.exists()
