"""A manager reads a case's change history and eligibility decision in Welsh."""

import re
from datetime import date

from django.urls import reverse
from playwright.sync_api import expect

from cases import services
from eligibility import services as eligibility_services
from eligibility.models import EligibilityPolicy
from eligibility.reference_data import ensure_default_policies
from seed import factories
from tests.browser.conftest import assert_accessible, sign_in


def test_a_manager_reads_the_history_and_the_evidence_in_welsh(
    page, live_server, practitioner, manager, team_a
):
    team_a.name_cy = "Tîm A Cymraeg"
    team_a.save()
    ensure_default_policies(EligibilityPolicy)
    person = factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        referral_date=date(2016, 3, 1),
        date_of_birth=date(2000, 1, 1),
    )
    services.need_record(
        by=practitioner,
        young_person=person,
        category=factories.need_category("self_harm"),
        recorded_on=date(2016, 2, 1),
    )
    eligibility_services.eligibility_check(by=practitioner, young_person=person)

    # Mona signs in and switches the service to Welsh.
    sign_in(page, live_server, "mona")
    switcher = page.get_by_role("navigation", name=re.compile(r"^(Language|Iaith)$"))
    switcher.get_by_role("button", name="Cymraeg", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")

    # The change history names the events and what they recorded in Welsh.
    page.goto(reverse("cases:youngperson-history", kwargs={"pk": person.pk}))
    events = page.locator("#events")
    expect(events).to_contain_text("Angen wedi'i gofnodi")
    expect(events).to_contain_text("Angen: Hunan-niweidio")
    expect(events).not_to_contain_text("Need recorded")
    assert_accessible(page)

    # The eligibility decision's evidence is written in Welsh, dates and all.
    page.goto(reverse("eligibility:decision-list", kwargs={"pk": person.pk}))
    expect(page.get_by_text("0 trosedd rhwng 1 Mawrth 2014 a 1 Mawrth 2016")).to_be_visible()
    expect(page.get_by_text("Hunan-niweidio")).to_be_visible()
    assert_accessible(page)

    # The team page names the team in Welsh.
    page.goto(reverse("cases:team-detail", kwargs={"code": team_a.code}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tîm A Cymraeg")
    assert_accessible(page)
