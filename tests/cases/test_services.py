"""The rules `cases/services.py` enforces on every write, at their boundaries."""

from datetime import datetime, time, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from cases import selectors, services
from cases.models import Appointment, CaseEvent, Offence, Order, YoungPerson
from seed import factories


def messages_for(error: ValidationError, field: str) -> list[str]:
    return error.value.message_dict.get(field, [])


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        date_of_birth=timezone.localdate() - relativedelta(years=15, days=100),
        referral_date=timezone.localdate() - timedelta(days=60),
    )


def refer(by, team, **overrides):
    details = {
        "by": by,
        "team": team,
        "reference": "REF-1",
        "given_name": "Rhys",
        "family_name": "Evans",
        "date_of_birth": timezone.localdate() - relativedelta(years=14),
        "gender": "male",
        "referral_date": timezone.localdate(),
    }
    return services.young_person_refer(**(details | overrides))


def log_appointment(by, young_person, **overrides):
    details = {
        "by": by,
        "young_person": young_person,
        "starts_at": timezone.now() - timedelta(days=1),
        "kind": "one_to_one",
        "purpose_category": factories.appointment_purpose("review"),
        "purpose": "Weekly review",
    }
    return services.appointment_log(**(details | overrides))


# --- Referral: date of birth and age ------------------------------------------------------------


def test_referral_with_date_of_birth_in_the_future_is_refused(practitioner, team_a):
    with pytest.raises(ValidationError) as error:
        refer(practitioner, team_a, date_of_birth=timezone.localdate() + timedelta(days=1))
    assert "Date of birth must be in the past" in messages_for(error, "date_of_birth")


def test_referral_with_date_of_birth_today_is_refused(practitioner, team_a):
    with pytest.raises(ValidationError) as error:
        refer(practitioner, team_a, date_of_birth=timezone.localdate())
    assert "Date of birth must be in the past" in messages_for(error, "date_of_birth")


def test_referral_of_a_child_exactly_ten_on_the_referral_date_is_accepted(practitioner, team_a):
    referral = timezone.localdate() - timedelta(days=5)
    young_person = refer(
        practitioner,
        team_a,
        referral_date=referral,
        date_of_birth=referral - relativedelta(years=10),
    )
    assert YoungPerson.objects.filter(pk=young_person.pk).exists()


def test_referral_of_a_child_one_day_short_of_ten_is_refused(practitioner, team_a):
    referral = timezone.localdate() - timedelta(days=5)
    with pytest.raises(ValidationError) as error:
        refer(
            practitioner,
            team_a,
            referral_date=referral,
            date_of_birth=referral - relativedelta(years=10) + timedelta(days=1),
        )
    assert any("at least 10" in message for message in messages_for(error, "date_of_birth"))
    assert not YoungPerson.objects.exists()


def test_parent_consent_is_required_by_default_one_day_before_sixteen(practitioner, team_a):
    young_person = refer(
        practitioner,
        team_a,
        date_of_birth=timezone.localdate() - relativedelta(years=16) + timedelta(days=1),
    )
    assert young_person.parent_consent_required is True


def test_parent_consent_is_not_required_by_default_at_sixteen(practitioner, team_a):
    young_person = refer(
        practitioner, team_a, date_of_birth=timezone.localdate() - relativedelta(years=16)
    )
    assert young_person.parent_consent_required is False


def test_parent_consent_requirement_change_needs_a_reason(practitioner, young_person):
    with pytest.raises(ValidationError) as error:
        services.parent_consent_requirement_set(
            by=practitioner, young_person=young_person, required=False, reason="  "
        )
    assert messages_for(error, "reason") == ["Explain why the requirement is changing"]
    young_person.refresh_from_db()
    assert young_person.parent_consent_required is True


# --- Consent ------------------------------------------------------------------------------------


def record_consent(by, young_person, **overrides):
    details = {
        "by": by,
        "young_person": young_person,
        "party": "young_person",
        "purpose": "participation",
        "decision": "given",
        "decided_on": young_person.referral_date,
    }
    if overrides.get("decision") in ("refused", "withdrawn"):
        details["reason"] = factories.disengagement_reason("family_opposed")
    return services.consent_record(**(details | overrides))


def test_consent_dated_before_the_referral_is_refused(practitioner, young_person):
    with pytest.raises(ValidationError) as error:
        record_consent(
            practitioner, young_person, decided_on=young_person.referral_date - timedelta(days=1)
        )
    assert any(
        message.startswith("Consent cannot be dated before the referral")
        for message in messages_for(error, "decided_on")
    )


def test_consent_dated_on_the_referral_date_is_accepted(practitioner, young_person):
    consent = record_consent(practitioner, young_person)
    assert consent.decided_on == young_person.referral_date


def test_withdrawing_consent_needs_a_note(practitioner, young_person):
    with pytest.raises(ValidationError) as error:
        record_consent(practitioner, young_person, decision="withdrawn", note=" ")
    assert messages_for(error, "note")


def test_withdrawing_consent_writes_a_withdrawal_event(practitioner, young_person):
    record_consent(practitioner, young_person, decision="withdrawn", note="Does not want to")
    assert CaseEvent.objects.filter(young_person=young_person, action="consent.withdrawn").exists()


def test_a_withdrawal_in_the_young_persons_own_words_needs_no_second_note(
    practitioner, young_person
):
    consent = record_consent(
        practitioner, young_person, decision="withdrawn", own_words="I've had enough of it"
    )
    assert consent.note == ""
    assert consent.own_words == "I've had enough of it"


def test_decisions_made_together_are_recorded_all_or_none(practitioner, young_person):
    with pytest.raises(ValidationError) as error:
        services.consents_record(
            by=practitioner,
            young_person=young_person,
            decisions={
                ("young_person", "participation"): "given",
                ("parent_carer", "evaluation"): "withdrawn",
            },
            decided_on=young_person.referral_date,
            note="",
        )
    assert messages_for(error, "note") == [
        "Record what the young person or family said when withdrawing consent, in the "
        "young person's own words or in the note"
    ]
    assert not young_person.consent_set.exists()


def test_decisions_made_together_each_become_current(practitioner, young_person):
    services.consents_record(
        by=practitioner,
        young_person=young_person,
        decisions={
            ("young_person", "participation"): "given",
            ("parent_carer", "participation"): "refused",
        },
        decided_on=young_person.referral_date,
        reason=factories.disengagement_reason("family_opposed"),
    )
    current = {
        (state.party, state.purpose): state.decision
        for state in selectors.consent_states(young_person)
    }
    assert current == {
        ("young_person", "participation"): "given",
        ("young_person", "evaluation"): "",
        ("parent_carer", "participation"): "refused",
        ("parent_carer", "evaluation"): "",
    }


def test_recording_no_decision_at_all_is_refused(practitioner, young_person):
    with pytest.raises(ValidationError) as error:
        services.consents_record(
            by=practitioner,
            young_person=young_person,
            decisions={},
            decided_on=timezone.localdate(),
        )
    assert error.value.messages == ["Select at least one decision to record"]


# --- Offences -----------------------------------------------------------------------------------


def record_offence(by, young_person, **overrides):
    details = {
        "by": by,
        "young_person": young_person,
        "committed_on": young_person.referral_date - timedelta(days=10),
        "description": "Criminal damage",
        "gravity": 3,
    }
    return services.offence_record(**(details | overrides))


@pytest.mark.parametrize("gravity", [0, 9])
def test_gravity_outside_one_to_eight_is_refused(practitioner, young_person, gravity):
    with pytest.raises(ValidationError) as error:
        record_offence(practitioner, young_person, gravity=gravity)
    assert messages_for(error, "gravity") == ["Gravity score must be a whole number from 1 to 8"]
    assert not Offence.objects.exists()


@pytest.mark.parametrize("gravity", [1, 8])
def test_gravity_at_either_end_of_the_scale_is_accepted(practitioner, young_person, gravity):
    assert record_offence(practitioner, young_person, gravity=gravity).gravity == gravity


def test_offence_proven_before_it_was_committed_is_refused(practitioner, young_person):
    committed = young_person.referral_date - timedelta(days=10)
    with pytest.raises(ValidationError) as error:
        record_offence(
            practitioner,
            young_person,
            committed_on=committed,
            proven_on=committed - timedelta(days=1),
        )
    assert messages_for(error, "proven_on") == ["Date proven cannot be before the date committed"]


def test_offence_proven_on_the_day_it_was_committed_is_accepted(practitioner, young_person):
    committed = young_person.referral_date - timedelta(days=10)
    offence = record_offence(
        practitioner, young_person, committed_on=committed, proven_on=committed
    )
    assert offence.proven_on == committed


# --- Orders and custody -------------------------------------------------------------------------


def test_order_ending_before_it_starts_is_refused(practitioner, young_person):
    start = young_person.referral_date
    with pytest.raises(ValidationError) as error:
        services.order_record(
            by=practitioner,
            young_person=young_person,
            order_type="referral_order",
            start_date=start,
            end_date=start - timedelta(days=1),
        )
    assert messages_for(error, "end_date") == [
        "End date must be the same as or after the start date"
    ]
    assert not Order.objects.exists()


def test_order_ending_on_its_start_date_is_accepted(practitioner, young_person):
    start = young_person.referral_date
    order = services.order_record(
        by=practitioner,
        young_person=young_person,
        order_type="youth_caution",
        start_date=start,
        end_date=start,
    )
    assert order.end_date == start


def test_custody_ending_before_it_starts_is_refused(practitioner, young_person):
    start = young_person.referral_date
    with pytest.raises(ValidationError) as error:
        services.custody_record(
            by=practitioner,
            young_person=young_person,
            start_date=start,
            end_date=start - timedelta(days=1),
        )
    assert messages_for(error, "end_date") == [
        "End date must be the same as or after the start date"
    ]


def test_breach_of_another_young_persons_order_is_refused(practitioner, young_person, team_a):
    someone_else = factories.YoungPersonFactory(team=team_a)
    order = factories.OrderFactory(young_person=someone_else)
    with pytest.raises(ValidationError) as error:
        services.breach_record(
            by=practitioner,
            young_person=young_person,
            breach_date=timezone.localdate(),
            order=order,
        )
    assert messages_for(error, "order") == ["Choose one of this young person's orders"]


# --- Appointments -------------------------------------------------------------------------------


def test_engagement_without_attendance_is_refused(practitioner, young_person):
    with pytest.raises(ValidationError) as error:
        log_appointment(practitioner, young_person, attendance="", engagement=3)
    assert messages_for(error, "engagement") == [
        "Only rate engagement when the young person attended"
    ]


def test_engagement_when_the_young_person_did_not_attend_is_refused(practitioner, young_person):
    with pytest.raises(ValidationError) as error:
        log_appointment(practitioner, young_person, attendance="did_not_attend", engagement=3)
    assert messages_for(error, "engagement")


def test_engagement_with_attendance_is_accepted(practitioner, young_person):
    appointment = log_appointment(
        practitioner,
        young_person,
        attendance="attended",
        engagement=5,
        outcome_code="achieved",
        outcome="Went well",
    )
    assert (appointment.attendance, appointment.engagement) == ("attended", 5)


def test_an_attended_appointment_without_an_outcome_is_refused(practitioner, young_person):
    with pytest.raises(ValidationError) as error:
        log_appointment(practitioner, young_person, attendance="attended", outcome="Went well")
    assert messages_for(error, "outcome_code") == [
        "Select the outcome: achieved, partly achieved, not achieved or not applicable"
    ]


def test_an_attended_appointment_with_a_coded_outcome_needs_no_note(practitioner, young_person):
    appointment = log_appointment(
        practitioner, young_person, attendance="attended", outcome_code="partly_achieved"
    )
    assert (appointment.outcome_code, appointment.outcome) == ("partly_achieved", "")
    assert appointment.outcome_in_words == "Partly achieved"


@pytest.mark.parametrize(
    "attendance", ["did_not_attend", "cancelled_by_young_person", "rearranged"]
)
def test_an_achieved_outcome_on_a_missed_appointment_is_refused(
    practitioner, young_person, attendance
):
    with pytest.raises(ValidationError) as error:
        log_appointment(practitioner, young_person, attendance=attendance, outcome_code="achieved")
    assert messages_for(error, "outcome_code") == [
        "The young person did not attend, so the outcome can only be “Not applicable” or left empty"
    ]


def test_a_missed_appointment_may_be_not_applicable(practitioner, young_person):
    appointment = log_appointment(
        practitioner, young_person, attendance="did_not_attend", outcome_code="not_applicable"
    )
    assert appointment.get_outcome_code_display() == "Not applicable"


def test_an_outcome_without_attendance_is_refused(practitioner, young_person):
    with pytest.raises(ValidationError) as error:
        log_appointment(practitioner, young_person, outcome_code="not_achieved")
    assert messages_for(error, "outcome_code") == [
        "Record that the young person attended before choosing how far it was achieved"
    ]


@pytest.mark.parametrize(
    "minutes, message",
    [
        (0, "The duration must be at least 1 minute"),
        (721, "The duration must be 720 minutes (12 hours) or less"),
    ],
)
def test_a_duration_of_zero_or_over_twelve_hours_is_refused(
    practitioner, young_person, minutes, message
):
    with pytest.raises(ValidationError) as error:
        log_appointment(practitioner, young_person, duration_minutes=minutes)
    assert messages_for(error, "duration_minutes") == [message]


def test_twelve_hours_is_the_longest_duration(practitioner, young_person):
    assert log_appointment(practitioner, young_person, duration_minutes=720).duration_minutes == 720


@pytest.mark.parametrize("kind, minutes", [("one_to_one", 60), ("phone", 15), ("group", 90)])
def test_an_appointment_without_a_duration_gets_its_kinds_usual_one(
    practitioner, young_person, kind, minutes
):
    assert log_appointment(practitioner, young_person, kind=kind).duration_minutes == minutes


def test_a_missed_appointment_may_keep_a_note_of_what_was_done(practitioner, young_person):
    appointment = log_appointment(
        practitioner, young_person, attendance="did_not_attend", outcome="Texted to rearrange"
    )
    assert appointment.outcome == "Texted to rearrange"


def test_an_outcome_for_a_future_appointment_is_refused(practitioner, young_person):
    with pytest.raises(ValidationError) as error:
        log_appointment(
            practitioner,
            young_person,
            starts_at=timezone.now() + timedelta(hours=2),
            outcome="Went well",
        )
    assert messages_for(error, "outcome") == [
        "The outcome can only be recorded once the appointment has started"
    ]


def test_changing_attendance_away_from_attended_clears_the_engagement(practitioner, young_person):
    appointment = log_appointment(
        practitioner,
        young_person,
        attendance="attended",
        engagement=4,
        outcome_code="achieved",
        outcome="Went well",
    )
    updated = services.appointment_update(
        by=practitioner, appointment=appointment, version=1, attendance="rearranged"
    )
    assert (updated.attendance, updated.engagement, updated.outcome_code, updated.outcome) == (
        "rearranged",
        None,
        "",
        "Went well",
    )


def test_attendance_on_a_future_appointment_is_refused(practitioner, young_person):
    with pytest.raises(ValidationError) as error:
        log_appointment(
            practitioner,
            young_person,
            starts_at=timezone.now() + timedelta(hours=2),
            attendance="attended",
        )
    assert messages_for(error, "attendance")


def test_a_future_appointment_without_attendance_is_planned(practitioner, young_person):
    appointment = log_appointment(
        practitioner, young_person, starts_at=timezone.now() + timedelta(days=2)
    )
    assert appointment.attendance == ""


def test_appointment_before_birth_is_refused(practitioner, young_person):
    before_birth = timezone.make_aware(
        datetime.combine(young_person.date_of_birth - timedelta(days=1), time(10, 0))
    )
    with pytest.raises(ValidationError) as error:
        log_appointment(practitioner, young_person, starts_at=before_birth)
    assert any(
        "before the young person's date of birth" in message
        for message in messages_for(error, "starts_at")
    )


def test_appointment_without_a_purpose_is_refused(practitioner, young_person):
    with pytest.raises(ValidationError) as error:
        log_appointment(practitioner, young_person, purpose_category=None, purpose="Catch-up")
    assert messages_for(error, "purpose_category") == ["Select the purpose of the appointment"]


def test_appointment_purpose_detail_is_optional_and_shown_after_the_purpose(
    practitioner, young_person
):
    appointment = log_appointment(
        practitioner,
        young_person,
        purpose_category=factories.appointment_purpose("health"),
        purpose="",
    )
    assert appointment.purpose_in_words == "Health"
    appointment.purpose = "Dentist"
    assert appointment.purpose_in_words == "Health – Dentist"


def test_appointment_update_with_a_stale_version_raises_conflict_and_changes_nothing(
    practitioner, young_person
):
    appointment = log_appointment(practitioner, young_person, outcome="First")
    services.appointment_update(
        by=practitioner, appointment=appointment, version=1, outcome="Second"
    )
    with pytest.raises(services.ConflictError) as conflict:
        services.appointment_update(
            by=practitioner, appointment=appointment, version=1, outcome="Third"
        )
    assert conflict.value.current.outcome == "Second"
    appointment.refresh_from_db()
    assert (appointment.outcome, appointment.version) == ("Second", 2)


def test_appointment_update_with_the_current_version_increments_it(practitioner, young_person):
    appointment = log_appointment(practitioner, young_person)
    updated = services.appointment_update(
        by=practitioner,
        appointment=appointment,
        version=1,
        attendance="attended",
        engagement=2,
        outcome_code="achieved",
        outcome="Went well",
    )
    assert (updated.version, updated.engagement) == (2, 2)


# --- Reallocation -------------------------------------------------------------------------------


@pytest.fixture
def colleague(team_a):
    return factories.user_with_role(Role.PRACTITIONER, team_a, username="carys")


def test_reallocation_needs_a_reason(manager, young_person, colleague):
    with pytest.raises(ValidationError) as error:
        services.young_people_reallocate(
            by=manager, young_people=[young_person], practitioner=colleague, reason=" "
        )
    assert messages_for(error, "reason")
    young_person.refresh_from_db()
    assert young_person.practitioner != colleague


def test_reallocation_to_a_practitioner_outside_the_team_is_refused(
    manager, young_person, other_practitioner
):
    with pytest.raises(ValidationError) as error:
        services.young_people_reallocate(
            by=manager,
            young_people=[young_person],
            practitioner=other_practitioner,
            reason="Workload",
        )
    assert messages_for(error, "practitioner") == ["Choose a practitioner who works in Team A"]


def test_a_practitioner_may_not_reallocate(practitioner, young_person, colleague):
    with pytest.raises(PermissionDenied):
        services.young_people_reallocate(
            by=practitioner, young_people=[young_person], practitioner=colleague, reason="Leave"
        )
    young_person.refresh_from_db()
    assert young_person.practitioner == practitioner


def test_reallocation_writes_an_event_with_from_to_and_reason(
    manager, practitioner, young_person, colleague
):
    moved = services.young_people_reallocate(
        by=manager, young_people=[young_person], practitioner=colleague, reason="Long-term leave"
    )
    event = CaseEvent.objects.get(young_person=young_person, action="case.reallocated")
    assert moved == 1
    assert event.actor == manager
    assert event.data == {
        "previous": str(practitioner),
        "to": str(colleague),
        "reason": "Long-term leave",
    }


# --- History and archive ------------------------------------------------------------------------


def _write_each(by, young_person):
    """Each service once, returning the objects whose history it should have written."""
    appointment = log_appointment(by, young_person)
    return {
        "need": services.need_record(
            by=by,
            young_person=young_person,
            category=factories.need_category("bereavement"),
            recorded_on=young_person.referral_date,
        ),
        "offence": record_offence(by, young_person),
        "order": services.order_record(
            by=by,
            young_person=young_person,
            order_type="referral_order",
            start_date=young_person.referral_date,
        ),
        "breach": services.breach_record(
            by=by, young_person=young_person, breach_date=young_person.referral_date
        ),
        "custody": services.custody_record(
            by=by, young_person=young_person, start_date=young_person.referral_date
        ),
        "consent": record_consent(by, young_person),
        "trm": services.trm_assess(
            by=by,
            young_person=young_person,
            stage=factories.trm_stage(2),
            assessed_on=young_person.referral_date,
            rationale="Building trust with the worker",
        ),
        "appointment update": services.appointment_update(
            by=by, appointment=appointment, version=1, outcome="Went well"
        ),
        "parent consent": services.parent_consent_requirement_set(
            by=by, young_person=young_person, required=False, reason="Lives independently"
        ),
        "archive": services.record_archive(
            by=by, record=factories.NeedFactory(young_person=young_person), reason="Duplicate"
        ),
    }


WRITES = [
    "need",
    "offence",
    "order",
    "breach",
    "custody",
    "consent",
    "trm",
    "appointment update",
    "parent consent",
    "archive",
]


@pytest.mark.parametrize("write", WRITES)
def test_each_service_writes_history_naming_the_user(practitioner, young_person, write):
    record = _write_each(practitioner, young_person)[write]
    latest = record.history.order_by("-history_id").first()
    assert latest.history_user == practitioner


def test_referral_writes_history_naming_the_user(practitioner, team_a):
    young_person = refer(practitioner, team_a)
    assert young_person.history.get().history_user == practitioner


def test_reallocation_writes_history_naming_the_manager(manager, young_person, colleague):
    services.young_people_reallocate(
        by=manager, young_people=[young_person], practitioner=colleague, reason="Leave"
    )
    assert young_person.history.order_by("-history_id").first().history_user == manager


def test_archiving_needs_a_reason(practitioner, young_person):
    offence = factories.OffenceFactory(young_person=young_person)
    with pytest.raises(ValidationError) as error:
        services.record_archive(by=practitioner, record=offence, reason="")
    assert messages_for(error, "reason") == ["Give a reason for archiving"]
    offence.refresh_from_db()
    assert offence.archived_at is None


def test_archiving_records_who_why_and_when(practitioner, young_person):
    offence = factories.OffenceFactory(young_person=young_person)
    services.record_archive(by=practitioner, record=offence, reason=" Entered twice ")
    offence.refresh_from_db()
    assert offence.archived_by == practitioner
    assert offence.archived_reason == "Entered twice"
    assert offence.archived_at is not None


def test_archived_young_person_drops_out_of_the_caseload(practitioner, young_person):
    assert list(selectors.caseload_for(practitioner)) == [young_person]
    services.young_person_archive(by=practitioner, young_person=young_person, reason="Duplicate")
    assert list(selectors.caseload_for(practitioner)) == []


def test_archived_appointment_is_no_longer_the_next_appointment(practitioner, young_person):
    appointment = log_appointment(
        practitioner, young_person, starts_at=timezone.now() + timedelta(days=2)
    )
    services.record_archive(by=practitioner, record=appointment, reason="Booked in error")
    (row,) = selectors.caseload_for(practitioner)
    assert row.next_appointment_at is None


def test_services_refuse_a_user_outside_the_team(other_practitioner, young_person):
    with pytest.raises(PermissionDenied):
        record_offence(other_practitioner, young_person)
    assert not Offence.objects.exists()


def test_a_psychologist_may_not_log_an_appointment(psychologist, young_person):
    with pytest.raises(PermissionDenied):
        log_appointment(psychologist, young_person)
    assert not Appointment.objects.exists()


def test_a_psychologist_may_record_a_trm_assessment(psychologist, young_person):
    assessment = services.trm_assess(
        by=psychologist,
        young_person=young_person,
        stage=factories.trm_stage(3),
        assessed_on=timezone.localdate(),
        rationale="Struggles to name feelings",
    )
    assert assessment.recorded_by == psychologist


def test_an_archived_record_refuses_every_change(practitioner, manager, team_a, psychologist):
    from datetime import date

    from cases import services as case_services
    from eligibility import services as eligibility_services
    from formulation import services as formulation_services
    from seed import factories

    person = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
    case_services.young_person_archive(by=manager, young_person=person, reason="Duplicate")
    person.refresh_from_db()
    attempts = [
        lambda: case_services.offence_record(
            by=practitioner,
            young_person=person,
            committed_on=date(2025, 1, 1),
            description="x",
            gravity=2,
        ),
        lambda: case_services.consent_record(
            by=practitioner,
            young_person=person,
            party="young_person",
            purpose="participation",
            decision="given",
            decided_on=person.referral_date,
        ),
        lambda: eligibility_services.eligibility_check(by=practitioner, young_person=person),
        lambda: formulation_services.meeting_schedule(
            by=psychologist,
            young_person=person,
            held_on=date(2025, 1, 1),
            kind="initial",
            agencies=[],
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="archived and can no longer be changed"):
            attempt()
