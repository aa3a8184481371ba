"""The stored case summaries (cases.summary) stay equal to what the records say.

The lists read the summaries instead of recomputing them, so a summary that drifted from the
records would show a practitioner the wrong last contact or hide a warning. These tests make
every kind of write the summaries depend on and compare the stored values with the records.
"""

from datetime import timedelta

import pytest
from django.core import serializers
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases import services, summary
from cases.models import CaseEvent, CaseSummary, TRMAssessment, YoungPerson
from formulation import services as formulation_services
from formulation.models import FormulationSummary, MeetingKind
from seed import factories
from seed.factories import appointment_purpose


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(team=team_a, practitioner=practitioner)


def stored(young_person) -> CaseSummary:
    return CaseSummary.objects.get(young_person=young_person)


def log(practitioner, young_person, days_ago, attendance="attended"):
    return services.appointment_log(
        by=practitioner,
        young_person=young_person,
        starts_at=timezone.now() - timedelta(days=days_ago),
        kind="one_to_one",
        purpose_category=appointment_purpose("review"),
        purpose="Weekly session",
        attendance=attendance,
        engagement=3 if attendance == "attended" else None,
        outcome_code="achieved" if attendance == "attended" else "",
        outcome="Talked about the week" if attendance == "attended" else "",
    )


def initial_meeting_held(psychologist, young_person, held_on):
    meeting = formulation_services.meeting_schedule(
        by=psychologist,
        young_person=young_person,
        kind=MeetingKind.INITIAL,
        held_on=held_on,
        agencies=[],
    )
    formulation_services.meeting_record_attendance(by=psychologist, meeting=meeting, attendance={})
    return meeting


def test_a_new_referral_has_an_empty_summary(young_person):
    row = stored(young_person)
    assert (row.last_contact_at, row.current_stage_id, row.young_person_consent) == (
        None,
        None,
        None,
    )
    assert (
        FormulationSummary.objects.get(young_person=young_person).initial_formulation_held is False
    )
    assert summary.mismatches() == []


def test_last_contact_follows_attended_appointments_and_their_archiving(practitioner, young_person):
    older = log(practitioner, young_person, days_ago=20)
    newer = log(practitioner, young_person, days_ago=5)
    log(practitioner, young_person, days_ago=1, attendance="did_not_attend")
    assert stored(young_person).last_contact_at == newer.starts_at

    services.record_archive(by=practitioner, record=newer, reason="Logged on the wrong case")
    assert stored(young_person).last_contact_at == older.starts_at
    assert summary.mismatches() == []


def test_consent_and_stage_follow_the_latest_decision(practitioner, young_person):
    day = young_person.referral_date
    for decision, note in (("given", ""), ("withdrawn", "Said they no longer want to take part")):
        services.consent_record(
            by=practitioner,
            young_person=young_person,
            party="young_person",
            purpose="participation",
            decision=decision,
            decided_on=day,
            note=note,
            reason=factories.disengagement_reason("no_point") if note else None,
        )
        day += timedelta(days=1)
    assert stored(young_person).young_person_consent == "withdrawn"

    factories.TRMAssessmentFactory(young_person=young_person, stage=factories.trm_stage(3))
    assert stored(young_person).current_stage.number == 3
    assert summary.mismatches() == []


def test_formulation_facts_follow_meetings_and_actions(psychologist, practitioner, young_person):
    today = timezone.localdate()
    meeting = initial_meeting_held(psychologist, young_person, today - timedelta(days=10))
    values = {
        "trm_stage": factories.trm_stage(2),
        "trm_reasoning": "Some trust with the practitioner",
        "next_review_on": today + timedelta(days=60),
    }
    formulation = formulation_services.formulation_record(
        by=psychologist,
        meeting=meeting,
        values=values,
        actions=[
            {
                "description": "Call school",
                **factories.outside_owner("Sam"),
                "due_on": today - timedelta(days=2),
            },
            {
                "description": "Book GP",
                **factories.outside_owner("Jo"),
                "due_on": today + timedelta(days=7),
            },
        ],
    )
    facts = FormulationSummary.objects.get(young_person=young_person)
    assert facts.initial_formulation_held is True
    assert facts.next_review_on == today + timedelta(days=60)
    assert facts.open_action_due_on == today - timedelta(days=2)

    overdue = formulation.actions.get(description="Call school")
    formulation_services.action_complete(by=practitioner, action=overdue, done_on=today)
    facts.refresh_from_db()
    assert facts.open_action_due_on == today + timedelta(days=7)

    # A revision that keeps the stage writes no assessment: only the actions change.
    formulation_services.formulation_record(
        by=psychologist,
        meeting=meeting,
        version=formulation.version,
        values=values,
        actions=[
            {
                "description": "Visit",
                **factories.outside_owner("Sam"),
                "due_on": today - timedelta(days=1),
            }
        ],
    )
    facts.refresh_from_db()
    assert facts.open_action_due_on == today - timedelta(days=1)
    assert summary.mismatches() == []


def test_a_summary_changed_behind_the_services_is_found_and_rebuilt(practitioner, young_person):
    log(practitioner, young_person, days_ago=3)
    CaseSummary.objects.update(last_contact_at=None)  # no signal: the summary is now stale

    found = summary.mismatches()
    assert [(m.young_person_id, m.column) for m in found] == [(young_person.pk, "last_contact_at")]
    with pytest.raises(CommandError, match="1 stored summary value"):
        call_command("refresh_case_summaries", "--check")

    call_command("refresh_case_summaries")
    assert summary.mismatches() == []
    call_command("refresh_case_summaries", "--check")


def test_a_missing_summary_row_is_a_mismatch(young_person):
    CaseSummary.objects.filter(young_person=young_person).delete()
    assert [m.stored for m in summary.mismatches()] == ["(no summary row)"] * 4
    summary.refresh([young_person.pk])
    assert summary.mismatches() == []


def test_the_demonstration_data_has_true_summaries(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    # The 25 demo young people with ECM histories and the 10 referrals who did not start.
    assert CaseSummary.objects.count() == YoungPerson.objects.count() == 38
    assert summary.mismatches() == []


def test_a_fixture_loaded_with_loaddata_gets_true_summaries(
    tmp_path, psychologist, practitioner, young_person, django_capture_on_commit_callbacks
):
    """loaddata saves rows raw and in the file's order; the summaries follow once it commits."""
    today = timezone.localdate()
    contact = log(practitioner, young_person, days_ago=4)
    meeting = initial_meeting_held(psychologist, young_person, today - timedelta(days=10))
    formulation = formulation_services.formulation_record(
        by=psychologist,
        meeting=meeting,
        values={
            "trm_stage": factories.trm_stage(2),
            "trm_reasoning": "Some trust with the practitioner",
            "next_review_on": today + timedelta(days=30),
        },
        actions=[{"description": "Call school", **factories.outside_owner("Sam"), "due_on": today}],
    )
    # Children before their parents, so nothing can be summarised as each row arrives.
    rows = [
        *CaseEvent.objects.filter(young_person=young_person),
        *formulation.actions.all(),
        *TRMAssessment.objects.filter(young_person=young_person),
        formulation,
        meeting,
        contact,
        young_person,
    ]
    fixture = tmp_path / "case.json"
    fixture.write_text(serializers.serialize("json", rows))
    for row in rows:
        type(row).objects.filter(pk=row.pk).delete()
    assert not CaseSummary.objects.filter(young_person=young_person.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("loaddata", str(fixture), verbosity=0)

    contact.refresh_from_db()  # JSON keeps milliseconds
    assert stored(young_person).last_contact_at == contact.starts_at
    assert stored(young_person).current_stage.number == 2
    facts = FormulationSummary.objects.get(young_person=young_person)
    assert (facts.initial_formulation_held, facts.next_review_on, facts.open_action_due_on) == (
        True,
        today + timedelta(days=30),
        today,
    )
    assert summary.mismatches() == []
