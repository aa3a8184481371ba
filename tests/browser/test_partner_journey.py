"""A partner agency worker updates the plan item their agency delivers; the practitioner
sees the change on the young person's record (issue 18). In Welsh too. After the order, the
practitioner hands an item over to the agency, which goes on updating it."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from seed import factories
from tests.browser.conftest import assert_accessible, sign_in


@pytest.fixture
def young_person(team_a, practitioner, education, camhs):
    """Dylan, on ECM in team A, who with his mother consents to taking part; education
    delivers a plan item, CAMHS another."""
    person = factories.YoungPersonFactory(
        team=team_a, practitioner=practitioner, given_name="Dylan", family_name="Hughes"
    )
    factories.ConsentFactory(young_person=person)
    factories.ConsentFactory(young_person=person, party="parent_carer")
    factories.TRMAssessmentFactory(young_person=person, stage=factories.trm_stage(2))
    factories.InterventionItemFactory(
        young_person=person, agency=education, title="Part-time timetable with a mentor"
    )
    factories.InterventionItemFactory(
        young_person=person, agency=camhs, title="Sleep and regulation sessions"
    )
    return person


def test_a_partner_updates_a_plan_item_and_the_practitioner_sees_it(
    page, live_server, partner, young_person
):
    # Petra, from education, signs in and finds Dylan among her agency's young people.
    sign_in(page, live_server, "petra")
    expect(page.get_by_role("heading", name="Your young people")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Dylan Hughes").click()

    # She sees what helps at his stage and her agency's item, not CAMHS's.
    expect(page.get_by_role("heading", name="What helps at this stage")).to_be_visible()
    expect(
        page.get_by_role("cell", name="Part-time timetable with a mentor", exact=True)
    ).to_be_visible()
    expect(page.get_by_text("Sleep and regulation sessions")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("Update the status")).click()
    expect(page.get_by_role("heading", name="Update a plan item")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Active").check()
    page.get_by_role("button", name="Save the status").click()
    expect(page.get_by_text("“Part-time timetable with a mentor” is now active")).to_be_visible()

    # Alice, Dylan's practitioner, sees it on his record.
    page.context.clear_cookies()
    sign_in(page, live_server, "alice")
    page.goto(live_server.url + reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk}))
    card = page.locator("#partner-work")
    expect(card).to_contain_text(
        "Education: plan item “Part-time timetable with a mentor” is now active"
    )
    assert_accessible(page)


def test_a_partner_reads_and_records_in_welsh(page, live_server, partner, young_person):
    sign_in(page, live_server, "petra")
    expect(page.get_by_role("heading", name="Your young people")).to_be_visible()
    page.context.add_cookies([{"name": "django_language", "value": "cy", "url": live_server.url}])
    page.goto(
        live_server.url + reverse("partners:youngperson-detail", kwargs={"pk": young_person.pk})
    )
    expect(page.get_by_role("heading", name="Beth sy'n helpu ar y cam hwn")).to_be_visible()
    page.get_by_role("link", name="Cofnodi cyswllt").click()
    expect(page.get_by_role("heading", name="Cofnodi cyswllt")).to_be_visible()
    page.get_by_role("button", name="Cadw'r cyswllt").click()
    expect(page.get_by_role("link", name="Rhowch ddyddiad y cyswllt")).to_be_visible()
    assert_accessible(page)


def test_the_practitioner_hands_an_item_over_after_the_order_and_the_partner_continues_it(
    page, live_server, partner, young_person
):
    # Dylan's ECM has ended; education's mentoring goes on.
    young_person.ecm_start_date = young_person.referral_date
    young_person.ecm_end_date = timezone.localdate()
    young_person.end_reason = "completed"
    young_person.save()

    # Alice, his practitioner, hands the mentoring over to education from his record.
    sign_in(page, live_server, "alice")
    page.goto(live_server.url + reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk}))
    page.locator("#partner-work").get_by_role("link", name="Hand plan items over").click()
    expect(
        page.get_by_role("heading", name="Hand plan items over to a partner agency")
    ).to_be_visible()
    assert_accessible(page)
    # Pressing on without a reason is refused, and what she chose stays chosen.
    page.get_by_label("Part-time timetable with a mentor (Education)").check()
    page.get_by_role("button", name="Hand over").click()
    expect(
        page.get_by_role("link", name="Enter why the plan items are handed over")
    ).to_be_visible()
    expect(page.get_by_label("Part-time timetable with a mentor (Education)")).to_be_checked()
    page.get_by_label("Why the agency continues this work").fill(
        "The mentor keeps meeting him weekly until the summer"
    )
    page.get_by_role("button", name="Hand over").click()
    card = page.locator("#partner-work")
    expect(card).to_contain_text("“Part-time timetable with a mentor” to Education until")
    expect(card).to_contain_text("The mentor keeps meeting him weekly until the summer")

    # Petra, from education, still finds Dylan, with that item only.
    page.context.clear_cookies()
    sign_in(page, live_server, "petra")
    page.get_by_role("link", name="Dylan Hughes").click()
    expect(page.locator("#after-the-order")).to_be_visible()
    expect(page.get_by_text("Sleep and regulation sessions")).to_have_count(0)
    expect(page.get_by_role("heading", name="What helps at this stage")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Update the status")).click()
    page.get_by_label("Active").check()
    page.get_by_role("button", name="Save the status").click()
    expect(page.get_by_text("“Part-time timetable with a mentor” is now active")).to_be_visible()

    # Alice sees Petra's update on the record.
    page.context.clear_cookies()
    sign_in(page, live_server, "alice")
    page.goto(live_server.url + reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk}))
    expect(page.locator("#partner-work")).to_contain_text(
        "Education: plan item “Part-time timetable with a mentor” is now active"
    )
