"""Stored evaluation facts (reports.AppointmentFacts, reports.StandingFacts and, for the
comparison report, reports.ComparisonFacts): kept true on every write, and a run that reads
them gives exactly what one that reads the records gives.

A run reads the stored appointment facts for a young person whose latest counted appointment
is on or before its as-of date, those less the appointments after it for one with no rated
appointment after it, and the appointments for anyone else; these tests make each happen in
one run and compare every fact with a run that reads every record itself.
"""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Team
from cases import services, summary
from cases.models import Appointment, YoungPerson
from eligibility.models import EligibilityDecision, EligibilityOverride, EligibilityPolicy
from eligibility.reference_data import ensure_default_policies
from formulation.models import FormulationMeeting, MeetingAttendance, MeetingStatus
from reports import facts as facts_module
from reports.comparison import build as comparison
from reports.dataset import dataset_rows
from reports.facts import APPOINTMENT_FACTS, STANDING_FACTS, person_facts
from reports.measures import Scope, compute_all
from reports.models import (
    AgencyAttendanceFacts,
    AppointmentFacts,
    AppointmentPurposeFacts,
    ComparisonFacts,
    MeetingFacts,
    MeetingNumberFacts,
    StandingFacts,
)
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
        every_record = {
            "appointments": facts_module.appointment_rows,
            "meetings": facts_module.meeting_rows,
        }
        passes = tuple(
            replace(
                each,
                standing=False,
                windowed=False,
                **({"rows": every_record[each.name], "stored": None} if each.stored else {}),
            )
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


@pytest.mark.parametrize("months", [6, 12])
@pytest.mark.parametrize("as_of", [date(2026, 12, 1), date(2025, 6, 30), date(2024, 9, 1)])
def test_a_run_with_stored_facts_gives_what_the_records_give(
    generated, records_only, as_of, months
):
    """At 12 follow-up months the offences, breaches and custody are read from the standing
    facts too; at 6, from the records."""
    assert summary.mismatches() == []
    covered, later = covered_and_not(as_of)
    assert covered > 0
    scope = Scope(**WHOLE, as_of=as_of, follow_up_months=months)
    with_stored = facts_of(scope)
    measures = compute_all(scope)
    columns, rows = dataset_rows(scope)
    dataset = list(rows)

    records_only()
    assert facts_of(scope) == with_stored
    assert compute_all(scope) == measures
    assert sum(measures["appointments_by_purpose"].overall.values()) > 0
    assert dataset and dataset_rows(scope)[0] == columns
    assert list(dataset_rows(scope)[1]) == dataset
    assert sum(row["attended"] for row in with_stored) > 0
    assert sum(row["engagement_first"] is not None for row in with_stored) > 0
    assert sum(row["eligible_on_start"] is not None for row in with_stored) > 0
    assert sum(row["participation_on_start"] is not None for row in with_stored) > 0
    assert sum(row["needs"] for row in with_stored) > 0
    assert sum(row["offences_before"] for row in with_stored) > 0
    assert sum(row["offences_after"] for row in with_stored) > 0
    assert sum(row["formulation_meetings"] for row in with_stored) > 0
    assert sum(row["meeting_minutes"] for row in with_stored) > 0
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


def by_purpose(young_person) -> dict[str, int]:
    return dict(
        AppointmentPurposeFacts.objects.filter(young_person=young_person).values_list(
            "purpose__code", "appointments"
        )
    )


def test_a_stale_count_by_purpose_is_a_mismatch(started, practitioner):
    log(practitioner, started, 3)
    assert summary.mismatches() == []
    AppointmentPurposeFacts.objects.filter(young_person=started).update(appointments=7)
    (found,) = summary.mismatches()
    assert (found.young_person_id, found.table) == (started.pk, "reports.AppointmentPurposeFacts")
    summary.refresh([started.pk])
    assert by_purpose(started) == {"review": 1}


def test_every_write_keeps_the_stored_facts_true(started, practitioner):
    assert stored(started).appointments == 0
    assert stored(started).latest_day is None

    first = log(practitioner, started, 94, engagement=2)
    log(practitioner, started, 2, engagement=4)
    log(practitioner, started, 5, attendance="did_not_attend")
    facts = stored(started)
    assert by_purpose(started) == {"review": 3}
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
    assert by_purpose(started) == {}

    # Deleted appointments go too.
    started.ecm_start_date = timezone.localdate() - timedelta(days=95)
    started.save()
    assert stored(started).appointments == 2
    assert by_purpose(started) == {"review": 2}
    Appointment.objects.filter(young_person=started, archived_at__isnull=True).delete()
    assert stored(started).appointments == 0
    assert summary.mismatches() == []


def book(practitioner, young_person, days_ahead):
    """A next appointment booked, with nothing recorded about it yet."""
    return services.appointment_log(
        by=practitioner,
        young_person=young_person,
        starts_at=timezone.now() + timedelta(days=days_ahead),
        kind="one_to_one",
        purpose_category=appointment_purpose("family"),
        purpose="Next session",
        attendance="",
        duration_minutes=30,
    )


def test_a_booked_appointment_is_taken_away_from_the_stored_counts(
    started, practitioner, records_only
):
    """Most young people have a next appointment booked: a run as of today counts their
    stored facts less it, rather than reading all their appointments."""
    log(practitioner, started, 30, engagement=2)
    log(practitioner, started, 3, engagement=5)
    book(practitioner, started, 7)
    book(practitioner, started, 14)
    scope = Scope(**WHOLE)
    split = facts_module._split_appointments(scope)
    assert Appointment.objects.filter(split.read).count() == 0
    assert Appointment.objects.filter(split.less).count() == 4
    with person_facts(scope) as facts:
        row = facts.values().get(pk=started.pk)
    assert (row["appointments"], row["attended"], row["attended_minutes"]) == (2, 2, 90)
    assert (row["engagement_first"], row["engagement_last"]) == (2, 5)
    by_purpose = compute_all(scope)["appointments_by_purpose"]
    assert by_purpose.overall == {"review": 2}, "the booked ones' purpose is left out"

    records_only()
    with person_facts(scope) as facts:
        assert facts.values().get(pk=started.pk) == row
    assert compute_all(scope)["appointments_by_purpose"] == by_purpose


def test_a_rated_appointment_after_the_as_of_date_has_the_appointments_read(
    started, practitioner, records_only
):
    """The stored first and last ratings may be those of an appointment after the as-of
    date: then the run reads the young person's appointments."""
    log(practitioner, started, 60, engagement=1)
    log(practitioner, started, 2, engagement=4)
    scope = Scope(**WHOLE, as_of=timezone.localdate() - timedelta(days=30))
    split = facts_module._split_appointments(scope)
    assert Appointment.objects.filter(split.read).count() == 2
    with person_facts(scope) as facts:
        row = facts.values().get(pk=started.pk)
    assert (row["appointments"], row["engagement_first"], row["engagement_last"]) == (1, 1, 1)
    records_only()
    with person_facts(scope) as facts:
        assert facts.values().get(pk=started.pk) == row


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

    # The windows around the start (12 months), which follow it.
    start = started.ecm_start_date
    factories.OffenceFactory(young_person=started, committed_on=start - timedelta(days=200))
    factories.OffenceFactory(young_person=started, committed_on=start + timedelta(days=5))
    factories.BreachFactory(young_person=started, breach_date=start + timedelta(days=6))
    factories.CustodyEpisodeFactory(young_person=started, start_date=start + timedelta(days=7))
    facts = standing(started)
    assert (facts.offences_before, facts.offences_after, facts.highest_gravity_after) == (1, 1, 2)
    assert (facts.breaches_after, facts.custody_after) == (1, 1)
    started.ecm_start_date = start - timedelta(days=200)
    started.save()
    facts = standing(started)
    assert (facts.offences_before, facts.offences_after, facts.custody_after) == (0, 2, 1)
    assert summary.mismatches() == []


# --- The comparison report's stored facts ------------------------------------------------------


@pytest.mark.parametrize("as_of", [date(2026, 12, 1), date(2025, 6, 30)])
def test_a_comparison_read_from_stored_facts_gives_what_the_records_give(
    generated, monkeypatch, as_of
):
    scope = Scope(**WHOLE, as_of=as_of)
    assert scope.follow_up_months == comparison.STORED_FOLLOW_UP_MONTHS
    stored_arrays = comparison.comparison_arrays(scope)
    document = comparison.comparison_document(scope)
    assert stored_arrays["in_ecm"].sum() > 0 and (~stored_arrays["in_ecm"]).sum() > 0
    assert stored_arrays["offences_before"].sum() > 0 and stored_arrays["needs"].sum() > 0

    # A run with other months reads the records; made to, this one gives the same.
    monkeypatch.setattr(comparison, "STORED_FOLLOW_UP_MONTHS", None)
    records_arrays = comparison.comparison_arrays(scope)
    assert set(records_arrays) == set(stored_arrays)
    for name, values in records_arrays.items():
        assert values.tolist() == stored_arrays[name].tolist(), name
    assert comparison.comparison_document(scope) == document


def test_a_comparison_at_other_months_reads_the_records(generated):
    six = Scope(**WHOLE, as_of=date(2026, 12, 1), follow_up_months=6)
    sql, _params = comparison.comparison_query(six)
    assert ComparisonFacts._meta.db_table not in sql
    twelve = Scope(**WHOLE, as_of=date(2026, 12, 1))
    assert ComparisonFacts._meta.db_table in comparison.comparison_query(twelve)[0]
    assert comparison.comparison_arrays(six)["in_ecm"].sum() > 0


def compared(young_person) -> ComparisonFacts:
    return ComparisonFacts.objects.get(young_person=young_person)


def test_every_write_keeps_the_comparison_facts_true(started, team_a, manager):
    today = timezone.localdate()
    start = started.ecm_start_date
    assert (compared(started).index_on, compared(started).offences_before) == (start, 0)

    factories.OffenceFactory(young_person=started, committed_on=start - timedelta(days=40))
    offence = factories.OffenceFactory(
        young_person=started, committed_on=start + timedelta(days=10), gravity=5
    )
    factories.BreachFactory(young_person=started, breach_date=start + timedelta(days=3))
    factories.NeedFactory(young_person=started, recorded_on=start - timedelta(days=1))
    facts = compared(started)
    assert (facts.offences_before, facts.offences_after, facts.gravity_after) == (1, 1, 5)
    assert (facts.offences_12m, facts.breaches_after, facts.needs) == (1, 1, 1)
    offence.archived_at = timezone.now()
    offence.save()
    assert (compared(started).offences_after, compared(started).gravity_after) == (0, 0)

    # Never started: the index date is their latest eligibility decision's, if it found them
    # eligible (a manager's override counts).
    started.ecm_start_date = None
    started.save()
    assert compared(started).index_on is None
    ensure_default_policies(EligibilityPolicy)
    decision = EligibilityDecision.objects.create(
        young_person=started,
        policy=EligibilityPolicy.objects.first(),
        decided_on=today - timedelta(days=20),
        eligible=True,
        criteria=[],
    )
    assert compared(started).index_on == today - timedelta(days=20)
    assert compared(started).offences_before == 1
    override = EligibilityOverride.objects.create(
        decision=decision, eligible=False, reason="Not a persistent offender", made_by=manager
    )
    assert compared(started).index_on is None
    override.delete()
    assert compared(started).index_on == today - timedelta(days=20)
    assert summary.mismatches() == []


# --- Formulation meetings ----------------------------------------------------------------------


def test_a_run_with_another_window_for_the_formulation_reads_the_meetings(generated, records_only):
    scope = Scope(**WHOLE, as_of=date(2025, 6, 30), fidelity_window_days=40)
    with_stored = facts_of(scope)
    default = facts_of(Scope(**WHOLE, as_of=date(2025, 6, 30)))
    in_window = sum(row["initial_formulation_in_window"] for row in with_stored)
    assert 0 < in_window < sum(row["initial_formulation_in_window"] for row in default)
    records_only()
    assert facts_of(scope) == with_stored


def test_a_meeting_after_the_as_of_date_is_read_from_the_meetings(generated):
    """Young people with a meeting after the as-of date are read from their meetings, and
    the run leaves it out."""
    as_of = date(2025, 6, 30)
    later = MeetingFacts.objects.filter(latest_costed_on__gt=as_of)
    assert later.exists()
    person = later.first().young_person_id
    with person_facts(Scope(**WHOLE, as_of=as_of)) as facts:
        minutes = facts.get(pk=person).meeting_minutes
    held = FormulationMeeting.objects.filter(
        young_person_id=person, status="held", held_on__lte=as_of
    )
    start = YoungPerson.objects.get(pk=person).ecm_start_date
    expected = sum(meeting.duration_minutes or 0 for meeting in held if meeting.held_on >= start)
    assert minutes == expected


def meetings(young_person) -> MeetingFacts:
    return MeetingFacts.objects.get(young_person=young_person)


def test_every_write_keeps_the_meeting_facts_true(started, settings):
    start = started.ecm_start_date
    window = settings.ECM_FORMULATION_WINDOW_DAYS
    assert (meetings(started).formulation_meetings, meetings(started).window_days) == (0, window)
    meeting = factories.FormulationMeetingFactory(
        young_person=started, held_on=start + timedelta(days=10), duration_minutes=60
    )
    facts = meetings(started)
    assert (facts.formulation_meetings, facts.initial_formulation_in_window) == (1, 1)
    assert (facts.meeting_minutes, facts.latest_costed_on) == (60, start + timedelta(days=10))
    factories.MeetingAttendanceFactory(meeting=meeting)
    factories.MeetingAttendanceFactory(meeting=meeting)
    assert meetings(started).meeting_agency_minutes == 120

    meeting.held_on = start + timedelta(days=80)
    meeting.save()
    assert meetings(started).initial_formulation_in_window == 0
    started.ecm_start_date = start + timedelta(days=81)
    started.save()
    facts = meetings(started)
    assert (facts.meeting_minutes, facts.latest_costed_on) == (0, None)
    assert facts.formulation_meetings == 1
    assert summary.mismatches() == []


def numbered(young_person) -> list[tuple[int, int]]:
    return list(
        MeetingNumberFacts.objects.filter(young_person=young_person)
        .order_by("number")
        .values_list("number", "agencies_attended")
    )


def by_agency(young_person) -> dict[str, tuple[int, int]]:
    return {
        code: (invited, attended)
        for code, invited, attended in AgencyAttendanceFacts.objects.filter(
            young_person=young_person
        ).values_list("agency__code", "invited", "attended")
    }


def test_every_write_keeps_the_meetings_by_number_and_attendance_by_agency_true(started):
    start = started.ecm_start_date
    later = factories.FormulationMeetingFactory(
        young_person=started, held_on=start + timedelta(days=40), kind="review"
    )
    first = factories.FormulationMeetingFactory(
        young_person=started, held_on=start + timedelta(days=10)
    )
    police, health = factories.AgencyFactory(code="police"), factories.AgencyFactory(code="health")
    factories.MeetingAttendanceFactory(meeting=first, agency=police)
    absent = factories.MeetingAttendanceFactory(meeting=first, agency=health, attended=False)
    factories.MeetingAttendanceFactory(meeting=later, agency=police)
    assert numbered(started) == [(1, 1), (2, 1)]
    assert by_agency(started) == {"police": (2, 2), "health": (1, 0)}

    absent.attended = True
    absent.save()
    assert numbered(started) == [(1, 2), (2, 1)]
    # Held before the first now: the numbers follow the dates.
    later.held_on = start + timedelta(days=5)
    later.save()
    assert numbered(started) == [(1, 1), (2, 2)]
    # Cancelled: no longer a meeting held.
    later.status = MeetingStatus.CANCELLED
    later.save()
    assert numbered(started) == [(1, 2)]
    assert by_agency(started) == {"police": (1, 1), "health": (1, 1)}
    first.delete()
    assert (numbered(started), by_agency(started)) == ([], {})
    assert summary.mismatches() == []


def test_the_meeting_measures_read_from_the_stored_facts_are_what_the_records_give(generated):
    """Worked out here one meeting at a time from the records, as a reader would."""
    scope = Scope(**WHOLE, as_of=date(2026, 12, 1))
    results = compute_all(scope)
    cohort = YoungPerson.objects.filter(ecm_start_date__isnull=False)
    held = FormulationMeeting.objects.filter(young_person__in=cohort, status=MeetingStatus.HELD)
    agencies_by_number: dict[int, list[int]] = {}
    for person in cohort:
        meetings = held.filter(young_person=person).order_by("held_on", "id")
        for number, meeting in enumerate(meetings, start=1):
            came = meeting.attendance.filter(attended=True).count()
            agencies_by_number.setdefault(number, []).append(came)
    assert len(agencies_by_number) > 1
    expected = {
        str(number): round(sum(came) / len(came), 2)
        for number, came in sorted(agencies_by_number.items())
    }
    assert results["mean_agencies_attending_by_meeting_number"].overall == pytest.approx(expected)

    invited: dict[str, list[bool]] = {}
    for attendance in MeetingAttendance.objects.filter(meeting__in=held).select_related("agency"):
        invited.setdefault(attendance.agency.code, []).append(attendance.attended is True)
    assert invited
    rates = results["attendance_rate_by_agency"].overall
    assert set(rates) == set(invited)
    for code, came in invited.items():
        assert rates[code] == pytest.approx(sum(came) / len(came), abs=0.001)


def test_many_young_people_to_read_are_picked_by_a_subquery(generated, monkeypatch):
    """A run as of a date long past reads most young people's appointments; past
    `LISTED_AT_MOST` they are not listed one by one (SQLite's limit on parameters), with the
    same facts."""
    scope = Scope(**WHOLE, as_of=date(2025, 6, 30))
    listed = facts_of(scope)
    assert "IN (SELECT" not in str(facts_module.appointment_reading(scope).rows.query)
    monkeypatch.setattr(facts_module, "LISTED_AT_MOST", 1)
    assert "IN (SELECT" in str(facts_module.appointment_reading(scope).rows.query)
    assert "IN (SELECT" in str(facts_module.unstored_meeting_rows(scope).query)
    assert facts_of(scope) == listed


# --- Saving the young person --------------------------------------------------------------------


def test_saving_a_young_person_refreshes_their_facts_only_when_the_start_or_archiving_changes(
    started, practitioner
):
    log(practitioner, started, 10)
    person = YoungPerson.objects.get(pk=started.pk)
    person.given_name = "Renamed"
    with CaptureQueriesContext(connection) as queries:
        person.save()
    assert not [q for q in queries.captured_queries if "reports_" in q["sql"]]

    person = YoungPerson.objects.get(pk=started.pk)
    person.ecm_start_date -= timedelta(days=1)
    person.save()
    assert stored(started).latest_day == 85 + 1  # one day further from the start
    # The standing facts leave out an archived young person's records.
    factories.NeedFactory(young_person=started)
    assert standing(started).needs == 1
    person.archived_at = timezone.now()
    person.save(update_fields=["archived_at"])
    assert standing(started).needs == 0
    person.archived_at = None
    person.save()
    assert standing(started).needs == 1
    assert summary.mismatches() == []
