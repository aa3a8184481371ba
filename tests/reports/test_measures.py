"""Every evaluation measure on one hand-built cohort; expected values worked out below.

The cohort (period 2024, as of 2026-06-30, 12 follow-up months, fidelity window 56 days):

* P1, team a — referred 2024-01-10, started 2024-02-01, born 2008-03-15 (15 at start), male.
  Needs: substance_misuse, mental_health, neglect. Offences 2023-01-31 (g1, outside every
  window), 2023-03-01 (g2), 2023-12-01 (g3), 2024-01-31 (g4) before; 2024-02-01 (g5),
  2025-02-01 (g2, last day of the after window) after; 2025-02-02 (g8, outside).
  Consent (participation) given 2024-01-20, parent given 2024-01-25; evaluation given (and
  the parent's 2024-01-25).
  Decision eligible 2024-01-15. Appointments 2024-01-20 (before start: excluded),
  2024-02-05 attended e2 (day 4), 2024-03-01 DNA (day 29; a warning decided 2024-03-04),
  2024-06-01 attended e4 (day 121).
  TRM 1 (2024-02-10) then 3 (2024-06-10). Meetings: initial 2024-03-01 (day 29; police came,
  education did not), review 2024-06-01 (neither came). A plan item. Supervised twice.
  Breach 2024-05-01 (after).
* P2, team a — referred 2024-03-01, started 2024-04-15, born 2009-04-15 (15 that day),
  female. Needs: substance_misuse, domestic_abuse_experienced. Offences 2024-04-01 (g6,
  before), 2024-12-01 (g7, after). Consent given 2024-04-20 (after the start). No decision.
  Appointments 2024-04-20 attended e3 (day 5), 2024-05-01 attended unrated (day 16),
  2024-07-20 DNA (day 96; breach proceedings decided 2024-07-30). TRM 2 once. Initial meeting
  2024-07-01 (day 77; police and health came). Breach 2024-03-01 (before), custody from
  2024-09-01 (after). Withdrew 2025-01-01.
* P3, team b — referred 2024-05-01, started 2024-06-01, born 2007-06-02 (16 at start), male.
  No needs, no offences. Consent given 2024-05-10; parent not required. Decision not
  eligible 2024-05-05, overridden to eligible. TRM 4 (2024-06-05) then 2 (2024-09-01). A plan
  item. Supervised once.
* P4, team b — referred 2024-08-01, never started; consent refused; decision eligible.
* P5, team a — referred 2023-12-31 (outside the period): counts nowhere.
* P6, team a — referred 2024-10-01, started 2025-08-01 (too late for the follow-up cohort),
  born 2010-01-01 (15 at start), male; consent given 2025-07-01, parent required, not given.
"""

from datetime import date, datetime, time

import pytest
from django.utils import timezone, translation

from cases.models import NeedCategory, TRMStage
from cases.reference_data import ensure_defaults
from eligibility.models import EligibilityDecision, EligibilityOverride, EligibilityPolicy
from eligibility.reference_data import ensure_default_policies
from formulation.models import (
    DistanceDomain,
    DistanceRating,
    Formulation,
    FormulationMeeting,
    InterventionItem,
    MeetingAttendance,
)
from formulation.reference_data import ensure_distance_domains
from reports.measures import GROUP_LABELS, REGISTRY, Measure, Scope, compute_all
from reports.measures.base import CATEGORY_KINDS, KINDS
from seed import factories
from supervision.models import OversightEntry, SupervisionNote, SupervisionSession

SCOPE = {
    "date_from": date(2024, 1, 1),
    "date_to": date(2024, 12, 31),
    "as_of": date(2026, 6, 30),
    "follow_up_months": 12,
    "fidelity_window_days": 56,
}


def at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def cohort(db, team_a, team_b, psychologist, practitioner, manager):
    ensure_defaults(NeedCategory, TRMStage)
    ensure_distance_domains(DistanceDomain)  # a live server's database starts empty
    ensure_default_policies(EligibilityPolicy)
    policy = EligibilityPolicy.objects.get(name="ECM 2016 revised")
    police, education, health = (
        factories.AgencyFactory(code=code, name=code) for code in ("police", "education", "health")
    )
    team_a.code, team_b.code = "a", "b"
    team_a.save()
    team_b.save()

    def person(team, referral, start=None, born=date(2008, 1, 1), gender="male", **fields):
        return factories.YoungPersonFactory(
            team=team,
            referral_date=referral,
            ecm_start_date=start,
            date_of_birth=born,
            gender=gender,
            **fields,
        )

    def needs(who, *codes, on):
        for code in codes:
            factories.NeedFactory(
                young_person=who, category=factories.need_category(code), recorded_on=on
            )

    def offences(who, *dated):
        for day, gravity in dated:
            factories.OffenceFactory(young_person=who, committed_on=day, gravity=gravity)

    def consent(
        who, day, party="young_person", purpose="participation", decision="given", reason=None
    ):
        factories.ConsentFactory(
            young_person=who,
            party=party,
            purpose=purpose,
            decision=decision,
            decided_on=day,
            reason=reason and factories.disengagement_reason(reason),
        )

    def appointment(who, day, attendance, engagement=None, purpose="review", outcome=None):
        factories.AppointmentFactory(
            young_person=who,
            starts_at=at(day),
            attendance=attendance,
            engagement=engagement,
            purpose_category=factories.appointment_purpose(purpose),
            **({} if outcome is None else {"outcome_code": outcome}),
        )

    def trm(who, day, number):
        factories.TRMAssessmentFactory(
            young_person=who, assessed_on=day, stage=factories.trm_stage(number)
        )

    def decision(who, day, eligible):
        return EligibilityDecision.objects.create(
            young_person=who, policy=policy, decided_on=day, eligible=eligible, criteria=[]
        )

    def meeting(who, day, kind, attendance):
        held = FormulationMeeting.objects.create(
            young_person=who, held_on=day, kind=kind, status="held", chair=psychologist
        )
        for agency, came in attendance.items():
            MeetingAttendance.objects.create(meeting=held, agency=agency, attended=came)
        return held

    def rated(held, **ratings):
        """Distance-travelled ratings at a meeting: domain code=(own, practitioner's)."""
        formulation = Formulation.objects.create(
            meeting=held,
            trm_stage=factories.trm_stage(1),
            trm_reasoning="Safety first",
            recorded_by=psychologist,
        )
        for code, (own, theirs) in ratings.items():
            DistanceRating.objects.create(
                formulation=formulation,
                domain=DistanceDomain.objects.get(code=code),
                self_rating=own,
                practitioner_rating=theirs,
            )

    def supervised(*people, team, noted=()):
        session = SupervisionSession.objects.create(
            held_on=date(2024, 7, 1),
            team=team,
            psychologist=psychologist,
            practitioner=practitioner,
        )
        session.cases.set(people)
        for who in noted:
            SupervisionNote.objects.create(session=session, young_person=who, text="Note")

    def overseen(who, day):
        OversightEntry.objects.create(
            young_person=who, manager=manager, reviewed_on=day, reviewed="Plan", decision="Go on"
        )

    p1 = person(
        team_a, date(2024, 1, 10), date(2024, 2, 1), date(2008, 3, 15), parent_consent_required=True
    )
    needs(p1, "substance_misuse", "mental_health", on=date(2024, 1, 5))
    needs(p1, "neglect", on=date(2024, 1, 6))
    offences(
        p1,
        (date(2023, 1, 31), 1),
        (date(2023, 3, 1), 2),
        (date(2023, 12, 1), 3),
        (date(2024, 1, 31), 4),
        (date(2024, 2, 1), 5),
        (date(2025, 2, 1), 2),
        (date(2025, 2, 2), 8),
    )
    consent(p1, date(2024, 1, 20))
    consent(p1, date(2024, 1, 25), party="parent_carer")
    consent(p1, date(2024, 1, 20), purpose="evaluation")
    consent(p1, date(2024, 1, 25), party="parent_carer", purpose="evaluation")
    decision(p1, date(2024, 1, 15), True)
    appointment(p1, date(2024, 1, 20), "attended", 5, "relationship", "achieved")
    appointment(p1, date(2024, 2, 5), "attended", 2, "trm_stage_work", "partly_achieved")
    appointment(p1, date(2024, 3, 1), "did_not_attend", None, "relationship")
    appointment(p1, date(2024, 6, 1), "attended", 4, "ete", "not_achieved")
    trm(p1, date(2024, 2, 10), 1)
    trm(p1, date(2024, 6, 10), 3)
    rated(
        meeting(p1, date(2024, 3, 1), "initial", {police: True, education: False}),
        self_confidence=(2, 1),
        anger_management=(3, 3),
    )
    rated(
        meeting(p1, date(2024, 6, 1), "review", {police: False, education: False}),
        self_confidence=(4, 2),
        anger_management=(2, 3),
    )
    InterventionItem.objects.create(
        young_person=p1, title="Routine", trm_stage=factories.trm_stage(1)
    )
    factories.BreachFactory(young_person=p1, breach_date=date(2024, 5, 1))

    p2 = person(
        team_a,
        date(2024, 3, 1),
        date(2024, 4, 15),
        date(2009, 4, 15),
        "female",
        end_reason="withdrawn",
        ecm_end_date=date(2025, 1, 1),
        withdrawal_reason=factories.disengagement_reason("too_many_appointments"),
    )
    needs(p2, "substance_misuse", "domestic_abuse_experienced", on=date(2024, 2, 1))
    offences(p2, (date(2024, 4, 1), 6), (date(2024, 12, 1), 7))
    consent(p2, date(2024, 4, 20))
    consent(p2, date(2024, 4, 20), purpose="evaluation", decision="refused")
    appointment(p2, date(2024, 4, 20), "attended", 3, "health", "not_applicable")
    appointment(p2, date(2024, 5, 1), "attended", None, "review", "achieved")
    appointment(p2, date(2024, 7, 20), "did_not_attend", None, "review", "not_applicable")
    trm(p2, date(2024, 5, 1), 2)
    rated(  # rated once only: no change to measure yet
        meeting(p2, date(2024, 7, 1), "initial", {police: True, health: True}),
        self_confidence=(1, 1),
    )
    factories.BreachFactory(young_person=p2, breach_date=date(2024, 3, 1))
    factories.CustodyEpisodeFactory(young_person=p2, start_date=date(2024, 9, 1))

    p3 = person(
        team_b, date(2024, 5, 1), date(2024, 6, 1), date(2007, 6, 2), parent_consent_required=False
    )
    consent(p3, date(2024, 5, 10))
    overridden = decision(p3, date(2024, 5, 5), False)
    EligibilityOverride.objects.create(
        decision=overridden, eligible=True, reason="panel", made_by=manager
    )
    trm(p3, date(2024, 6, 5), 4)
    trm(p3, date(2024, 9, 1), 2)
    InterventionItem.objects.create(
        young_person=p3, title="Trust", trm_stage=factories.trm_stage(2)
    )

    p4 = person(team_b, date(2024, 8, 1))
    consent(p4, date(2024, 8, 5), decision="refused", reason="family_opposed")
    decision(p4, date(2024, 8, 3), True)

    p5 = person(team_a, date(2023, 12, 31), date(2024, 1, 15))
    offences(p5, (date(2024, 2, 1), 8))
    appointment(p5, date(2024, 2, 1), "attended", 5)
    trm(p5, date(2024, 2, 1), 7)
    consent(p5, date(2024, 1, 1))

    p6 = person(
        team_a, date(2024, 10, 1), date(2025, 8, 1), date(2010, 1, 1), parent_consent_required=True
    )
    consent(p6, date(2025, 7, 1))

    for who, decided_on, decision in (
        (p1, date(2024, 3, 4), "warning"),
        (p2, date(2024, 7, 30), "breach_proceedings"),
    ):
        factories.ComplianceDecisionFactory(
            young_person=who,
            appointment=who.appointment_set.get(attendance="did_not_attend"),
            decided_on=decided_on,
            decision=decision,
        )

    supervised(p1, team=team_a)
    supervised(p1, p5, team=team_a, noted=(p1, p5))  # P5 was referred before the scope
    supervised(p3, team=team_b)
    # As of 30 June 2026 the 3 months start on 30 March: P1 and P6 (on the as-of date
    # itself) count; P3's oversight is older, and P2's is after the as-of date.
    overseen(p1, date(2026, 5, 1))
    overseen(p1, date(2026, 4, 1))
    overseen(p6, date(2026, 6, 30))
    overseen(p3, date(2026, 3, 29))
    overseen(p2, date(2026, 7, 1))
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5, "p6": p6}


EXPECTED = {
    # id: (overall, team a, team b)
    "referrals": (5, 3, 2),
    "eligible": (3, 1, 2),
    "consented": (4, 3, 1),
    "started": (4, 3, 1),
    "withdrawn": (1, 1, 0),
    "consent_refusal_reasons": ({"family_opposed": 1}, {}, {"family_opposed": 1}),
    "withdrawal_reasons": (
        {"too_many_appointments": 1},
        {"too_many_appointments": 1},
        {},
    ),
    "distance_rated_twice": (1, 1, 0),  # P1; P2 was rated at one meeting only
    "distance_change_self": (
        {"anger_management": -1.0, "self_confidence": 2.0},
        {"anger_management": -1.0, "self_confidence": 2.0},
        {},
    ),
    "distance_change_practitioner": (
        {"anger_management": 0.0, "self_confidence": 1.0},
        {"anger_management": 0.0, "self_confidence": 1.0},
        {},
    ),
    "median_days_referral_to_start": (38, 45, 31),  # [22, 45, 304] and [31]
    "cohort_size": (4, 3, 1),
    "mean_age_at_start": (15.3, 15.0, 16.0),  # (15 + 15 + 15 + 16) / 4 = 15.25
    "gender": ({"female": 1, "male": 3}, {"female": 1, "male": 2}, {"male": 1}),
    "need_counts": (
        {"domestic_abuse_experienced": 1, "mental_health": 1, "neglect": 1, "substance_misuse": 2},
        {"domestic_abuse_experienced": 1, "mental_health": 1, "neglect": 1, "substance_misuse": 2},
        {},
    ),
    "mean_needs_per_person": (1.25, 1.67, 0.0),  # 5 pairs over 4 people; 5/3; 0/1
    "top_needs": (
        ["substance_misuse", "domestic_abuse_experienced", "mental_health"],
        ["substance_misuse", "domestic_abuse_experienced", "mental_health"],
        [],
    ),
    "mean_offences_12m_before_start": (1.0, 1.33, 0.0),  # P1 3, P2 1: 4/4; 4/3; 0/1
    "appointments": (6, 6, 0),
    # The 6: P1 trm_stage_work, relationship (DNA), ete; P2 health, review, review (DNA).
    "appointments_by_purpose": (
        {"ete": 1, "health": 1, "relationship": 1, "review": 2, "trm_stage_work": 1},
        {"ete": 1, "health": 1, "relationship": 1, "review": 2, "trm_stage_work": 1},
        {},
    ),
    # Attended with an achievement coded: P1 partly, not achieved; P2 achieved (P2's not
    # applicable left out): 2 of 3.
    "share_attended_achieved": (0.667, 0.667, None),
    "noncompliance_episodes_per_case": (0.5, 0.67, 0.0),  # P1 and P2 one DNA each; 2/4, 2/3
    "noncompliance_resolved_without_breach": (0.5, 0.5, None),  # P1 warning, P2 breach
    "median_days_missed_to_decision": (6.5, 6.5, None),  # [3, 10] days
    "attendance_rate": (0.667, 0.667, None),  # 4 attended, 2 DNA
    "attendance_rate_days_0_90": (0.75, 0.75, None),  # 3 attended, 1 DNA
    "attendance_rate_days_91_180": (0.5, 0.5, None),  # P1 day 121 attended, P2 day 96 DNA
    "mean_engagement_first": (2.5, 2.5, None),  # P1 2, P2 3
    "mean_engagement_last": (3.5, 3.5, None),  # P1 4, P2 3
    "formulation_meetings": (3, 3, 0),
    "median_days_start_to_first_formulation": (53, 53, None),  # 29 and 77
    "attendance_rate_by_agency": (
        {"education": 0.0, "health": 1.0, "police": 0.667},
        {"education": 0.0, "health": 1.0, "police": 0.667},
        {},
    ),
    "mean_agencies_attending_by_meeting_number": (
        {"1": 1.5, "2": 0.0},
        {"1": 1.5, "2": 0.0},
        {},
    ),
    "supervision_sessions": (3, 2, 1),
    "cases_discussed_in_supervision": (2, 1, 1),
    "cases_with_supervision_on_record": (1, 1, 0),  # P1's note
    "cases_with_recent_oversight": (2, 2, 0),  # P1, P6
    "trm_first_stage": ({"1": 1, "2": 1, "4": 1}, {"1": 1, "2": 1}, {"4": 1}),
    "trm_latest_stage": ({"2": 2, "3": 1}, {"2": 1, "3": 1}, {"2": 1}),
    "trm_moved_up": (1, 1, 0),
    "trm_same": (0, 0, 0),
    "trm_moved_down": (1, 0, 1),
    "followup_cohort": (3, 2, 1),
    "offences_before": (4, 4, 0),
    "offences_after": (3, 3, 0),
    "reoffending_rate": (0.667, 1.0, 0.0),
    "mean_gravity_before": (3.75, 3.75, None),  # (2 + 3 + 4 + 6) / 4
    "mean_gravity_after": (4.67, 4.67, None),  # (5 + 2 + 7) / 3
    "seriousness_increased": (2, 2, 0),
    "breaches_before": (1, 1, 0),
    "breaches_after": (1, 1, 0),
    "custody_after": (1, 1, 0),
    "fidelity_consent": (2, 1, 1),  # P1, P3
    "fidelity_eligibility": (2, 1, 1),  # P1, P3 (override)
    "fidelity_formulation_in_window": (1, 1, 0),
    "fidelity_trm_assessed": (3, 2, 1),
    "fidelity_plan": (2, 1, 1),
    "fidelity_supervised": (2, 1, 1),
    "fidelity_all": (1, 1, 0),  # P1 only
    # Nobody in this cohort has a training record, an allocated practitioner or a unit cost
    # (tests/reports/test_workforce_measures.py has a cohort that does).
    "fidelity_practitioner_trained": (0, 0, 0),
    "fidelity_practitioner_trained_rate": (0.0, 0.0, 0.0),
    "practitioners_with_ecm_cases": (0, 0, 0),
    "practitioners_trained_before_first_case": (0, 0, 0),
    "practitioners_trained_rate": (None, None, None),
    "managers_with_ecm_cases": (1, 1, 0),  # the manager of team a
    "managers_trained_before_first_case": (0, 0, 0),
    "managers_trained_rate": (0.0, 0.0, None),
    "dedicated_role_holders": ({}, {}, {}),
    "unit_costs_in_force": ({}, {}, {}),
    "practitioner_contact_hours_per_case": (1.0, 1.33, 0.0),  # P1 and P2 2 hours each
    "psychology_hours_per_case": (0.0, 0.0, 0.0),  # no meeting or session has a duration
    "psychology_hours_by_month": ({}, {}, {}),
    "completed_cases": (0, 0, 0),
    "cost_per_case": (None, None, None),
    "cost_per_completed_case": (None, None, None),
    # No partner agency recorded anything, and no plan item names an agency
    # (tests/reports/test_partner_measures.py has a cohort where they do). P2 ended.
    "partner_contacts": (0, 0, 0),
    "partner_contacts_by_agency": ({}, {}, {}),
    "partner_contacts_per_case": (0.0, 0.0, 0.0),
    "median_partner_contacts_per_case": (0, 0, 0),
    "share_with_partner_contact": (0.0, 0.0, 0.0),
    "partner_plan_items": (0, 0, 0),
    "partner_plan_items_done": (0, 0, 0),
    "partner_plan_items_done_rate": (None, None, None),
    "ended_cases": (1, 1, 0),
    "mean_agencies_active_after_end": (0.0, 0.0, None),
    "share_with_agency_active_after_end": (0.0, 0.0, None),
}


def test_every_registered_measure_has_an_expected_value():
    assert set(REGISTRY) == set(EXPECTED)


@pytest.mark.parametrize("measure_id", sorted(EXPECTED))
def test_measure_value(cohort, measure_id):
    result = compute_all(Scope(**SCOPE))[measure_id]
    overall, team_a, team_b = EXPECTED[measure_id]
    assert (result.overall, result.by_team["a"], result.by_team["b"]) == (overall, team_a, team_b)


def test_a_team_filter_gives_that_teams_values_overall(cohort, team_b):
    result = compute_all(Scope(**SCOPE, team_ids=(team_b.pk,)))["referrals"]
    assert (result.overall, result.by_team) == (2, {"b": 2})


def test_rates_and_means_are_null_not_zero_when_nothing_to_divide(db, team_a):
    results = compute_all(Scope(**SCOPE))
    for measure_id in (
        "attendance_rate",
        "mean_age_at_start",
        "reoffending_rate",
        "median_days_referral_to_start",
        "mean_engagement_first",
    ):
        assert results[measure_id].overall is None


def test_query_count_does_not_grow_with_the_cohort(cohort, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        compute_all(Scope(**SCOPE))
    for index in range(20):
        factories.YoungPersonFactory(
            team=cohort["p1"].team,
            referral_date=date(2024, 6, 1),
            ecm_start_date=date(2024, 7, 1),
            date_of_birth=date(2008, 1, 1),
            reference=f"MORE{index}",
        )
    with CaptureQueriesContext(connection) as large:
        compute_all(Scope(**SCOPE))
    assert len(large.captured_queries) == len(small.captured_queries)


# --- The case-level dataset ---------------------------------------------------------------------


def test_dataset_has_only_those_whose_evaluation_consent_is_given(cohort):
    from reports.dataset import dataset_rows, pseudonym

    _dictionary, rows = dataset_rows(Scope(**SCOPE))
    # P1 gave evaluation consent; P2 refused it; P3 and P6 never gave it.
    assert [row["pseudonym"] for row in rows] == [pseudonym(cohort["p1"].pk)]


def test_dataset_row_holds_the_counts_behind_the_measures(cohort):
    from reports.dataset import dataset_rows

    dictionary, [row] = dataset_rows(Scope(**SCOPE))
    assert [name for name, _text in dictionary] == list(row)
    assert (row["team_code"], row["gender"], row["age_band"]) == ("a", "male", "14-15")
    assert (row["need_substance_misuse"], row["need_neglect"], row["need_looked_after"]) == (
        1,
        1,
        0,
    )
    assert (row["offences_12m_before_start"], row["offences_before"], row["offences_after"]) == (
        3,
        3,
        2,
    )
    assert (row["breaches_before"], row["breaches_after"], row["custody_after"]) == (0, 1, 0)
    assert (row["appointments"], row["attended"], row["did_not_attend"]) == (3, 2, 1)
    assert (row["formulation_meetings"], row["supervision_sessions"]) == (2, 2)
    assert (row["supervision_notes"], row["oversight_entries"]) == (1, 2)
    assert row["oversight_in_last_3_months"] == 1
    assert (row["trm_first_stage"], row["trm_latest_stage"]) == (1, 3)
    assert row["fidelity_all"] == 1
    assert row["end_reason"] == ""


def test_dataset_never_contains_names_dates_of_birth_or_references(cohort):
    from reports.dataset import dataset_rows

    _dictionary, rows = dataset_rows(Scope(**SCOPE))
    text = repr(rows)
    person = cohort["p1"]
    for secret in (
        person.given_name,
        person.family_name,
        person.reference,
        person.date_of_birth.isoformat(),
    ):
        assert secret not in text


def test_pseudonyms_are_stable_for_a_key_and_change_with_it(settings):
    from reports.dataset import pseudonym

    first = pseudonym(42)
    assert pseudonym(42) == first
    settings.ECM_STUDY_KEY = "another-study-key"
    assert pseudonym(42) != first


# --- How each measure is published -------------------------------------------------------------


def undeclared(measure: Measure) -> list[str]:
    """What a measure fails to say about how it is published (empty when complete).

    A value that is not a count names the count of young people it describes (its
    suppression base); a breakdown says what its categories hold and how their keys read;
    a declared relation joins measures of the kinds it adds up.
    """
    counts = {other.id for other in REGISTRY.values() if other.kind == "count"}
    count_breakdowns = {other.id for other in REGISTRY.values() if other.category_kind == "count"}
    missing = []
    if measure.kind not in KINDS:
        missing.append("kind")
    if measure.group not in GROUP_LABELS:
        missing.append("group")
    describes_young_people = measure.kind in ("rate", "mean", "median", "list") or (
        measure.category_kind in ("rate", "mean")
    )
    if (measure.base in counts) != describes_young_people:
        missing.append("base")
    is_breakdown = measure.kind == "distribution"
    if (measure.category_kind in CATEGORY_KINDS) != is_breakdown:
        missing.append("category_kind")
    if callable(measure.category_label) != is_breakdown:
        missing.append("category_label")
    if measure.adds_up_to and not (
        measure.category_kind == "count" and measure.adds_up_to in counts
    ):
        missing.append("adds_up_to")
    if measure.same_as and not (measure.kind == "count" and measure.same_as in counts):
        missing.append("same_as")
    if measure.mean_of and not (measure.kind == "mean" and measure.mean_of in count_breakdowns):
        missing.append("mean_of")
    return missing


@pytest.mark.parametrize("measure_id", sorted(REGISTRY))
def test_every_measure_declares_how_it_is_published(measure_id):
    assert undeclared(REGISTRY[measure_id]) == []


def test_a_rate_without_a_base_or_a_breakdown_without_key_labels_is_caught():
    def example(**declared):
        return Measure("example", "profile", "Example", "An example.", value=None, **declared)

    assert undeclared(example(kind="rate")) == ["base"]
    assert undeclared(example(kind="rate", base="cohort_size")) == []
    assert undeclared(example(kind="distribution", category_kind="count")) == ["category_label"]
    assert undeclared(example(kind="count", base="cohort_size")) == ["base"]


def test_rates_and_breakdowns_of_rates_read_as_percentages():
    percent = sorted(measure.id for measure in REGISTRY.values() if measure.percent)
    assert percent == [
        "attendance_rate",
        "attendance_rate_by_agency",
        "attendance_rate_days_0_90",
        "attendance_rate_days_91_180",
        "fidelity_practitioner_trained_rate",
        "managers_trained_rate",
        "noncompliance_resolved_without_breach",
        "partner_plan_items_done_rate",
        "practitioners_trained_rate",
        "reoffending_rate",
        "share_attended_achieved",
        "share_with_agency_active_after_end",
        "share_with_partner_contact",
    ]


def test_category_keys_read_as_the_reader_knows_them():
    with translation.override("en"):
        assert REGISTRY["gender"].category_label("female") == "Female"
        assert REGISTRY["trm_latest_stage"].category_label("3") == "Stage 3"
    assert REGISTRY["need_counts"].category_label("mental_health") == "mental_health"


def test_mean_needs_per_person_is_the_need_counts_total_over_the_cohort():
    mean_needs = REGISTRY["mean_needs_per_person"]
    assert (mean_needs.kind, mean_needs.base, mean_needs.mean_of) == (
        "mean",
        "cohort_size",
        "need_counts",
    )
