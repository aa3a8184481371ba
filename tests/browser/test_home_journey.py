"""The home page: a manager follows a count to its cases and finds as many as it said; each
role's home passes axe, in English and in Welsh."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import NeedCategory, TRMStage
from cases.reference_data import ensure_defaults
from formulation.models import MeetingKind, MeetingStatus
from seed import factories
from tests.browser.conftest import assert_accessible, sign_in


@pytest.fixture
def work(team_a, practitioner, psychologist):
    """Something for each role's home to show: two young people never seen in a month, one
    seen, an appointment later today, a meeting this week, a supervision action open."""
    ensure_defaults(NeedCategory, TRMStage)  # the live server's database starts empty
    month_ago = timezone.localdate() - timedelta(days=30)
    unseen = [
        factories.YoungPersonFactory(
            team=team_a,
            practitioner=practitioner,
            given_name=name,
            family_name="Jenkins",
            referral_date=month_ago,
            ecm_start_date=month_ago,
        )
        for name in ("Owain", "Cerys")
    ]
    seen = factories.YoungPersonFactory(
        team=team_a, practitioner=practitioner, given_name="Seren", family_name="Bowen"
    )
    factories.AppointmentFactory(young_person=seen, starts_at=timezone.now() - timedelta(days=1))
    factories.AppointmentFactory(
        young_person=seen,
        starts_at=timezone.localtime().replace(hour=23, minute=59),
        attendance="",
        engagement=None,
    )
    factories.FormulationMeetingFactory(
        young_person=unseen[0],
        chair=psychologist,
        held_on=timezone.localdate() + timedelta(days=1),
        kind=MeetingKind.INITIAL,
        status=MeetingStatus.SCHEDULED,
    )
    session = factories.SupervisionSessionFactory(
        psychologist=psychologist, practitioner=practitioner, team=team_a
    )
    factories.SupervisionActionFactory(session=session, young_person=seen)
    return unseen, seen


def test_a_manager_follows_a_count_to_its_cases(page, live_server, manager, team_a, work):
    unseen, seen = work
    sign_in(page, live_server, "mona")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, {manager.first_name}")
    assert_accessible(page)

    counts = page.locator(f"#team-attention-{team_a.code}")
    row = counts.locator(".govuk-summary-list__row", has_text="No contact in 14 days")
    link = row.get_by_role("link")
    expect(link).to_contain_text("2 young people")
    link.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(team_a.name)
    expect(page.locator("#count")).to_have_text("2 young people")
    expect(page.locator("#filter_warning")).to_have_value("no_recent_contact")
    cases = page.locator("#team-cases tbody tr")
    expect(cases).to_have_count(2)
    for person in unseen:
        expect(page.locator("#team-cases")).to_contain_text(person.full_name)
    expect(page.locator("#team-cases")).not_to_contain_text(seen.full_name)
    assert_accessible(page)


USERNAMES = {
    "practitioner": "alice",
    "manager": "mona",
    "psychologist": "pat",
    "evaluator": "eve",
    "admin": "ada",
}


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("role", list(USERNAMES))
def test_each_roles_home_is_accessible(page, live_server, users_by_role, work, role, language):
    sign_in(page, live_server, USERNAMES[role])
    if language == "cy":
        page.context.add_cookies(
            [{"name": "django_language", "value": "cy", "url": live_server.url}]
        )
        page.goto(f"{live_server.url}/")
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Croeso")
    expect(page.locator(f"#home-{role}")).to_be_visible()
    expect(page.locator(f"#home-{role} a").first).to_have_attribute("href", re.compile("/"))
    assert_accessible(page)
