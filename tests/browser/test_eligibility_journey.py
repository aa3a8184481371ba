"""A referral with too few offences is checked, overridden by the manager, and starts ECM.

The journey opens the eligibility pages by their addresses, so it does not depend on how the
record page links to them.
"""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import expect

from eligibility.models import EligibilityDecision, EligibilityPolicy
from eligibility.reference_data import ensure_default_policies
from seed import factories
from tests.browser.conftest import assert_accessible, sign_in


@pytest.fixture
def referral(team_a, practitioner):
    """Referred 1 March 2016 (ECM 2016 revised: 5 offences in 24 months, 3 needs, an order)
    with only 2 offences, 4 needs and a referral order."""
    ensure_default_policies(EligibilityPolicy)  # the live server's database starts empty
    person = factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        given_name="Dylan",
        family_name="Morgan",
        referral_date=date(2016, 3, 1),
        date_of_birth=date(2000, 5, 5),
    )
    for months_before in (2, 7):
        factories.OffenceFactory(
            young_person=person, committed_on=date(2016, 3, 1) - timedelta(days=30 * months_before)
        )
    for code in ("substance_misuse", "mental_health", "neglect", "bereavement"):
        factories.NeedFactory(
            young_person=person,
            category=factories.need_category(code),
            recorded_on=date(2016, 2, 1),
        )
    factories.OrderFactory(young_person=person, start_date=date(2016, 1, 10), end_date=None)
    return person


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_check_override_and_start_ecm(page, live_server, referral, practitioner, manager):
    decisions = live_server.url + reverse("eligibility:decision-list", kwargs={"pk": referral.pk})

    # Alice opens Dylan's eligibility page: no check has been made yet.
    sign_in(page, live_server, "alice")
    page.goto(decisions)
    expect(page.get_by_role("heading", level=1)).to_have_text("Eligibility and ECM pathway")
    expect(page.get_by_text("No eligibility check has been made yet.")).to_be_visible()
    assert_accessible(page)

    # She runs a check. The page names the policy in force on the referral date and asks
    # whether Dylan takes part voluntarily; he is on a referral order, so she answers no.
    page.get_by_role("button", name="Run an eligibility check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Run an eligibility check")
    expect(page.locator("#policy")).to_contain_text("ECM 2016 revised (version 1)")
    assert_accessible(page)
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Run the check").click()

    # Not eligible: too few offences, which the decision shows as its evidence.
    expect(page.get_by_role("alert")).to_contain_text("Eligibility checked: not eligible")
    expect(page.locator("#pathway")).to_contain_text("Not eligible")
    expect(page.get_by_text("2 offences between 1 March 2014 and 1 March 2016")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # Mona, the team manager, overrides the decision with her reason.
    sign_in(page, live_server, "mona")
    page.goto(decisions)
    page.get_by_role("link", name=re.compile(r"^Override")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Override the eligibility decision")
    assert_accessible(page)
    page.get_by_label("Eligible", exact=True).check()
    page.get_by_label("Reason for the override").fill(
        "Three further offences were dealt with in England and are not recorded here"
    )
    page.get_by_role("button", name="Override the decision").click()

    # The override and its reason show with the decision.
    expect(page.get_by_role("alert")).to_contain_text("Decision overridden: eligible")
    expect(page.get_by_text("Overridden by a manager: eligible")).to_be_visible()
    expect(
        page.get_by_text("Reason: Three further offences were dealt with in England")
    ).to_be_visible()
    assert_accessible(page)
    decision = EligibilityDecision.objects.get(young_person=referral)
    assert decision.override.made_by == manager
    sign_out(page)

    # Dylan and his mother have agreed to take part (recorded elsewhere in the record).
    factories.ConsentFactory(young_person=referral, recorded_by=practitioner)
    factories.ConsentFactory(young_person=referral, party="parent_carer", recorded_by=practitioner)

    # Alice starts ECM today.
    sign_in(page, live_server, "alice")
    page.goto(decisions)
    page.get_by_role("button", name="Start ECM").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start ECM")
    today = timezone.localdate()
    expect(page.get_by_label("ECM start date")).to_have_value(today.isoformat())
    assert_accessible(page)
    page.get_by_role("button", name="Start ECM").click()

    expect(page.get_by_role("alert")).to_contain_text(
        f"ECM started on {date_format(today, 'j F Y')}"
    )
    expect(page.locator("#pathway")).to_contain_text(f"On ECM since {date_format(today, 'j F Y')}")
    assert_accessible(page)
    referral.refresh_from_db()
    assert referral.ecm_start_date == today
