"""Stored evaluation facts (reports.AppointmentFacts, reports.StandingFacts): kept true on
every write, and a run that reads them gives exactly what one that reads the records gives.

A run reads the stored appointment facts for a young person whose latest counted appointment
is on or before its as-of date, and the appointments for anyone else; these tests make both
happen in one run and compare every fact with a run that reads every record itself.
"""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Team
from cases import services, summary
from cases.models import Appointment
from reports import facts as facts_module
from reports.facts import APPOINTMENT_FACTS, STANDING_FACTS, person_facts
from reports.measures import Scope, compute_all
from reports.models import AppointmentFacts, StandingFacts
from seed import factories, scale
from seed.factories import appointment_purpose, need_category

WHOLE = {"date_from": date(2000, 1, 1), "date_to": date(2030, 12, 31)}


@pytest.fixture(params=[4, 9])
def generated(request, db, settings):
    settings.ECM_STUDY_KEY = "study-key-for-the-comparison"
    return scale.generate(seed=request.param, teams=3, young_people=80, appointments_per_person=12)


@pytest.fixture
def records_only(monkeypatch):
    """Runs from here on work every fact out from the records, as before they were stored."""

    def read_records():
        every_appointment = {"rows": facts_module.appointment_rows, "stored": None}
        passes = tuple(
            replace(each, standing=False, **(every_appointment if each.stored else {}))
            for each in facts_module.PASSES
        )
        monkeypatch.setattr(facts_module, "PASSES", passes)

    return read_records


def facts_of(scope) -> list[dict]:
    with person_facts(scope) as facts:
        return list(facts.order_by("id").values())


def covered_and_not(as_of: date) -> tuple[int, int]:
    """Young people in the cohort whose stored facts cover `as_of`, and those with a counted
    appointment after it (whose run reads the appointments)."""
    covered = later = 0
    for latest_day, start in AppointmentFacts.objects.filter(latest_day__isnull=False).values_list(
        "latest_day", "young_person__ecm_start_date"
    ):
        if start + timedelta(days=latest_day) <= as_of:
            covered += 1
        else:
            later += 1
    return covered, later


@pytest.mark.parametrize("as_of", [date(2026, 12, 1), date(2025, 6, 30), date(2024, 9, 1)])
def test_a_run_with_stored_facts_gives_what_the_records_give(generated, records_only, as_of):
    assert summary.mismatches() == []
    covered, later = covered_and_not(as_of)
    assert covered > 0
    scope = Scope(**WHOLE, as_of=as_of, follow_up_months=6)
    with_stored = facts_of(scope)
    measures = compute_all(scope)

    records_only()
    assert facts_of(scope) == with_stored
    assert compute_all(scope) == measures
    assert sum(row["attended"] for row in with_stored) > 0
    assert sum(row["engagement_first"] is not None for row in with_stored) > 0
    assert sum(row["eligible_on_start"] is not None for row in with_stored) > 0
    assert sum(row["participation_on_start"] is not None for row in with_stored) > 0
    assert sum(row["needs"] for row in with_stored) > 0
    if as_of < date(2026, 12, 1):
        assert later > 0, "some young people were seen after the as-of date"


def test_a_young_person_with_no_stored_appointment_facts_has_theirs_read(generated):
    scope = Scope(**WHOLE, as_of=date(2025, 6, 30))
    with_stored = facts_of(scope)
    AppointmentFacts.objects.all().delete()
    assert facts_of(scope) == with_stored


def test_a_team_scope_reads_the_stored_facts_of_its_own_young_people(generated, records_only):
    team = Team.objects.order_by("code").first()
    scope = Scope(**WHOLE, team_ids=(team.pk,), as_of=date(2026, 12, 1))
    with_stored = facts_of(scope)
    assert with_stored and {row["team_code"] for row in with_stored} == {team.code}
    records_only()
    assert facts_of(scope) == with_stored


@pytest.fixture
def started(team_a, practitioner):
    today = timezone.localdate()
    return factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        referral_date=today - timedelta(days=100),
        ecm_start_date=today - timedelta(days=95),
    )


def log(practitioner, young_person, days_ago, *, attendance="attended", engagement=3):
    return services.appointment_log(
        by=practitioner,
        young_person=young_person,
        starts_at=timezone.now() - timedelta(days=days_ago),
        kind="one_to_one",
        purpose_category=appointment_purpose("review"),
        purpose="Weekly session",
        attendance=attendance,
        engagement=engagement if attendance == "attended" else None,
        outcome_code="achieved" if attendance == "attended" else "",
        outcome="Talked about the week" if attendance == "attended" else "",
        duration_minutes=45,
    )


def stored(young_person) -> AppointmentFacts:
    return AppointmentFacts.objects.get(young_person=young_person)


def test_every_write_keeps_the_stored_facts_true(started, practitioner):
    assert stored(started).appointments == 0
    assert stored(started).latest_day is None

    first = log(practitioner, started, 94, engagement=2)
    log(practitioner, started, 2, engagement=4)
    log(practitioner, started, 5, attendance="did_not_attend")
    facts = stored(started)
    assert (facts.appointments, facts.attended, facts.did_not_attend) == (3, 2, 1)
    assert (facts.attended_days_0_90, facts.attended_days_91_180) == (1, 1)
    assert (facts.engagement_first, facts.engagement_last) == (2, 4)
    assert facts.first_rated_at == first.starts_at
    assert facts.attended_minutes == 90
    assert facts.latest_day == 93

    # Archived: no longer counted.
    first.archived_at = timezone.now()
    first.save()
    facts = stored(started)
    assert (facts.appointments, facts.engagement_first) == (2, 4)

    # The start moves after every appointment: nothing is counted from it.
    started.ecm_start_date = timezone.localdate() - timedelta(days=1)
    started.save()
    facts = stored(started)
    assert (facts.appointments, facts.latest_day, facts.first_rated_at) == (0, None, None)

    # Deleted appointments go too.
    started.ecm_start_date = timezone.localdate() - timedelta(days=95)
    started.save()
    assert stored(started).appointments == 2
    Appointment.objects.filter(young_person=started, archived_at__isnull=True).delete()
    assert stored(started).appointments == 0
    assert summary.mismatches() == []


def test_a_run_as_of_a_day_before_the_latest_appointment_leaves_it_out(started, practitioner):
    log(practitioner, started, 60)
    log(practitioner, started, 1)
    today = timezone.localdate()

    def attended(as_of):
        with person_facts(Scope(**WHOLE, as_of=as_of)) as facts:
            return facts.get(pk=started.pk).attended

    assert attended(today) == 2
    assert attended(today - timedelta(days=30)) == 1


def test_the_stored_columns_are_the_facts():
    fields = {field.name for field in AppointmentFacts._meta.get_fields()}
    assert set(APPOINTMENT_FACTS) <= fields
    fields = {field.name for field in StandingFacts._meta.get_fields()}
    assert set(STANDING_FACTS) <= fields


def standing(young_person) -> StandingFacts:
    return StandingFacts.objects.get(young_person=young_person)


def test_every_write_keeps_the_standing_facts_true(started):
    today = timezone.localdate()
    assert (standing(started).participation, standing(started).needs) == (None, 0)

    consent = factories.ConsentFactory(young_person=started, decided_on=today - timedelta(days=97))
    factories.ConsentFactory(
        young_person=started, decided_on=today - timedelta(days=3), decision="withdrawn"
    )
    factories.NeedFactory(young_person=started)
    factories.NeedFactory(young_person=started, category=need_category("education"))
    item = factories.InterventionItemFactory(young_person=started)
    facts = standing(started)
    assert (facts.participation, facts.participation_on_start) == ("withdrawn", "given")
    assert (facts.needs, facts.planned_interventions, facts.partner_plan_items) == (2, 1, 0)

    # The start moves before the first decision: none was in place on it.
    started.ecm_start_date = today - timedelta(days=99)
    started.save()
    assert standing(started).participation_on_start is None

    consent.decided_on = today - timedelta(days=120)
    consent.save()
    assert standing(started).participation_on_start == "given"
    item.delete()
    assert standing(started).planned_interventions == 0
    assert summary.mismatches() == []
