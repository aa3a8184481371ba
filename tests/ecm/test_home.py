"""The home page: today's work for each role, every count a link to exactly what it counted."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLogEntry, Membership, Role
from cases.models import Attendance
from ecm import today
from formulation.models import MeetingKind, MeetingStatus
from reports.models import ExchangeImport, ImportStatus, ReportRun
from seed import factories
from tests.conftest import client_for

HOME = reverse("home")


def _counts(html: str, section_id: str) -> dict[str, tuple[int, str]]:
    """The counts of one summary list: label -> (number, link)."""
    block = html.split(f'id="{section_id}"', 1)[1].split("</dl>", 1)[0]
    found = re.findall(
        r'<dt class="govuk-summary-list__key">(.*?)</dt>\s*<dd class="govuk-summary-list__value">'
        r'<a class="govuk-link" href="([^"]+)" data-count="(\d+)"',
        block,
    )
    return {label: (int(number), href.replace("&amp;", "&")) for label, href, number in found}


def _count_on_list(client, url: str) -> int:
    html = client.get(url).content.decode()
    match = re.search(r'id="count">(\d+) ', html)
    assert match, url
    return int(match.group(1))


def _at(hours_from_now: float):
    return timezone.now() + timedelta(hours=hours_from_now)


@pytest.fixture
def caseload(practitioner, team_a):
    """Three young people of the practitioner: one seen today, one never seen for a month,
    one with an appointment past and not recorded."""
    seen = factories.YoungPersonFactory(team=team_a, practitioner=practitioner, given_name="Seren")
    unseen = factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        given_name="Owain",
        referral_date=timezone.localdate() - timedelta(days=40),
        ecm_start_date=timezone.localdate() - timedelta(days=30),
    )
    factories.AppointmentFactory(
        young_person=seen,
        starts_at=timezone.now() - timedelta(days=2),
        attendance=Attendance.ATTENDED,
        outcome="Went well",
    )
    factories.AppointmentFactory(
        young_person=unseen,
        starts_at=timezone.now() - timedelta(days=3),
        attendance="",
        engagement=None,
    )
    return seen, unseen


def test_practitioner_home_counts_link_to_exactly_what_they_counted(practitioner, caseload):
    client = client_for(practitioner)
    html = client.get(HOME).content.decode()

    attention = _counts(html, "caseload-attention")
    assert attention["No contact in 14 days"][0] == 1
    for label, (number, url) in attention.items():
        assert url.startswith(reverse("cases:caseload") + "?warning=")
        assert _count_on_list(client, url) == number, label
    appointments = _counts(html, "appointment-counts")
    assert appointments["Past, attendance or outcome not recorded"][0] == 1
    for label, (number, url) in appointments.items():
        assert _count_on_list(client, url) == number, label


def test_practitioner_sees_todays_appointments_by_name(practitioner, caseload):
    seen, _unseen = caseload
    start = timezone.localtime().replace(hour=23, minute=59)
    factories.AppointmentFactory(young_person=seen, starts_at=start, attendance="", engagement=None)

    html = client_for(practitioner).get(HOME).content.decode()

    table = html.split('id="appointments-today"', 1)[1].split("</table>", 1)[0]
    assert seen.full_name in table
    assert "No appointments today" not in html


def test_nothing_to_do_is_said_plainly(practitioner):
    html = client_for(practitioner).get(HOME).content.decode()

    assert "No appointments today." in html
    assert "Nothing needs attention on your caseload." in html
    assert "No tasks are assigned to you." in html


def test_manager_counts_agree_with_the_filtered_team_list(manager, team_a, practitioner, caseload):
    client = client_for(manager)
    html = client.get(HOME).content.decode()

    counts = _counts(html, f"team-attention-{team_a.code}")
    assert counts["No contact in 14 days"][0] == 1
    for label, (number, url) in counts.items():
        assert url.startswith(reverse("cases:team-detail", args=[team_a.code]) + "?warning=")
        assert _count_on_list(client, url) == number, label
    assert "No tasks are overdue in your teams." in html


def test_manager_sees_only_teams_they_manage(manager, team_b, other_practitioner):
    factories.YoungPersonFactory(team=team_b, practitioner=other_practitioner)

    html = client_for(manager).get(HOME).content.decode()

    assert f"team-attention-{team_b.code}" not in html


def test_psychologist_sees_meetings_reviews_and_open_actions(psychologist, team_a, caseload):
    seen, unseen = caseload
    factories.FormulationMeetingFactory(
        young_person=seen,
        chair=psychologist,
        held_on=timezone.localdate() + timedelta(days=2),
        kind=MeetingKind.REVIEW,
        status=MeetingStatus.SCHEDULED,
    )
    client = client_for(psychologist)
    html = client.get(HOME).content.decode()

    meetings = html.split('id="meetings"', 1)[1].split("</table>", 1)[0]
    assert seen.full_name in meetings
    reviews = _counts(html, "reviews-due")
    for label, (number, url) in reviews.items():
        assert _count_on_list(client, url) == number, label


def test_evaluator_sees_their_latest_runs(evaluator):
    html = client_for(evaluator).get(HOME).content.decode()

    assert "You have not run a report yet." in html


def test_administrator_sees_locked_accounts_and_stuck_uploads(administrator):
    AccessAttempt.objects.create(
        username="locked.out",
        ip_address="127.0.0.1",
        user_agent="test",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        attempt_time=timezone.now(),
    )
    waiting = {"file_name": "exchange.zip", "size": 1, "dry_run": True}
    ExchangeImport.objects.create(
        **waiting,
        requested_by=administrator,
        status=ImportStatus.QUEUED,
        queued_at=timezone.now() - timedelta(minutes=settings.ECM_REPORT_STUCK_MINUTES + 1),
    )
    ExchangeImport.objects.create(**waiting, requested_by=administrator)

    html = client_for(administrator).get(HOME).content.decode()

    assert "1 account locked after failed sign-ins" in html
    assert "1 exchange upload waiting or being checked" in html


def test_someone_with_several_roles_sees_each_section(practitioner, team_a):
    Membership.objects.create(user=practitioner, team=team_a, role=Role.MANAGER)

    html = client_for(practitioner).get(HOME).content.decode()

    assert 'id="home-practitioner"' in html
    assert 'id="home-manager"' in html


def test_home_is_access_logged(practitioner, caseload):
    client_for(practitioner).get(HOME)

    entry = AccessLogEntry.objects.filter(user=practitioner, action="home.view").get()
    assert entry.allowed


# --- Query budgets: the same number of queries with 1 row as with 50 ---------------------------

#: The first request after signing in (session, user, roles, the access-log row included).
PRACTITIONER_BUDGET = 15  # oversight actions among the tasks
#: Overdue tasks (a count, the first few of each kind, oversight actions among them) and
#: decisions awaiting agreement (a count); transfers waiting for the manager's decision and the
#: manager's own waiting ones (issue 17).
MANAGER_BUDGET = 19
PSYCHOLOGIST_BUDGET = 13
EVALUATOR_BUDGET = 9
ADMIN_BUDGET = 10


def _run(evaluator):
    return ReportRun.objects.create(
        kind="evaluation",
        parameters={"teams": []},
        requested_by=evaluator,
    )


@pytest.mark.parametrize("count", [1, 50])
def test_practitioner_home_query_budget(practitioner, team_a, count, django_assert_max_num_queries):
    soon = timezone.localtime().replace(hour=23, minute=59)
    for _ in range(count):
        young_person = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
        factories.AppointmentFactory(
            young_person=young_person, starts_at=soon, attendance="", engagement=None
        )
    client = client_for(practitioner)

    with django_assert_max_num_queries(PRACTITIONER_BUDGET):
        response = client.get(HOME)

    assert response.status_code == 200
    shown = min(count, today.TODAY_LIMIT)
    # Later today: not started yet, so only its plan can be changed (no outcome offered).
    body = response.content.decode()
    assert body.count("the plan for the appointment with") == shown
    assert "Record the outcome<span" not in body


@pytest.mark.parametrize("count", [1, 50])
def test_manager_home_query_budget(
    manager, practitioner, team_a, count, django_assert_max_num_queries
):
    for _ in range(count):
        young_person = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
        factories.ComplianceDecisionFactory(
            young_person=young_person, decided_by=practitioner, needs_agreement=True
        )
        team = factories.TeamFactory()
        factories.MembershipFactory(user=manager, team=team, role=Role.MANAGER)
    client = client_for(manager)

    with django_assert_max_num_queries(MANAGER_BUDGET):
        response = client.get(HOME)

    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('id="team-attention-') == count + 1
    assert body.count("/agreement/?next=") == min(count, today.AGREEMENT_LIMIT)


@pytest.mark.parametrize("count", [1, 50])
def test_psychologist_home_query_budget(
    psychologist, practitioner, team_a, count, django_assert_max_num_queries
):
    for _ in range(count):
        young_person = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
        factories.FormulationMeetingFactory(
            young_person=young_person,
            chair=psychologist,
            held_on=timezone.localdate(),
            status=MeetingStatus.SCHEDULED,
        )
        session = factories.SupervisionSessionFactory(
            psychologist=psychologist, practitioner=practitioner, team=team_a
        )
        factories.SupervisionActionFactory(session=session, young_person=young_person)
    client = client_for(psychologist)

    with django_assert_max_num_queries(PSYCHOLOGIST_BUDGET):
        response = client.get(HOME)

    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 50])
def test_evaluator_home_query_budget(evaluator, count, django_assert_max_num_queries):
    for _ in range(count):
        _run(evaluator)
    client = client_for(evaluator)

    with django_assert_max_num_queries(EVALUATOR_BUDGET):
        response = client.get(HOME)

    runs = re.findall(r'href="/reports/runs/\d+/"', response.content.decode())
    assert len(runs) == min(count, today.RUNS_LIMIT)


@pytest.mark.parametrize("count", [1, 50])
def test_admin_home_query_budget(administrator, count, django_assert_max_num_queries):
    for number in range(count):
        AccessAttempt.objects.create(
            username=f"locked{number}",
            ip_address="127.0.0.1",
            user_agent="test",
            failures_since_start=settings.AXES_FAILURE_LIMIT,
            attempt_time=timezone.now(),
        )
    client = client_for(administrator)

    with django_assert_max_num_queries(ADMIN_BUDGET):
        response = client.get(HOME)

    assert f'data-count="{count}"' in response.content.decode()
