"""The rules of formulation/services.py, selectors.py and warnings.py."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from cases.models import CaseEvent, TRMAssessment
from cases.selectors import caseload_for, stages_by_id, with_stage_and_warnings
from cases.services import ConflictError
from formulation import selectors, services
from formulation.models import (
    AgreedAction,
    DeliveredIntervention,
    Formulation,
    MeetingAttendance,
    MeetingKind,
    MeetingStatus,
)
from seed import factories


def today():
    return timezone.localdate()


def days_ago(days):
    return today() - timedelta(days=days)


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(team=team_a, practitioner=practitioner)


@pytest.fixture
def police(db):
    return factories.AgencyFactory(code="police", name="Police")


@pytest.fixture
def education(db):
    return factories.AgencyFactory(code="education", name="Education")


def schedule(psychologist, young_person, *, held_on=None, kind=MeetingKind.INITIAL, agencies=()):
    return services.meeting_schedule(
        by=psychologist,
        young_person=young_person,
        held_on=held_on or days_ago(7),
        kind=kind,
        agencies=agencies,
    )


def values(stage=2, **overrides):
    return {
        "presenting": "Missing school; fights at home",
        "predisposing": "Early loss",
        "precipitating": "Move to a new estate",
        "perpetuating": "No trusted adult",
        "protective": "Loves football",
        "timeline_notes": "Born 2010; moved 2019",
        "young_person_views": "Wants to play for a club",
        "family_views": "Worried",
        "trm_stage": factories.trm_stage(stage),
        "trm_reasoning": "Trust with the key worker is building",
        "next_review_on": None,
        **overrides,
    }


def record(psychologist, meeting, *, version=None, actions=(), **overrides):
    return services.formulation_record(
        by=psychologist,
        meeting=meeting,
        values=values(**overrides),
        actions=actions,
        version=version,
    )


# --- Meetings ----------------------------------------------------------------------------------


def test_scheduling_a_meeting_invites_the_agencies_and_writes_an_event(
    psychologist, young_person, police, education
):
    meeting = schedule(psychologist, young_person, agencies=[police, education])
    assert meeting.status == MeetingStatus.SCHEDULED
    assert meeting.chair == psychologist
    invited = MeetingAttendance.objects.filter(meeting=meeting)
    assert sorted(row.agency.name for row in invited) == ["Education", "Police"]
    assert all(row.attended is None for row in invited)
    assert CaseEvent.objects.filter(
        young_person=young_person, action="formulation.meeting_scheduled"
    ).exists()


@pytest.mark.parametrize("role", ["practitioner", "manager"])
def test_only_a_psychologist_schedules_meetings(request, role, young_person):
    with pytest.raises(PermissionDenied):
        schedule(request.getfixturevalue(role), young_person)


def test_a_psychologist_cannot_schedule_in_a_team_they_do_not_serve(
    psychologist, team_b, other_practitioner
):
    other_case = factories.YoungPersonFactory(team=team_b, practitioner=other_practitioner)
    with pytest.raises(PermissionDenied):
        schedule(psychologist, other_case)


def test_attendance_is_recorded_and_the_meeting_marked_held(
    psychologist, young_person, police, education
):
    meeting = schedule(psychologist, young_person, agencies=[police, education])
    services.meeting_record_attendance(
        by=psychologist,
        meeting=meeting,
        attendance={police.pk: (True, "PC Jones"), education.pk: (False, "Ignored")},
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    rows = {row.agency_id: row for row in meeting.attendance.all()}
    assert (rows[police.pk].attended, rows[police.pk].attendee_name) == (True, "PC Jones")
    assert (rows[education.pk].attended, rows[education.pk].attendee_name) == (False, "")


def test_a_held_meeting_records_how_long_it_lasted(psychologist, young_person, police):
    meeting = schedule(psychologist, young_person, agencies=[police])
    services.meeting_record_attendance(
        by=psychologist,
        meeting=meeting,
        attendance={police.pk: (True, "PC Jones")},
        duration_minutes=90,
    )
    meeting.refresh_from_db()
    assert (meeting.duration_minutes, meeting.version) == (90, 2)


@pytest.mark.parametrize(
    "minutes, message",
    [
        (0, "The duration must be at least 1 minute"),
        (13 * 60, "The duration must be 720 minutes (12 hours) or less"),
    ],
)
def test_a_meeting_duration_of_zero_or_over_twelve_hours_is_refused(
    psychologist, young_person, police, minutes, message
):
    meeting = schedule(psychologist, young_person, agencies=[police])
    with pytest.raises(ValidationError) as raised:
        services.meeting_record_attendance(
            by=psychologist,
            meeting=meeting,
            attendance={police.pk: (True, "PC Jones")},
            duration_minutes=minutes,
        )
    assert raised.value.message_dict["duration_minutes"] == [message]
    meeting.refresh_from_db()
    assert (meeting.status, meeting.duration_minutes) == (MeetingStatus.SCHEDULED, None)


def test_a_future_meeting_cannot_be_recorded_as_held(psychologist, young_person, police):
    meeting = schedule(
        psychologist, young_person, held_on=today() + timedelta(days=3), agencies=[police]
    )
    with pytest.raises(ValidationError) as raised:
        services.meeting_record_attendance(
            by=psychologist, meeting=meeting, attendance={police.pk: (True, "PC Jones")}
        )
    assert "has not happened yet" in raised.value.message_dict["held_on"][0]
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_attendance_for_an_agency_not_invited_is_refused_by_name(
    psychologist, young_person, police, education
):
    meeting = schedule(psychologist, young_person, agencies=[police])
    with pytest.raises(ValidationError) as raised:
        services.meeting_record_attendance(
            by=psychologist, meeting=meeting, attendance={education.pk: (True, "Ms Evans")}
        )
    assert raised.value.message_dict["attendance"] == [
        "These agencies were not invited to this meeting: Education"
    ]


# --- Formulations ------------------------------------------------------------------------------


def test_recording_the_formulation_writes_a_trm_assessment_on_the_meeting_date(
    psychologist, young_person
):
    meeting = schedule(psychologist, young_person)
    record(psychologist, meeting, stage=3)
    assessment = TRMAssessment.objects.get(young_person=young_person)
    assert assessment.stage.number == 3
    assert assessment.assessed_on == meeting.held_on
    assert "Trust with the key worker is building" in assessment.rationale
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD


def test_agreed_actions_are_added_to_the_formulation(psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    due = today() + timedelta(days=14)
    formulation = record(
        psychologist,
        meeting,
        actions=[
            {"description": " Visit school ", **factories.outside_owner("Sam"), "due_on": due}
        ],
    )
    action = AgreedAction.objects.get(formulation=formulation)
    assert (action.description, action.who, action.due_on) == (
        "Visit school",
        "Sam (Partner agency)",
        due,
    )


def test_revising_with_the_version_opened_saves_and_counts_up(psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    first = record(psychologist, meeting)
    revised = record(psychologist, meeting, version=first.version, presenting="Better now")
    assert revised.version == first.version + 1
    assert Formulation.objects.get(meeting=meeting).presenting == "Better now"


def test_revising_without_changing_the_stage_writes_no_new_assessment(psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    first = record(psychologist, meeting)
    record(psychologist, meeting, version=first.version, presenting="Better now")
    assert TRMAssessment.objects.filter(young_person=young_person).count() == 1


def test_revising_to_another_stage_writes_a_new_assessment(psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    first = record(psychologist, meeting, stage=2)
    record(psychologist, meeting, version=first.version, stage=3)
    stages = TRMAssessment.objects.filter(young_person=young_person).values_list(
        "stage__number", flat=True
    )
    assert sorted(stages) == [2, 3]


def test_a_stale_version_is_a_conflict_and_changes_nothing(psychologist, young_person, team_a):
    other_psychologist = factories.user_with_role("psychologist", team_a, username="quinn")
    meeting = schedule(psychologist, young_person)
    opened = record(psychologist, meeting)
    record(other_psychologist, meeting, version=opened.version, presenting="Quinn's text")
    with pytest.raises(ConflictError) as raised:
        record(psychologist, meeting, version=opened.version, presenting="Pat's text")
    assert raised.value.current.presenting == "Quinn's text"
    assert Formulation.objects.get(meeting=meeting).presenting == "Quinn's text"


def test_a_second_first_formulation_is_a_conflict(psychologist, young_person):
    # Both opened the empty form; the second to save must not overwrite the first.
    meeting = schedule(psychologist, young_person)
    record(psychologist, meeting, presenting="First")
    with pytest.raises(ConflictError):
        record(psychologist, meeting, version=None, presenting="Second")


def test_a_review_date_before_the_meeting_is_refused(psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    with pytest.raises(ValidationError) as raised:
        record(psychologist, meeting, next_review_on=meeting.held_on - timedelta(days=1))
    assert (
        "The next review must be after the meeting"
        in raised.value.message_dict["next_review_on"][0]
    )


def test_an_action_due_before_the_meeting_is_refused(psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    early = meeting.held_on - timedelta(days=1)
    with pytest.raises(ValidationError) as raised:
        record(
            psychologist,
            meeting,
            actions=[{"description": "Call", **factories.outside_owner("Sam"), "due_on": early}],
        )
    assert (
        "Action 1: the due date cannot be before the meeting"
        in (raised.value.message_dict["actions"][0])
    )
    assert not Formulation.objects.filter(meeting=meeting).exists()


def test_a_formulation_cannot_be_recorded_before_the_meeting(psychologist, young_person):
    meeting = schedule(psychologist, young_person, held_on=today() + timedelta(days=2))
    with pytest.raises(ValidationError) as raised:
        record(psychologist, meeting)
    assert "has not happened yet" in raised.value.message_dict["__all__"][0]


def test_a_practitioner_cannot_record_a_formulation(psychologist, practitioner, young_person):
    meeting = schedule(psychologist, young_person)
    with pytest.raises(PermissionDenied):
        record(practitioner, meeting)


def test_a_review_starts_from_the_previous_formulation(psychologist, young_person):
    initial = schedule(psychologist, young_person, held_on=days_ago(60))
    record(psychologist, initial, stage=2)
    review = schedule(psychologist, young_person, held_on=days_ago(5), kind=MeetingKind.REVIEW)
    starting = services.formulation_starting_values(review)
    assert starting["presenting"] == "Missing school; fights at home"
    assert starting["trm_stage"].number == 2
    assert "next_review_on" not in starting


def test_an_initial_meeting_has_nothing_to_start_from(psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    assert services.formulation_starting_values(meeting) == {}


def test_earlier_formulations_stay_readable_after_a_review(psychologist, young_person):
    initial = schedule(psychologist, young_person, held_on=days_ago(60))
    record(psychologist, initial, presenting="Then")
    review = schedule(psychologist, young_person, held_on=days_ago(5), kind=MeetingKind.REVIEW)
    record(psychologist, review, presenting="Now")
    meetings = list(selectors.meetings_for(young_person))
    assert [meeting.formulation.presenting for meeting in meetings] == ["Now", "Then"]
    assert selectors.latest_formulation(young_person).presenting == "Now"


def test_an_agreed_action_cannot_be_done_in_the_future(psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    formulation = record(
        psychologist,
        meeting,
        actions=[{"description": "Call", **factories.outside_owner("Sam"), "due_on": today()}],
    )
    action = formulation.actions.get()
    with pytest.raises(ValidationError):
        services.action_complete(
            by=psychologist, action=action, done_on=today() + timedelta(days=1)
        )


def test_an_action_may_be_given_only_to_someone_who_works_in_the_team(psychologist, young_person):
    outsider = factories.user_with_role(Role.PRACTITIONER, factories.TeamFactory())
    meeting = schedule(psychologist, young_person)
    with pytest.raises(ValidationError) as refused:
        record(
            psychologist,
            meeting,
            actions=[{"description": "Call", "assignee": outsider, "due_on": today()}],
        )
    assert f"Action 1: {outsider} does not work in {young_person.team.name}" in str(refused.value)


def test_whoever_is_given_an_action_marks_it_done_and_who_and_when_is_kept(
    psychologist, young_person, team_a
):
    other_practitioner = factories.user_with_role(Role.PRACTITIONER, team_a)
    meeting = schedule(psychologist, young_person)
    formulation = record(
        psychologist,
        meeting,
        actions=[{"description": "Call", "assignee": other_practitioner, "due_on": today()}],
    )
    action = formulation.actions.get()
    assert action.who == str(other_practitioner)
    services.action_complete(by=other_practitioner, action=action, done_on=today())
    action.refresh_from_db()
    assert (action.done_on, action.done_by) == (today(), other_practitioner)
    assert action.done_at is not None


# --- The intervention plan ---------------------------------------------------------------------


def add_item(by, young_person, title, stage, **extra):
    return services.intervention_add(
        by=by,
        young_person=young_person,
        title=title,
        trm_stage=factories.trm_stage(stage),
        responsible_person="Sam",
        **extra,
    )


def test_items_are_added_at_the_end_of_the_plan(practitioner, young_person):
    first = add_item(practitioner, young_person, "Routine", 1)
    second = add_item(practitioner, young_person, "Mentoring", 2)
    assert (first.sequence, second.sequence) == (1, 2)


def test_an_item_needs_a_responsible_agency_or_person(practitioner, young_person):
    with pytest.raises(ValidationError) as raised:
        services.intervention_add(
            by=practitioner,
            young_person=young_person,
            title="Mentoring",
            trm_stage=factories.trm_stage(2),
        )
    assert "responsible_person" in raised.value.message_dict


def test_an_item_needs_the_trm_stage_it_serves(practitioner, young_person):
    with pytest.raises(ValidationError) as raised:
        services.intervention_add(
            by=practitioner,
            young_person=young_person,
            title="Mentoring",
            trm_stage=None,
            responsible_person="Sam",
        )
    assert raised.value.message_dict["trm_stage"] == [
        "Select the TRM stage the intervention serves"
    ]


def test_the_plan_flags_items_above_the_current_stage(practitioner, young_person):
    add_item(practitioner, young_person, "Routine", 1)
    add_item(practitioner, young_person, "Mentoring", 2)
    add_item(practitioner, young_person, "Offending behaviour work", 5)
    rows = selectors.plan_for(young_person, current_stage_number=2)
    assert [(row.item.title, row.above_current_stage) for row in rows] == [
        ("Routine", False),
        ("Mentoring", False),
        ("Offending behaviour work", True),
    ]


def test_with_no_stage_assessed_nothing_is_flagged(practitioner, young_person):
    add_item(practitioner, young_person, "Offending behaviour work", 5)
    assert [row.above_current_stage for row in selectors.plan_for(young_person, None)] == [False]


def test_an_item_edited_by_someone_else_first_is_a_conflict(practitioner, manager, young_person):
    item = add_item(practitioner, young_person, "Routine", 1)
    services.intervention_update(by=manager, item=item, version=item.version, status="active")
    with pytest.raises(ConflictError) as raised:
        services.intervention_update(
            by=practitioner, item=item, version=item.version, status="done"
        )
    assert raised.value.current.status == "active"


def test_evaluators_cannot_change_the_plan(evaluator, young_person):
    with pytest.raises(PermissionDenied):
        add_item(evaluator, young_person, "Routine", 1)


def test_an_appointment_is_linked_to_the_item_it_delivered(practitioner, young_person):
    item = add_item(practitioner, young_person, "Routine", 1)
    appointment = factories.AppointmentFactory(young_person=young_person)
    services.appointment_link_intervention(by=practitioner, appointment=appointment, item=item)
    assert DeliveredIntervention.objects.get(appointment=appointment).item == item


def test_an_appointment_cannot_deliver_another_young_persons_item(
    practitioner, young_person, team_a
):
    other = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
    item = add_item(practitioner, other, "Routine", 1)
    appointment = factories.AppointmentFactory(young_person=young_person)
    with pytest.raises(ValidationError) as raised:
        services.appointment_link_intervention(by=practitioner, appointment=appointment, item=item)
    assert raised.value.message_dict["item"] == [
        "Choose an intervention from this young person's plan"
    ]


def test_a_psychologist_cannot_link_appointments(psychologist, practitioner, young_person):
    item = add_item(practitioner, young_person, "Routine", 1)
    appointment = factories.AppointmentFactory(young_person=young_person)
    with pytest.raises(PermissionDenied):
        services.appointment_link_intervention(by=psychologist, appointment=appointment, item=item)


# --- Caseload warnings (formulation/warnings.py) -----------------------------------------------


def warning_codes(practitioner, young_person):
    rows = with_stage_and_warnings(list(caseload_for(practitioner)), stages_by_id())
    row = next(row for row in rows if row.pk == young_person.pk)
    return {warning.code for warning in row.warnings}


def test_a_review_past_its_date_is_a_warning(psychologist, practitioner, young_person):
    meeting = schedule(psychologist, young_person, held_on=days_ago(100))
    record(psychologist, meeting, next_review_on=days_ago(10))
    assert "formulation_review_overdue" in warning_codes(practitioner, young_person)


def test_a_review_still_to_come_is_no_warning(psychologist, practitioner, young_person):
    meeting = schedule(psychologist, young_person, held_on=days_ago(10))
    record(psychologist, meeting, next_review_on=today() + timedelta(days=30))
    assert "formulation_review_overdue" not in warning_codes(practitioner, young_person)


def test_no_initial_formulation_eight_weeks_after_ecm_start_is_a_warning(
    practitioner, young_person
):
    young_person.ecm_start_date = days_ago(57)
    young_person.save()
    assert "initial_formulation_late" in warning_codes(practitioner, young_person)


def test_a_held_initial_formulation_clears_the_eight_week_warning(
    psychologist, practitioner, young_person
):
    young_person.ecm_start_date = days_ago(57)
    young_person.save()
    record(psychologist, schedule(psychologist, young_person, held_on=days_ago(20)))
    assert "initial_formulation_late" not in warning_codes(practitioner, young_person)


def test_the_eight_week_window_is_configurable(settings, practitioner, young_person):
    settings.ECM_FORMULATION_WINDOW_DAYS = 90
    young_person.ecm_start_date = days_ago(57)
    young_person.save()
    assert "initial_formulation_late" not in warning_codes(practitioner, young_person)


def test_an_action_past_its_due_date_is_a_warning(psychologist, practitioner, young_person):
    meeting = schedule(psychologist, young_person, held_on=days_ago(30))
    record(
        psychologist,
        meeting,
        actions=[{"description": "Call", **factories.outside_owner("Sam"), "due_on": days_ago(2)}],
    )
    assert "formulation_actions_overdue" in warning_codes(practitioner, young_person)


def test_a_done_action_is_no_warning(psychologist, practitioner, young_person):
    meeting = schedule(psychologist, young_person, held_on=days_ago(30))
    formulation = record(
        psychologist,
        meeting,
        actions=[{"description": "Call", **factories.outside_owner("Sam"), "due_on": days_ago(2)}],
    )
    services.action_complete(by=practitioner, action=formulation.actions.get(), done_on=today())
    assert "formulation_actions_overdue" not in warning_codes(practitioner, young_person)
