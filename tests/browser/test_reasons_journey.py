"""Reasons and distance travelled (issue 15): a practitioner records a young person's refusal
with the reason and their own words and reads it on the record; a psychologist's formulation
is rated by the young person and the practitioner, and the record shows how far they have
come."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Consent, DisengagementReason
from cases.reference_data import ensure_disengagement_reasons
from formulation import services as formulation_services
from formulation.models import DistanceDomain, DistanceRating
from formulation.reference_data import ensure_distance_domains
from seed import factories
from tests.browser.conftest import assert_accessible, sign_in


@pytest.fixture
def young_person(team_a, practitioner):
    ensure_disengagement_reasons(DisengagementReason)  # the live server's database starts empty
    ensure_distance_domains(DistanceDomain)
    return factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        given_name="Rhys",
        family_name="Evans",
        referral_date=timezone.localdate() - timedelta(days=200),
    )


def test_a_refusal_is_recorded_with_the_reason_and_the_young_persons_words(
    page, live_server, young_person
):
    sign_in(page, live_server, "alice")
    page.goto(live_server.url + reverse("cases:consent-create", kwargs={"pk": young_person.pk}))
    page.get_by_role("group", name="Young person – Taking part in ECM").get_by_label(
        "Refused"
    ).check()
    page.get_by_label("Date of the decisions").fill(timezone.localdate().isoformat())

    # Without a reason she is asked for one.
    page.get_by_role("button", name="Save consent decisions").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select the reason given for refusing or withdrawing consent"
    )
    assert_accessible(page)

    page.get_by_role("group", name="Reason for refusing or withdrawing").get_by_label(
        "Too many appointments"
    ).check()
    page.get_by_label("In the young person's own words (optional)").fill(
        "It's every week and I've got college"
    )
    page.get_by_role("button", name="Save consent decisions").click()

    # The record says why, in words.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rhys Evans")
    consent_card = page.locator("#consent")
    expect(consent_card).to_contain_text(
        "Reason: Too many appointments. In their words: “It's every week and I've got college”"
    )
    assert_accessible(page)
    consent = Consent.objects.get(young_person=young_person)
    assert consent.reason.code == "too_many_appointments"


def test_distance_travelled_is_rated_at_formulations_and_shown_on_the_record(
    page, live_server, young_person, psychologist, practitioner
):
    stage = factories.trm_stage(2)
    for days_ago, kind in ((90, "initial"), (5, "review")):
        meeting = formulation_services.meeting_schedule(
            by=psychologist,
            young_person=young_person,
            held_on=timezone.localdate() - timedelta(days=days_ago),
            kind=kind,
            agencies=(),
        )
        formulation_services.formulation_record(
            by=psychologist,
            meeting=meeting,
            values={"trm_stage": stage, "trm_reasoning": "Trust is building"},
        )
    initial, review = young_person.formulation_meetings.order_by("held_on")

    # At the initial formulation Pat, the psychologist, records the ratings.
    sign_in(page, live_server, "pat")
    page.goto(live_server.url + reverse("formulation:meeting-list", kwargs={"pk": young_person.pk}))
    page.locator(f"#meeting-{initial.pk}").get_by_role("link", name="Distance travelled").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Distance travelled")
    assert_accessible(page)
    page.get_by_label("Self-confidence: the young person's own rating (1 to 5)").fill("2")
    page.get_by_role("button", name="Save ratings").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Self-confidence: enter the practitioner's rating too, or leave both empty"
    )
    page.get_by_label("Self-confidence: the practitioner's rating (1 to 5)").fill("1")
    page.get_by_label("Anger management: the young person's own rating (1 to 5)").fill("3")
    page.get_by_label("Anger management: the practitioner's rating (1 to 5)").fill("2")
    page.get_by_role("button", name="Save ratings").click()
    expect(page.get_by_role("alert")).to_contain_text("Distance travelled at the meeting on")

    # At the review Alice, the practitioner, rates with Rhys.
    page.context.clear_cookies()
    sign_in(page, live_server, "alice")
    page.goto(
        live_server.url + reverse("formulation:distance-edit", kwargs={"meeting_pk": review.pk})
    )
    page.get_by_label("Self-confidence: the young person's own rating (1 to 5)").fill("4")
    page.get_by_label("Self-confidence: the practitioner's rating (1 to 5)").fill("3")
    page.get_by_label("Anger management: the young person's own rating (1 to 5)").fill("3")
    page.get_by_label("Anger management: the practitioner's rating (1 to 5)").fill("2")
    page.get_by_role("button", name="Save ratings").click()
    assert DistanceRating.objects.count() == 4

    # The record shows the first and latest ratings and the change, in words.
    page.goto(live_server.url + reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk}))
    table = page.locator("#distance-travelled")
    expect(table.get_by_role("row", name="Self-confidence")).to_contain_text("up 2, from 2 to 4")
    expect(table.get_by_role("row", name="Self-confidence")).to_contain_text("up 2, from 1 to 3")
    expect(table.get_by_role("row", name="Anger management")).to_contain_text("no change, 3")
    assert_accessible(page)
