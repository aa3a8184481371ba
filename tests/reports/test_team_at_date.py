"""Transfer between YOTs (issue 17) in the evaluation: a young person is counted under the
team that held the case at the end of the report's period, worked out in the database from
the accepted transfers; not under the team that holds the case now."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from cases.models import CaseTransfer, NeedCategory, TransferStatus, TRMStage, YoungPerson
from cases.reference_data import ensure_defaults
from reports.measures import Scope, compute_all
from seed import factories
from supervision import services as supervision_services

MOVED_ON = date(2025, 2, 1)


def _scope(year: int, team_ids=None) -> Scope:
    return Scope(
        date_from=date(year, 1, 1),
        date_to=date(year, 12, 31),
        as_of=date(2026, 6, 30),
        team_ids=team_ids,
    )


@pytest.fixture
def moved(db, team_a, team_b, practitioner, psychologist, other_practitioner, manager):
    """Referred and started in team A in 2024, transferred to team B on 1 February 2025; a
    second young person referred in 2024 stays in team B throughout."""
    ensure_defaults(NeedCategory, TRMStage)
    team_a.code, team_b.code = "a", "b"
    team_a.save()
    team_b.save()
    person = factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        referral_date=date(2024, 3, 1),
        ecm_start_date=date(2024, 4, 1),
    )
    factories.NeedFactory(young_person=person)
    supervision_services.session_record(
        by=psychologist,
        practitioner=practitioner,
        held_on=date(2024, 5, 1),
        cases=[person],
        case_notes={},
        shared_notes="",
        private_notes="",
        duration_minutes=30,
        actions=[],
    )
    factories.YoungPersonFactory(
        team=team_b,
        practitioner=other_practitioner,
        referral_date=date(2024, 6, 1),
        ecm_start_date=date(2024, 7, 1),
    )
    CaseTransfer.objects.create(
        young_person=person,
        from_team=team_a,
        to_team=team_b,
        reason="The family moved",
        requested_by=manager,
        status=TransferStatus.ACCEPTED,
        decided_at=timezone.make_aware(datetime.combine(MOVED_ON, time(9))),
        practitioner=other_practitioner,
    )
    YoungPerson.objects.filter(pk=person.pk).update(team=team_b, practitioner=other_practitioner)
    return person


def test_a_period_before_the_transfer_counts_the_young_person_under_the_old_team(moved):
    results = compute_all(_scope(2024))
    assert results["referrals"].by_team == {"a": 1, "b": 1}
    assert results["started"].by_team == {"a": 1, "b": 1}
    assert results["referrals"].overall == 2
    need = "substance_misuse"
    assert results["need_counts"].by_team == {"a": {need: 1}, "b": {}}
    assert results["supervision_sessions"].by_team == {"a": 1, "b": 0}


def test_events_in_the_period_count_under_the_team_that_held_the_case(moved):
    factories.AppointmentFactory(
        young_person=moved, starts_at=timezone.make_aware(datetime(2024, 6, 3, 10))
    )
    results = compute_all(_scope(2024))
    assert results["appointments_by_purpose"].by_team == {"a": {"review": 1}, "b": {}}
    # The supervision session of May 2024: 30 minutes, one case, held by team A.
    assert results["psychology_hours_by_month"].by_team["a"] == {"2024-05": 0.5}
    assert results["psychology_hours_by_month"].by_team["b"] == {}


def test_a_report_for_the_old_team_alone_still_has_the_young_person(moved, team_a, team_b):
    assert compute_all(_scope(2024, team_ids=(team_a.pk,)))["referrals"].overall == 1
    assert compute_all(_scope(2024, team_ids=(team_b.pk,)))["referrals"].overall == 1
    assert _scope(2024, team_ids=(team_b.pk,)).referrals().get().pk != moved.pk


def test_a_period_ending_after_the_transfer_counts_them_under_the_new_team(moved):
    # Nobody was referred in 2025, so widen the period to end after the move.
    scope = Scope(
        date_from=date(2024, 1, 1), date_to=MOVED_ON, as_of=date(2026, 6, 30), team_ids=None
    )
    assert compute_all(scope)["referrals"].by_team == {"a": 0, "b": 2}


def test_a_transfer_decided_on_the_periods_last_day_counts_for_the_new_team(moved):
    scope = Scope(date_from=date(2024, 1, 1), date_to=MOVED_ON, as_of=date(2026, 6, 30))
    assert compute_all(scope)["referrals"].by_team["b"] == 2
    before = Scope(date_from=date(2024, 1, 1), date_to=date(2025, 1, 31), as_of=date(2026, 6, 30))
    assert compute_all(before)["referrals"].by_team == {"a": 1, "b": 1}


def test_a_declined_transfer_changes_nothing(moved, team_a):
    CaseTransfer.objects.filter(young_person=moved).update(status=TransferStatus.DECLINED)
    YoungPerson.objects.filter(pk=moved.pk).update(team=team_a)
    assert compute_all(_scope(2024))["referrals"].by_team == {"a": 1, "b": 1}
