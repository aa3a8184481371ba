"""The case record's rules (`cases.rules`), at their boundaries, and the consent rule's query
form agreeing with its pure form."""

from datetime import date, datetime, timedelta
from itertools import product
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from cases import rules, services
from cases.models import ConsentDecision, ConsentParty, ConsentPurpose, YoungPerson
from seed import factories

YOUNG_PERSON, PARENT = ConsentParty.YOUNG_PERSON, ConsentParty.PARENT_CARER
GIVEN, REFUSED, WITHDRAWN = (
    ConsentDecision.GIVEN,
    ConsentDecision.REFUSED,
    ConsentDecision.WITHDRAWN,
)
TODAY = date(2024, 6, 10)


def test_parent_consent_is_required_by_default_until_the_sixteenth_birthday():
    born = date(2008, 6, 10)
    assert rules.parent_consent_required_by_default(born, date(2024, 6, 9))
    assert not rules.parent_consent_required_by_default(born, date(2024, 6, 10))


def test_the_young_person_always_consents_and_the_parent_only_where_required():
    assert rules.consent_parties(False) == [YOUNG_PERSON]
    assert rules.consent_parties(True) == [YOUNG_PERSON, PARENT]


@pytest.mark.parametrize("decision", [REFUSED, WITHDRAWN, None])
def test_consent_is_missing_unless_every_required_party_has_given_it(decision):
    assert rules.parties_without_consent({YOUNG_PERSON: decision}, False) == [YOUNG_PERSON]
    assert rules.parties_without_consent({YOUNG_PERSON: GIVEN, PARENT: decision}, True) == [PARENT]
    assert not rules.consent_given({YOUNG_PERSON: GIVEN, PARENT: decision}, True)


def test_a_parents_decision_does_not_count_where_their_consent_is_not_required():
    assert rules.consent_given({YOUNG_PERSON: GIVEN, PARENT: REFUSED}, False)
    assert rules.consent_given({YOUNG_PERSON: GIVEN, PARENT: GIVEN}, True)


def test_the_latest_decision_for_each_party_and_purpose_counts():
    def decision(party, purpose, value):
        return SimpleNamespace(party=party, purpose=purpose, decision=value)

    newest_first = [
        decision(YOUNG_PERSON, "participation", WITHDRAWN),
        decision(YOUNG_PERSON, "evaluation", GIVEN),
        decision(YOUNG_PERSON, "participation", GIVEN),
    ]
    latest = rules.latest_decisions(newest_first)
    assert latest[(YOUNG_PERSON, "participation")].decision == WITHDRAWN
    assert latest[(YOUNG_PERSON, "evaluation")].decision == GIVEN
    assert (PARENT, "participation") not in latest


@pytest.mark.django_db
def test_the_consent_filter_agrees_with_the_pure_rule(practitioner, team_a):
    """Every combination of decisions (none, given, refused) and parent requirement."""
    choices = (None, GIVEN, REFUSED)
    expected = {}
    for number, (required, own, parents) in enumerate(
        product((False, True), choices, choices), start=1
    ):
        person = services.young_person_refer(
            by=practitioner,
            team=team_a,
            reference=f"R{number:03d}",
            given_name="Sam",
            family_name="Jones",
            date_of_birth=date(2008, 1, 1),
            gender="male",
            referral_date=date(2023, 1, 1),
            parent_consent_required=required,
        )
        for party, value in ((YOUNG_PERSON, own), (PARENT, parents)):
            if value is not None:
                services.consent_record(
                    by=practitioner,
                    young_person=person,
                    party=party,
                    purpose=ConsentPurpose.PARTICIPATION,
                    decision=value,
                    decided_on=date(2023, 2, 1),
                    reason=None if value == GIVEN else factories.disengagement_reason(),
                )
        expected[person.pk] = rules.consent_given({YOUNG_PERSON: own, PARENT: parents}, required)
    annotated = YoungPerson.objects.annotate(
        own=rules.latest_consent(YOUNG_PERSON, ConsentPurpose.PARTICIPATION),
        parents=rules.latest_consent(PARENT, ConsentPurpose.PARTICIPATION),
    )
    given = set(annotated.filter(rules.consent_given_filter("own", "parents")).values_list("pk"))
    missing = set(
        annotated.filter(rules.consent_missing_filter("own", "parents")).values_list("pk")
    )
    assert {pk for (pk,) in given} == {pk for pk, ok in expected.items() if ok}
    assert {pk for (pk,) in missing} == {pk for pk, ok in expected.items() if not ok}


def test_a_date_may_be_today_but_not_tomorrow():
    assert rules.not_in_future(TODAY, "Date identified", today=TODAY) is None
    assert (
        rules.not_in_future(TODAY + timedelta(days=1), "Date identified", today=TODAY)
        == "Date identified must be today or in the past"
    )


def test_a_moment_before_birth_is_judged_by_its_day_in_the_service_time_zone():
    born = date(2008, 6, 10)
    # 23:30 UTC on the 9th is 00:30 on the 10th in London (summer time): the birthday.
    moment = datetime(2008, 6, 9, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert rules.not_before_birth(moment, born, "Appointment date") is None
    assert (
        rules.not_before_birth(date(2008, 6, 9), born, "Appointment date")
        == "Appointment date cannot be before the young person's date of birth (10/06/2008)"
    )


def test_a_date_of_birth_must_be_past_and_old_enough_for_the_referral():
    assert rules.date_of_birth_invalid(TODAY, None, today=TODAY) == (
        "Date of birth must be in the past"
    )
    assert rules.date_of_birth_invalid(date(2014, 6, 11), TODAY, today=TODAY).startswith(
        "The young person must be at least 10 on the referral date"
    )
    assert rules.date_of_birth_invalid(date(2014, 6, 10), TODAY, today=TODAY) is None


def test_attendance_waits_for_the_appointment_to_start():
    now = datetime(2024, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/London"))
    later = now + timedelta(minutes=1)
    assert rules.attendance_before_start(later, "", now=now) is None
    assert rules.attendance_before_start(now, "attended", now=now) is None
    assert rules.attendance_before_start(later, "attended", now=now) == (
        "Attendance can only be recorded once the appointment has started"
    )


def test_an_outcome_waits_for_the_appointment_to_start():
    now = datetime(2024, 6, 10, 12, 0, tzinfo=ZoneInfo("Europe/London"))
    later = now + timedelta(minutes=1)
    assert rules.appointment_started(now, now=now)
    assert not rules.appointment_started(later, now=now)
    assert rules.outcome_before_start(later, "  ", now=now) is None
    assert rules.outcome_before_start(now, "Went well", now=now) is None
    assert rules.outcome_before_start(later, "Went well", now=now) == (
        "The outcome can only be recorded once the appointment has started"
    )


def test_an_attended_appointment_needs_a_coded_outcome_and_a_missed_one_may_have_none():
    message = "Select the outcome: achieved, partly achieved, not achieved or not applicable"
    assert rules.outcome_missing("attended", "") == message
    assert rules.outcome_missing("attended", "partly_achieved") is None
    assert rules.outcome_missing("did_not_attend", "") is None
    assert rules.outcome_missing("", "") is None


def test_only_an_attended_appointment_achieves_its_purpose():
    assert rules.outcome_without_attendance("attended", "achieved") is None
    assert rules.outcome_without_attendance("did_not_attend", "not_applicable") is None
    assert rules.outcome_without_attendance("did_not_attend", "") is None
    assert rules.outcome_without_attendance("did_not_attend", "not_achieved") is not None
    assert rules.outcome_without_attendance("", "achieved") is not None


def test_a_duration_is_between_one_minute_and_twelve_hours():
    assert rules.duration_invalid(None) is None
    assert rules.duration_invalid(1) is None
    assert rules.duration_invalid(720) is None
    assert rules.duration_invalid(0) == "The duration must be at least 1 minute"
    assert rules.duration_invalid(721) == "The duration must be 720 minutes (12 hours) or less"


def test_a_withdrawal_needs_what_was_said():
    assert rules.withdrawal_without_note(WITHDRAWN, "  ") is not None
    assert rules.withdrawal_without_note(WITHDRAWN, "Does not want to continue") is None
    assert rules.withdrawal_without_note(REFUSED, "") is None
    # The young person's own words are what was said: no second note needed.
    assert rules.withdrawal_without_note(WITHDRAWN, "", "I don't need it any more") is None
    assert rules.withdrawal_without_note(WITHDRAWN, " ", "  ") is not None


def test_a_refusal_or_withdrawal_needs_a_reason_and_only_they_take_one():
    assert rules.consent_reason_missing(REFUSED, False) is not None
    assert rules.consent_reason_missing(WITHDRAWN, False) is not None
    assert rules.consent_reason_missing(REFUSED, True) is None
    assert rules.consent_reason_missing(GIVEN, False) is None
    assert rules.consent_reason_not_wanted(GIVEN, True, "") is not None
    assert rules.consent_reason_not_wanted(GIVEN, False, "Their words") is not None
    assert rules.consent_reason_not_wanted(GIVEN, False, "  ") is None
    assert rules.consent_reason_not_wanted(WITHDRAWN, True, "Their words") is None


def test_only_a_withdrawal_from_ecm_takes_a_reason_for_withdrawing():
    assert rules.withdrawal_reason_missing("withdrawn", False) is not None
    assert rules.withdrawal_reason_missing("withdrawn", True) is None
    assert rules.withdrawal_reason_missing("completed", False) is None
    assert rules.withdrawal_reason_not_wanted("completed", True) is not None
    assert rules.withdrawal_reason_not_wanted("withdrawn", True) is None


def test_gravity_is_on_the_yjb_scale_of_1_to_8():
    assert (rules.GRAVITY_MIN, rules.GRAVITY_MAX) == (1, 8)
    for gravity in (None, 0, 9, 2.5):
        assert rules.gravity_invalid(gravity) == "Gravity score must be a whole number from 1 to 8"
    assert [g for g in range(-1, 11) if rules.gravity_invalid(g) is None] == list(range(1, 9))


def test_engagement_is_rated_1_to_5_and_may_be_left_out():
    assert (rules.ENGAGEMENT_MIN, rules.ENGAGEMENT_MAX) == (1, 5)
    assert rules.engagement_invalid(None) is None
    for engagement in (0, 6):
        assert rules.engagement_invalid(engagement) == (
            "Engagement must be a whole number from 1 to 5"
        )
    assert [e for e in range(-1, 8) if rules.engagement_invalid(e) is None] == list(range(1, 6))


def test_every_offence_the_generators_draw_is_on_the_gravity_scale():
    from seed.demo.vocabulary import OFFENCES as DEMO_OFFENCES
    from seed.scale.vocabulary import OFFENCES as SCALE_OFFENCES

    gravities = {offence[1] for offence in DEMO_OFFENCES + SCALE_OFFENCES}
    assert gravities <= set(rules.GRAVITY_SCALE)
