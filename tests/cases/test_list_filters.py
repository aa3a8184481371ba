"""The lists the home page's counts link to: the warning filter of the caseload and team
lists, and the appointment list's filters (today, the next 7 days, not recorded)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLogEntry
from cases import selectors
from cases.models import Attendance
from seed import factories
from tests.cases.test_caseload_pages import active_case, case_for
from tests.conftest import client_for

CASELOAD = reverse("cases:caseload")
APPOINTMENTS = reverse("cases:appointment-list")
#: As the unfiltered list (tests/cases/test_caseload_pages.py APPOINTMENTS_BUDGET), plus the count.
FILTERED_APPOINTMENTS_BUDGET = 10


def never_seen(practitioner, team):
    return case_for(
        practitioner,
        team,
        given_name="Owain",
        referral_date=timezone.localdate() - timedelta(days=40),
        ecm_start_date=timezone.localdate() - timedelta(days=30),
        parent_consent_required=False,
    )


def test_caseload_filtered_by_warning_lists_only_the_cases_it_applies_to(practitioner, team_a):
    fine = active_case(practitioner, team_a, given_name="Seren")
    unseen = never_seen(practitioner, team_a)

    html = client_for(practitioner).get(CASELOAD, {"warning": "no_recent_contact"}).content.decode()

    assert unseen.full_name in html
    assert fine.full_name not in html
    assert 'id="count">1 young person' in html
    assert '<option value="no_recent_contact" selected>No contact in 14 days</option>' in html


def test_an_unknown_warning_is_reported_and_the_list_still_shows(practitioner, team_a):
    fine = active_case(practitioner, team_a, given_name="Seren")

    response = client_for(practitioner).get(CASELOAD, {"warning": "made_up"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose a warning from the list" in html
    assert fine.full_name in html


def test_team_list_filtered_by_warning(manager, practitioner, team_a):
    fine = active_case(practitioner, team_a, given_name="Seren")
    unseen = never_seen(practitioner, team_a)
    url = reverse("cases:team-detail", args=[team_a.code])

    html = client_for(manager).get(url, {"warning": "no_recent_contact"}).content.decode()

    cases = html.split('id="cases"', 1)[1]
    assert unseen.full_name in cases
    assert fine.full_name not in cases


def test_an_ended_case_carries_no_warning_and_is_not_listed_under_one(practitioner, team_a):
    ended = never_seen(practitioner, team_a)
    ended.ecm_end_date = timezone.localdate()
    ended.save()

    html = client_for(practitioner).get(CASELOAD, {"warning": "no_recent_contact"}).content.decode()

    assert ended.full_name not in html


# --- Appointments ------------------------------------------------------------------------------


def _appointment(young_person, starts_at, attendance="", outcome=""):
    return factories.AppointmentFactory(
        young_person=young_person,
        starts_at=starts_at,
        attendance=attendance,
        engagement=4 if attendance == Attendance.ATTENDED else None,
        outcome_code="achieved" if outcome else "",
        outcome=outcome,
    )


@pytest.fixture
def diary(practitioner, team_a):
    """Appointments of one young person: today late, in three days, in ten days, one
    cancelled today, and three past ones (one unrecorded, one attended with no outcome, one
    fully recorded)."""
    young_person = case_for(practitioner, team_a)
    tonight = timezone.localtime().replace(hour=23, minute=59, second=0, microsecond=0)
    return {
        "today": _appointment(young_person, tonight),
        "cancelled": _appointment(
            young_person, tonight - timedelta(minutes=5), Attendance.CANCELLED_BY_SERVICE
        ),
        "soon": _appointment(young_person, tonight + timedelta(days=3)),
        "later": _appointment(young_person, tonight + timedelta(days=10)),
        "unrecorded": _appointment(young_person, timezone.now() - timedelta(days=2)),
        "no_outcome": _appointment(
            young_person, timezone.now() - timedelta(days=3), Attendance.ATTENDED
        ),
        "recorded": _appointment(
            young_person, timezone.now() - timedelta(days=4), Attendance.ATTENDED, "Went well"
        ),
    }


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("today", {"today"}),
        ("week", {"today", "soon"}),
        ("unrecorded", {"unrecorded", "no_outcome"}),
    ],
)
def test_each_appointment_filter_takes_exactly_its_appointments(
    practitioner, diary, when, expected
):
    found = set(selectors.my_appointments_when(practitioner, when).values_list("pk", flat=True))

    assert found == {diary[name].pk for name in expected}
    assert selectors.my_appointment_counts(practitioner)[when] == len(expected)


def test_filtered_appointment_list_shows_its_heading_count_and_rows(practitioner, diary):
    html = client_for(practitioner).get(APPOINTMENTS, {"when": "unrecorded"}).content.decode()

    assert "Past appointments with no attendance or outcome" in html
    assert 'id="count">2 appointments' in html
    assert html.count("Record the outcome<span") == 1  # the attended one says "Change"
    assert 'id="upcoming"' not in html


def test_an_empty_filter_says_so(practitioner, team_a):
    html = client_for(practitioner).get(APPOINTMENTS, {"when": "today"}).content.decode()

    assert "No appointments today." in html


def test_an_unknown_appointment_filter_shows_the_whole_list_with_a_message(practitioner, diary):
    response = client_for(practitioner).get(APPOINTMENTS, {"when": "yesterday"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose which appointments to show from the list" in html
    assert 'id="upcoming"' in html


def test_filtered_appointment_list_is_access_logged(practitioner, diary):
    client_for(practitioner).get(APPOINTMENTS, {"when": "week"})

    entry = AccessLogEntry.objects.get(user=practitioner, action="appointment.list")
    assert "when='week'" in entry.detail


def test_another_practitioners_appointments_are_not_listed(
    practitioner, other_practitioner, team_b
):
    theirs = case_for(other_practitioner, team_b)
    _appointment(theirs, timezone.localtime().replace(hour=23, minute=59))

    assert selectors.my_appointment_counts(practitioner)["today"] == 0


@pytest.mark.parametrize("count", [1, 50])
def test_filtered_appointments_query_budget(
    practitioner, team_a, count, django_assert_max_num_queries
):
    for _ in range(count):
        _appointment(case_for(practitioner, team_a), timezone.now() - timedelta(days=1))
    client = client_for(practitioner)

    with django_assert_max_num_queries(FILTERED_APPOINTMENTS_BUDGET):
        response = client.get(APPOINTMENTS, {"when": "unrecorded"})

    assert response.content.decode().count("Record the outcome<span") == min(count, 25)


def test_team_view_warning_counts_link_to_the_cases_they_counted(manager, practitioner, team_a):
    active_case(practitioner, team_a, given_name="Seren")
    never_seen(practitioner, team_a)
    never_seen(practitioner, team_a)
    client = client_for(manager)
    url = reverse("cases:team-detail", args=[team_a.code])

    html = client.get(url).content.decode()

    links = re.findall(
        r'<a class="govuk-link" href="\?([^"]+)#cases">(\d+)<span class="govuk-visually-hidden">'
        r" No contact in 14 days</span>",
        html,
    )
    assert sorted(links) == sorted(
        [
            (f"warning=no_recent_contact&amp;practitioner={practitioner.pk}", "2"),
            ("warning=no_recent_contact", "2"),
        ]
    )
    for query, number in links:
        listed = client.get(f"{url}?{query.replace('&amp;', '&')}").content.decode()
        assert f'id="count">{number} young people' in listed
