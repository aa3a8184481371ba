"""ECM cannot start until consent is given: the practitioner records both people's decisions
for both purposes on one page and comes straight back to start ECM. Then an appointment the
young person missed loses the engagement rating picked for it before the attendance changed.
"""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Consent, DisengagementReason
from cases.reference_data import ensure_disengagement_reasons
from eligibility import services
from eligibility.models import EligibilityPolicy
from eligibility.reference_data import ensure_default_policies
from seed import factories
from tests.browser.conftest import assert_accessible, sign_in


@pytest.fixture
def referral(team_a, practitioner):
    """Referred 1 March 2016 at 15 (so a parent or carer must consent too), eligible under ECM
    2016 revised (5 offences in 24 months, 3 needs, an order), with no consent recorded."""
    ensure_default_policies(EligibilityPolicy)  # the live server's database starts empty
    ensure_disengagement_reasons(DisengagementReason)
    person = factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        given_name="Dylan",
        family_name="Morgan",
        referral_date=date(2016, 3, 1),
        date_of_birth=date(2000, 5, 5),
    )
    for months_before in (1, 3, 5, 7, 9):
        factories.OffenceFactory(
            young_person=person, committed_on=date(2016, 3, 1) - timedelta(days=30 * months_before)
        )
    for code in ("substance_misuse", "mental_health", "neglect"):
        factories.NeedFactory(
            young_person=person,
            category=factories.need_category(code),
            recorded_on=date(2016, 2, 1),
        )
    factories.OrderFactory(young_person=person, start_date=date(2016, 1, 10), end_date=None)
    decision = services.eligibility_check(
        by=practitioner, young_person=person, decided_on=date(2016, 3, 2)
    )
    assert decision.eligible
    return person


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(
        team=team_a, practitioner=practitioner, given_name="Rhys", family_name="Evans"
    )


def language_button(page, name):
    switcher = page.get_by_role("navigation", name=re.compile(r"^(Language|Iaith)$"))
    return switcher.get_by_role("button", name=name, exact=True)


def question(page, name):
    return page.get_by_role("group", name=name)


def test_consent_recorded_from_start_ecm_returns_to_start_it(page, live_server, referral):
    start = live_server.url + reverse("eligibility:start", kwargs={"pk": referral.pk})

    # Alice tries to start ECM for Dylan: his and his mother's consent are missing.
    sign_in(page, live_server, "alice")
    page.goto(start)
    expect(page.get_by_role("heading", level=2, name="ECM cannot start yet")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Record a consent decision").first.click()

    # One page asks for both people's decisions on both purposes.
    expect(page.get_by_role("heading", level=1)).to_have_text("Record consent decisions")
    for name in (
        "Young person – Taking part in ECM",
        "Young person – Use of information in the evaluation",
        "Parent or carer – Taking part in ECM",
        "Parent or carer – Use of information in the evaluation",
    ):
        expect(question(page, name).get_by_label("No new decision")).to_be_checked()
    assert_accessible(page)

    # The page reads in Welsh too.
    language_button(page, "Cymraeg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cofnodi penderfyniadau cydsynio")
    assert_accessible(page)
    language_button(page, "English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record consent decisions")

    # Saving without a decision says what is missing and keeps the note she typed.
    page.get_by_label("Note").fill("Met Dylan and his mother at home")
    page.get_by_role("button", name="Save consent decisions").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select at least one decision to record, for either person")
    expect(page.get_by_label("Note")).to_have_value("Met Dylan and his mother at home")
    assert_accessible(page)

    # She records all four decisions at once.
    question(page, "Young person – Taking part in ECM").get_by_label("Given").check()
    question(page, "Young person – Use of information in the evaluation").get_by_label(
        "Refused"
    ).check()
    question(page, "Parent or carer – Taking part in ECM").get_by_label("Given").check()
    question(page, "Parent or carer – Use of information in the evaluation").get_by_label(
        "Given"
    ).check()
    page.get_by_role("group", name="Reason for refusing or withdrawing").get_by_label(
        "Didn't see the point"
    ).check()
    page.get_by_label("Date of the decisions").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Save consent decisions").click()

    # Straight back to starting ECM, which nothing now stops.
    expect(page).to_have_url(start)
    expect(page.get_by_role("heading", level=1)).to_have_text("Start ECM")
    expect(page.get_by_text("ECM cannot start yet")).to_have_count(0)
    expect(page.get_by_role("alert")).to_contain_text(
        "Consent recorded: Young person – Taking part in ECM – Given; "
        "Young person – Use of information in the evaluation – Refused; "
        "Parent or carer – Taking part in ECM – Given"
    )
    assert_accessible(page)
    assert Consent.objects.filter(young_person=referral).count() == 4
    page.get_by_role("button", name="Start ECM").click()
    expect(page.get_by_role("alert")).to_contain_text("ECM started on")


def test_a_missed_appointment_loses_the_rating_picked_before(page, live_server, young_person):
    appointment = factories.AppointmentFactory(
        young_person=young_person,
        starts_at=timezone.now() - timedelta(days=1),
        attendance="",
        engagement=None,
        outcome="",
    )
    edit = live_server.url + reverse(
        "cases:appointment-edit",
        kwargs={"pk": young_person.pk, "appointment_pk": appointment.pk},
    )
    sign_in(page, live_server, "alice")
    page.goto(edit)
    expect(page.get_by_role("heading", level=1)).to_have_text("Change an appointment")
    engagement = page.get_by_role("group", name="Engagement")
    expect(engagement.get_by_label("Not rated")).to_be_checked()
    assert_accessible(page)

    # She starts to record it as attended and rates it, then remembers he did not come.
    page.get_by_role("group", name="Attendance").get_by_label("Attended", exact=True).check()
    engagement.get_by_label("4", exact=True).check()
    page.get_by_role("group", name="Attendance").get_by_label("Did not attend").check()
    expect(engagement.get_by_label("Not rated")).to_be_checked()
    page.get_by_label("Outcome note").fill("Texted to rearrange for Thursday")
    page.get_by_role("button", name="Save appointment").click()

    expect(page.get_by_role("alert")).to_contain_text("updated")
    appointment.refresh_from_db()
    assert (appointment.attendance, appointment.engagement, appointment.outcome) == (
        "did_not_attend",
        None,
        "Texted to rearrange for Thursday",
    )
