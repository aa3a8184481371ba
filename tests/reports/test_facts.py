"""The per-young-person facts (reports.facts) and the aggregations built on them."""

import random
from collections import Counter
from datetime import date, datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from cases.models import Attendance
from reports.facts import person_facts
from reports.measures import Scope, compute_all
from reports.measures.aggregations import _median
from reports.measures.base import median_or_none
from reports.models import PersonFacts
from seed import factories

SCOPE = Scope(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31), as_of=date(2025, 6, 30))


def test_a_median_from_counts_of_each_value_is_the_median_of_the_values():
    generator = random.Random(14)
    for size in [*range(1, 12), 100, 101]:
        values = [generator.randint(-5, 400) for _ in range(size)]
        assert _median(Counter(values)) == median_or_none(values)
    assert _median(Counter()) is None


def _temporary_table_readable() -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {PersonFacts._meta.db_table}")
    except DatabaseError:
        return False
    return True


@pytest.fixture
def started(db, team_a):
    return factories.YoungPersonFactory(
        team=team_a,
        referral_date=date(2024, 3, 1),
        ecm_start_date=date(2024, 3, 20),
        date_of_birth=date(2008, 5, 1),
    )


def just_after_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 0, 30))


def test_an_appointment_counts_on_its_day_in_the_services_time_zone(started):
    # The start day, and 00:30 on 19 June 2024 in London (summer time): day 91 after the
    # start there, though in UTC it is still 18 June, day 90.
    factories.AppointmentFactory(
        young_person=started,
        starts_at=just_after_midnight(date(2024, 3, 20)),
        attendance=Attendance.ATTENDED,
    )
    factories.AppointmentFactory(
        young_person=started,
        starts_at=just_after_midnight(date(2024, 6, 19)),  # day 91 after the start
        attendance=Attendance.DID_NOT_ATTEND,
        engagement=None,
    )
    with person_facts(SCOPE) as facts:
        row = facts.values("appointments", "attended_days_0_90", "did_not_attend_days_91_180").get(
            pk=started.pk
        )
    assert row == {"appointments": 2, "attended_days_0_90": 1, "did_not_attend_days_91_180": 1}


def test_the_facts_are_gone_when_the_run_is_done_even_if_it_failed(started):
    with person_facts(SCOPE) as facts:
        assert facts.count() == 1
    assert not _temporary_table_readable()
    with pytest.raises(RuntimeError), person_facts(SCOPE):
        raise RuntimeError("a measure failed")
    assert not _temporary_table_readable()
    # and the next run makes them afresh
    assert compute_all(SCOPE)["cohort_size"].overall == 1


def test_the_session_time_zone_is_the_services_only_inside_the_run(started):
    def zone():
        with connection.cursor() as cursor:
            cursor.execute("SHOW TIME ZONE" if connection.vendor == "postgresql" else "SELECT 1")
            return cursor.fetchone()[0]

    before = zone()
    with person_facts(SCOPE):
        if connection.vendor == "postgresql":
            assert zone() == "Europe/London"
    assert zone() == before


def test_a_database_error_in_a_run_is_the_one_raised(started):
    with (
        pytest.raises(DatabaseError, match="no_such_table"),
        person_facts(SCOPE),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT * FROM no_such_table")
    assert not _temporary_table_readable()
    assert compute_all(SCOPE)["cohort_size"].overall == 1


@pytest.mark.parametrize("teams", [None, "a"], ids=["every team", "one team"])
def test_a_case_has_its_share_of_a_session_that_also_discussed_cases_outside_the_scope(
    started, team_a, team_b, psychologist, teams
):
    # A 90-minute session discussed three cases: `started` (team A, in the period), one in
    # team B referred in the period, and one in team A referred before it. Each case's share
    # is 30 minutes, whichever of them the report counts, and whether the scope is every
    # team (every session's cases are counted) or one (only the sessions in scope).
    in_team_b = factories.YoungPersonFactory(
        team=team_b, referral_date=date(2024, 4, 1), ecm_start_date=date(2024, 4, 2)
    )
    referred_before = factories.YoungPersonFactory(
        team=team_a, referral_date=date(2023, 5, 1), ecm_start_date=date(2023, 5, 2)
    )
    factories.SupervisionSessionFactory(
        held_on=date(2024, 5, 1),
        psychologist=psychologist,
        team=team_a,
        duration_minutes=90,
        cases=[started, in_team_b, referred_before],
    )
    factories.SupervisionSessionFactory(
        held_on=date(2024, 6, 1),
        psychologist=psychologist,
        team=team_a,
        duration_minutes=45,
        cases=[started],
    )
    scope = Scope(
        date_from=SCOPE.date_from,
        date_to=SCOPE.date_to,
        as_of=SCOPE.as_of,
        team_ids=None if teams is None else (team_a.pk,),
    )
    with person_facts(scope) as facts:
        minutes = dict(facts.values_list("pk", "supervision_minutes"))
        sessions = dict(facts.values_list("pk", "supervision_sessions"))
    assert minutes[started.pk] == pytest.approx(30 + 45)
    assert sessions[started.pk] == 2
    assert referred_before.pk not in minutes
    if teams is None:
        assert minutes[in_team_b.pk] == pytest.approx(30)
    else:
        assert in_team_b.pk not in minutes
