"""A case's management oversight history (issue 15): the practitioner follows the record's
"Management oversight" card to every review of the case, then comes back to it from the
timeline; the manager is offered to record the next one. In English and Welsh, accessible."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from seed import factories
from supervision import services
from tests.browser.conftest import assert_accessible, sign_in


@pytest.fixture
def young_person(team_a, practitioner, manager):
    factories.trm_stage(1)  # the stages (a transactional test flushes the migration's rows)
    today = timezone.localdate()
    person = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
    for days, decision in ((40, "Step up contact to twice a week"), (10, "Keep the case open")):
        services.oversight_record(
            by=manager,
            young_person=person,
            reviewed_on=today - timedelta(days=days),
            reviewed="The plan and contact since the last review",
            decision=decision,
            actions=[
                {
                    "description": f"Ring the school ({days})",
                    "assignee": practitioner,
                    "due_on": today - timedelta(days=days - 7),
                }
            ],
        )
    return person


def test_the_practitioner_reads_every_review_and_the_manager_records_the_next(
    page, live_server, young_person
):
    history = reverse("supervision:oversight-history", args=[young_person.pk])
    # Mona, the team's manager, is offered to record the next review.
    sign_in(page, live_server, "mona")
    page.goto(history)
    expect(page.get_by_role("heading", name="What to do next")).to_be_visible()
    page.get_by_role("link", name="Record oversight").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record management oversight")
    page.get_by_role("button", name="Sign out").click()

    # Alice, the practitioner, follows the record's card to every review.
    sign_in(page, live_server, "alice")
    page.goto(reverse("cases:youngperson-detail", args=[young_person.pk]))
    page.get_by_role("link", name="See the whole management oversight history").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Management oversight history")
    cards = page.locator(".govuk-summary-card")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("Keep the case open")
    expect(cards.nth(1)).to_contain_text("Step up contact to twice a week")
    expect(cards.nth(1)).to_contain_text("Overdue")
    expect(page.get_by_role("link", name="Record oversight")).to_have_count(0)
    assert_accessible(page)

    # From the timeline, an oversight entry opens it in the history.
    page.goto(reverse("cases:youngperson-timeline", args=[young_person.pk]))
    page.get_by_role("link", name="Management oversight").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Management oversight history")
    assert page.url.endswith(f"#oversight-{young_person.oversight_entries.last().pk}")

    page.get_by_role("navigation", name="Language").get_by_role(
        "button", name="Cymraeg", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hanes goruchwyliaeth reoli")
    expect(page.get_by_role("heading", name="Beth i'w wneud nesaf")).to_be_visible()
    assert_accessible(page)
