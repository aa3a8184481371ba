"""A practitioner's morning: home shows what needs doing; she records yesterday's missing
outcome from the count that found it, and the service's follow-up closes; she marks an
agreed action done on "My tasks"; the notifications say what the night's reminders found."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import NeedCategory, TRMStage
from cases.reference_data import ensure_defaults
from seed import factories
from tests.browser.conftest import assert_accessible, sign_in
from work import reminders


@pytest.fixture
def morning(team_a, practitioner, psychologist):
    ensure_defaults(NeedCategory, TRMStage)  # the live server's database starts empty
    today = timezone.localdate()
    person = factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        given_name="Seren",
        family_name="Bowen",
        referral_date=today - timedelta(days=60),
        ecm_start_date=today - timedelta(days=50),
    )
    missed = factories.AppointmentFactory(
        young_person=person,
        practitioner=practitioner,
        starts_at=timezone.now() - timedelta(days=4),
        attendance="",
        engagement=None,
        outcome="",
        purpose="Walk and talk by the river",
    )
    formulation = factories.FormulationFactory(
        meeting=factories.FormulationMeetingFactory(
            young_person=person, held_on=today - timedelta(days=20), chair=psychologist
        )
    )
    factories.AgreedActionFactory(
        formulation=formulation,
        description="Call the school about a mentor",
        owner="",
        assignee=practitioner,
        due_on=today - timedelta(days=2),
    )
    reminders.run()
    return person, missed


def test_a_practitioners_morning(page, live_server, practitioner, morning):
    person, missed = morning
    sign_in(page, live_server, "alice")

    # Home: the tasks given to her, overdue first, and the count of unrecorded appointments.
    tasks = page.locator("#my-tasks")
    expect(tasks).to_contain_text("Call the school about a mentor")
    expect(tasks).to_contain_text("Record the attendance and outcome of the appointment on")
    expect(page.get_by_text(re.compile(r"2 tasks are overdue|1 task is overdue"))).to_be_visible()
    expect(page.locator("#notifications-link")).to_contain_text("Notifications")
    assert_accessible(page)

    # The count of past appointments with nothing recorded leads to exactly that one.
    counts = page.locator("#appointment-counts")
    counts.locator(".govuk-summary-list__row", has_text="not recorded").get_by_role("link").click()
    expect(page.get_by_text("Walk and talk by the river")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Record the outcome")).first.click()
    page.get_by_label("Attended", exact=True).check()
    page.get_by_label("4", exact=True).check()
    page.get_by_label("Partly achieved").check()
    page.get_by_label("Outcome note").fill("Talked about school; agreed to meet the mentor.")
    page.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.get_by_role("alert")).to_be_visible()
    missed.refresh_from_db()
    assert missed.attendance == "attended"

    # The service's follow-up closed itself; the agreed action is still hers to do.
    page.get_by_role("link", name="My tasks").click()
    table = page.get_by_role("table", name="Tasks to do, overdue first")
    expect(table.get_by_text("Record the attendance and outcome")).to_have_count(0)
    row = table.get_by_role("row", name=re.compile("Call the school about a mentor"))
    expect(row).to_contain_text("Overdue")
    row.get_by_role("button", name=re.compile("^Mark as done")).click()
    expect(page.get_by_text("You have no tasks to do.")).to_be_visible()
    assert_accessible(page)

    # The night's reminders, in her language.
    page.locator("#notifications-link").click()
    expect(
        page.get_by_text(re.compile("Record the attendance of the appointment with Seren Bowen"))
    ).to_be_visible()
    page.get_by_role("button", name="Cymraeg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hysbysiadau")
    expect(
        page.get_by_text(re.compile("Cofnodwch bresenoldeb yr apwyntiad gyda Seren Bowen"))
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="English").click()
