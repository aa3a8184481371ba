"""`seed_scale`: bulk scale data that keeps every rule the services enforce."""

import io
import math
from collections import Counter, defaultdict
from datetime import timedelta
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Membership, Role, Team, User
from cases import rules as case_rules
from cases.models import (
    Appointment,
    Attendance,
    Breach,
    Consent,
    ConsentPurpose,
    CustodyEpisode,
    Need,
    Offence,
    Order,
    TRMAssessment,
    YoungPerson,
    age_on,
)
from cases.services import _validate_appointment, _validate_young_person
from eligibility import rules
from eligibility.models import EligibilityDecision
from eligibility.services import _criteria_json, facts_for_many, policy_in_force
from formulation import rules as formulation_rules
from formulation.models import (
    AgreedAction,
    Formulation,
    FormulationMeeting,
    InterventionItem,
    MeetingAttendance,
    MeetingStatus,
)
from seed import scale
from supervision.models import SupervisionAction, SupervisionSession

SMALL = {"teams": 3, "young_people": 60, "appointments_per_person": 5}
MODELS = [
    Team,
    User,
    Membership,
    YoungPerson,
    Need,
    Offence,
    Order,
    Breach,
    CustodyEpisode,
    Consent,
    TRMAssessment,
    Appointment,
    EligibilityDecision,
    FormulationMeeting,
    MeetingAttendance,
    Formulation,
    AgreedAction,
    InterventionItem,
    SupervisionSession,
    SupervisionAction,
    SupervisionSession.cases.through,
]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def latest(decisions, on):
    """The latest decision made on or before a day (decisions as (day, id, value))."""
    earlier = [entry for entry in decisions if entry[0] <= on]
    return max(earlier)[2] if earlier else None


@pytest.fixture
def small(db):
    return scale.generate(seed=1, **SMALL)


def test_small_run_makes_the_teams_staff_and_young_people(small):
    assert small.young_people_created == 60
    assert YoungPerson.objects.count() == 60
    assert list(Team.objects.order_by("code").values_list("code", flat=True)) == [
        "scale-team-001",
        "scale-team-002",
        "scale-team-003",
    ]
    for team in Team.objects.all():
        people = YoungPerson.objects.filter(team=team).count()
        roles = Counter(Membership.objects.filter(team=team).values_list("role", flat=True))
        assert roles[Role.PRACTITIONER] == max(1, math.ceil(people / 15))
        assert 1 <= roles[Role.MANAGER] <= 2
        assert roles[Role.PSYCHOLOGIST] == 1
    # One psychologist serves all three teams.
    assert Membership.objects.filter(role=Role.PSYCHOLOGIST).values("user").distinct().count() == 1


def test_counts_are_in_plausible_ranges(small):
    people = YoungPerson.objects.count()
    started = YoungPerson.objects.filter(ecm_start_date__isnull=False).count()
    assert 0.5 <= started / people <= 0.9
    assert YoungPerson.objects.filter(ecm_end_date__isnull=False).exists()
    assert 0.5 * 5 * people <= Appointment.objects.count() <= 1.6 * 5 * people
    assert 3 * people <= Offence.objects.count() <= 15 * people
    assert EligibilityDecision.objects.count() >= 0.9 * people
    assert FormulationMeeting.objects.filter(kind="review").exists()
    assert MeetingAttendance.objects.filter(attended=True).exists()
    assert InterventionItem.objects.count() >= 2 * started
    assert SupervisionSession.objects.exists()
    assert Consent.objects.filter(decision="refused").exists()


def test_references_are_numbered_for_the_seed(small):
    assert set(YoungPerson.objects.values_list("reference", flat=True)) == {
        f"SCALE-1-{number}" for number in range(1, 61)
    }


def test_young_people_are_10_to_17_at_referral_within_five_years(small):
    today = timezone.localdate()
    for person in YoungPerson.objects.all():
        assert 10 <= age_on(person.date_of_birth, person.referral_date) <= 17
        assert today - timedelta(days=5 * 365) <= person.referral_date <= today
        assert person.parent_consent_required == (
            case_rules.parent_consent_required_by_default(
                person.date_of_birth, person.referral_date
            )
        )


def test_young_people_pass_the_referral_rules(small):
    for person in YoungPerson.objects.all():
        errors = {}
        _validate_young_person(
            errors,
            date_of_birth=person.date_of_birth,
            referral_date=person.referral_date,
            ecm_start_date=person.ecm_start_date,
            ecm_end_date=person.ecm_end_date,
            end_reason=person.end_reason,
        )
        assert errors == {}, person.reference
        person.full_clean()
        if person.end_reason == "withdrawn":
            assert person.end_note
        assert bool(person.end_reason) == bool(person.ecm_end_date)


def test_started_young_people_had_eligibility_and_consent_before_the_start(small):
    consents = defaultdict(list)
    for row in Consent.objects.filter(purpose="participation").values_list(
        "young_person_id", "party", "decided_on", "id", "decision"
    ):
        consents[row[0], row[1]].append(row[2:])
    decisions = defaultdict(list)
    for decision in EligibilityDecision.objects.select_related("eligibility_override"):
        decisions[decision.young_person_id].append(
            (decision.decided_on, decision.pk, decision.final_eligible)
        )
    for person in YoungPerson.objects.filter(ecm_start_date__isnull=False):
        start = person.ecm_start_date
        assert start >= person.referral_date
        assert latest(decisions[person.pk], start) is True
        assert latest(consents[person.pk, "young_person"], start) == "given"
        if person.parent_consent_required:
            assert latest(consents[person.pk, "parent_carer"], start) == "given"


def test_eligibility_decisions_are_the_rules_under_the_policy_in_force(small):
    decisions = list(EligibilityDecision.objects.select_related("young_person", "policy"))
    facts = facts_for_many(
        [decision.young_person for decision in decisions],
        voluntary={d.young_person_id: d.voluntary_participation for d in decisions},
    )
    for decision in decisions:
        person = decision.young_person
        assert decision.policy == policy_in_force(person.referral_date)
        assert person.referral_date <= decision.decided_on
        result = rules.evaluate(decision.policy.parameters, facts[person.pk])
        assert decision.criteria == _criteria_json(result)
        assert decision.eligible == result.eligible


def test_needs_are_three_to_seven_categories_recorded_by_the_referral(small):
    per_person = Counter(Need.objects.values_list("young_person_id", flat=True))
    assert set(per_person) == set(YoungPerson.objects.values_list("pk", flat=True))
    assert all(3 <= count <= 7 for count in per_person.values())
    assert not Need.objects.filter(recorded_on__gt=F("young_person__referral_date")).exists()
    distinct = Need.objects.values("young_person", "category").distinct().count()
    assert distinct == Need.objects.count()


def test_offences_orders_breaches_and_custody_keep_their_rules(small):
    assert not Offence.objects.filter(Q(gravity__lt=1) | Q(gravity__gt=8)).exists()
    assert not Offence.objects.filter(proven_on__lt=F("committed_on")).exists()
    assert not Offence.objects.filter(committed_on__lt=F("young_person__date_of_birth")).exists()
    assert not Order.objects.filter(end_date__lt=F("start_date")).exists()
    assert not Breach.objects.filter(breach_date__lt=F("order__start_date")).exists()
    assert not Breach.objects.exclude(order__young_person=F("young_person")).exists()
    assert not CustodyEpisode.objects.filter(end_date__lt=F("start_date")).exists()
    today = timezone.localdate()
    assert not Breach.objects.filter(breach_date__gt=today).exists()
    # Most young people are on a statutory order covering the referral date.
    covered = (
        Order.objects.filter(
            order_type__in=[
                "referral_order",
                "youth_rehabilitation_order",
                "detention_training_order",
                "reparation_order",
            ],
            start_date__lte=F("young_person__referral_date"),
            end_date__gte=F("young_person__referral_date"),
        )
        .values("young_person")
        .distinct()
        .count()
    )
    assert covered >= 0.6 * YoungPerson.objects.count()
    for model in (Offence, Order, Breach, CustodyEpisode):
        for record in model.objects.all()[:20]:
            record.full_clean()


def test_consent_is_never_before_the_referral_and_withdrawals_say_why(small):
    assert not Consent.objects.filter(decided_on__lt=F("young_person__referral_date")).exists()
    assert not Consent.objects.filter(decided_on__gt=timezone.localdate()).exists()
    assert not Consent.objects.filter(decision="withdrawn", note="").exists()
    assert not Consent.objects.filter(
        party="parent_carer", young_person__parent_consent_required=False
    ).exists()


def test_appointments_keep_the_appointment_rules(small):
    now = timezone.now()
    assert (
        not Appointment.objects.filter(engagement__isnull=False)
        .exclude(attendance=Attendance.ATTENDED)
        .exists()
    )
    assert not Appointment.objects.filter(starts_at__gt=now).exclude(attendance="").exists()
    assert not Appointment.objects.filter(young_person__ecm_start_date__isnull=True).exists()
    for appointment in Appointment.objects.select_related("young_person"):
        person = appointment.young_person
        assert timezone.localtime(appointment.starts_at).date() >= person.ecm_start_date
        if person.ecm_end_date:
            assert timezone.localtime(appointment.starts_at).date() <= person.ecm_end_date
        assert appointment.practitioner_id == person.practitioner_id
    for appointment in Appointment.objects.select_related("young_person")[:100]:
        errors = {}
        values = {
            field: getattr(appointment, field)
            for field in (
                "starts_at",
                "kind",
                "purpose_category",
                "purpose",
                "duration_minutes",
                "attendance",
                "engagement",
                "outcome_code",
                "outcome",
            )
        }
        _validate_appointment(errors, appointment.young_person, values)
        assert errors == {}
        appointment.full_clean()


def _shared_rule_checks(today, now):
    """Every kind of record a run writes, with the shared rules (`cases.rules`,
    `formulation.rules`) each must keep: what each returns is a broken rule's message."""
    rules = case_rules

    def dated(day, record):
        """The record's day has come, and is not before the young person was born."""
        return [
            rules.not_in_future(day, "date", today=today),
            rules.not_before_birth(day, record.young_person.date_of_birth, "date"),
        ]

    return [
        (
            YoungPerson.objects.all(),
            lambda p: [
                rules.date_of_birth_invalid(p.date_of_birth, p.referral_date, today=today),
                rules.not_in_future(p.referral_date, "referral date", today=today),
                rules.not_in_future(p.ecm_start_date, "ECM start date", today=today),
                rules.not_in_future(p.ecm_end_date, "ECM end date", today=today),
                rules.ecm_start_before_referral(p.ecm_start_date, p.referral_date),
                rules.end_not_before_start(p.ecm_start_date, p.ecm_end_date),
                rules.ecm_end_without_start(p.ecm_start_date, p.ecm_end_date),
                rules.end_reason_missing(p.ecm_end_date, p.end_reason),
            ],
        ),
        (Need.objects.select_related("young_person"), lambda n: dated(n.recorded_on, n)),
        (
            Offence.objects.select_related("young_person"),
            lambda o: [
                *dated(o.committed_on, o),
                rules.gravity_invalid(o.gravity),
                rules.proven_before_committed(o.committed_on, o.proven_on),
                rules.not_in_future(o.proven_on, "proven on", today=today),
            ],
        ),
        (
            Order.objects.select_related("young_person"),
            lambda o: [
                *dated(o.start_date, o),
                rules.end_not_before_start(o.start_date, o.end_date),
            ],
        ),
        (
            Breach.objects.select_related("young_person", "order"),
            lambda b: [
                *dated(b.breach_date, b),
                rules.breach_before_order(b.breach_date, b.order.start_date),
            ],
        ),
        (
            CustodyEpisode.objects.select_related("young_person"),
            lambda c: [
                *dated(c.start_date, c),
                rules.end_not_before_start(c.start_date, c.end_date),
                rules.not_in_future(c.end_date, "custody end", today=today),
            ],
        ),
        (
            Consent.objects.select_related("young_person"),
            lambda c: [
                *dated(c.decided_on, c),
                rules.consent_before_referral(c.decided_on, c.young_person.referral_date),
                rules.withdrawal_without_note(c.decision, c.note, c.own_words),
                None
                if c.party in rules.consent_parties(c.young_person.parent_consent_required)
                else f"{c.party} asked though their consent is not required",
            ],
        ),
        (
            TRMAssessment.objects.select_related("young_person"),
            lambda a: [*dated(a.assessed_on, a), rules.trm_rationale_missing(a.rationale)],
        ),
        (
            Appointment.objects.select_related("young_person"),
            lambda a: [
                rules.appointment_purpose_missing(a.purpose),
                rules.not_before_birth(a.starts_at, a.young_person.date_of_birth, "appointment"),
                rules.attendance_before_start(a.starts_at, a.attendance, now=now),
                rules.engagement_without_attendance(a.engagement, a.attendance),
                rules.engagement_invalid(a.engagement),
            ],
        ),
        (
            FormulationMeeting.objects.filter(status=MeetingStatus.HELD),
            lambda m: [formulation_rules.meeting_not_held_yet(m.held_on, today=today)],
        ),
    ]


def test_every_record_keeps_the_shared_rules(small):
    """The builders keep most rules by construction; here every record they made is put to
    the same rule functions the services and the importer ask."""
    checks = _shared_rule_checks(timezone.localdate(), timezone.now())
    checked = Counter()
    broken = []
    for records, rules_kept in checks:
        for record in records:
            checked[records.model.__name__] += 1
            broken += [
                (records.model.__name__, record.pk, message)
                for message in rules_kept(record)
                if message
            ]
    assert broken == []
    # Every kind of record was there to check.
    assert set(checked) == {records.model.__name__ for records, _rules in checks}


def test_started_young_people_had_consent_given_on_the_start(small):
    """ECM started only when `cases.rules.consent_given` held on the start day."""
    for person in YoungPerson.objects.filter(ecm_start_date__isnull=False):
        on_start = Consent.objects.filter(
            young_person=person,
            purpose=ConsentPurpose.PARTICIPATION,
            decided_on__lte=person.ecm_start_date,
        ).order_by("-decided_on", "-id")
        decisions = {
            party: consent.decision
            for (party, _purpose), consent in case_rules.latest_decisions(on_start).items()
        }
        assert (
            case_rules.parties_without_consent(decisions, person.parent_consent_required) == []
        ), person.reference


def test_started_young_people_have_one_to_five_trm_assessments_mostly_moving_up(small):
    started = set(
        YoungPerson.objects.filter(ecm_start_date__isnull=False).values_list("pk", flat=True)
    )
    per_person = Counter(TRMAssessment.objects.values_list("young_person_id", flat=True))
    assert set(per_person) == started
    assert all(1 <= count <= 5 for count in per_person.values())
    assert not TRMAssessment.objects.filter(
        assessed_on__lt=F("young_person__ecm_start_date")
    ).exists()
    stages = defaultdict(list)
    for person, number in TRMAssessment.objects.order_by("assessed_on", "id").values_list(
        "young_person_id", "stage__number"
    ):
        stages[person].append(number)
    moves = Counter((b > a) - (b < a) for numbers in stages.values() for a, b in pairwise(numbers))
    assert moves[1] > moves[-1]


def test_formulation_meetings_follow_the_start_and_only_held_ones_have_formulations(small):
    today = timezone.localdate()
    meetings = FormulationMeeting.objects.select_related("young_person")
    assert not meetings.filter(held_on__lt=F("young_person__ecm_start_date")).exists()
    assert not meetings.filter(status=MeetingStatus.HELD, held_on__gt=today).exists()
    assert not meetings.filter(status=MeetingStatus.SCHEDULED, held_on__lte=today).exists()
    assert not Formulation.objects.exclude(meeting__status=MeetingStatus.HELD).exists()
    assert not Formulation.objects.filter(next_review_on__lte=F("meeting__held_on")).exists()
    assert (
        not MeetingAttendance.objects.exclude(meeting__status=MeetingStatus.HELD)
        .filter(attended__isnull=False)
        .exists()
    )
    assert not AgreedAction.objects.filter(due_on__lt=F("formulation__meeting__held_on")).exists()
    initial = meetings.filter(kind="initial")
    within_eight_weeks = [
        m for m in initial if (m.held_on - m.young_person.ecm_start_date).days <= 56
    ]
    assert len(within_eight_weeks) >= 0.7 * initial.count()
    assert Formulation.objects.filter(meeting__kind="review").exists()


def test_supervision_discusses_the_practitioners_own_open_cases(small):
    served = set(
        Membership.objects.filter(role=Role.PSYCHOLOGIST).values_list("user_id", "team_id")
    )
    assert not SupervisionSession.objects.filter(held_on__gt=timezone.localdate()).exists()
    for session in SupervisionSession.objects.prefetch_related("cases"):
        assert (session.psychologist_id, session.team_id) in served
        assert Membership.objects.filter(
            user_id=session.practitioner_id, team=session.team, role=Role.PRACTITIONER
        ).exists()
        cases = list(session.cases.all())
        assert 1 <= len(cases) <= 3
        for person in cases:
            assert person.practitioner_id == session.practitioner_id
            assert person.team_id == session.team_id
            assert person.ecm_start_date <= session.held_on
            assert person.ecm_end_date is None or session.held_on <= person.ecm_end_date


def test_staff_are_active_but_cannot_sign_in_with_a_password(small):
    staff = User.objects.filter(username__startswith="scale-")
    assert staff.exists()
    assert all(user.is_active and not user.has_usable_password() for user in staff)


def test_running_again_with_the_same_seed_adds_nothing(small):
    before = counts()
    again = scale.generate(seed=1, **SMALL)
    assert counts() == before
    assert (again.young_people_created, again.young_people_skipped) == (0, 60)
    assert (again.teams_created, again.staff_created) == (0, 0)


def test_more_young_people_adds_only_the_new_ones(small):
    more = scale.generate(seed=1, **{**SMALL, "young_people": 75})
    assert (more.young_people_created, more.young_people_skipped) == (15, 60)
    assert YoungPerson.objects.count() == 75


def _fingerprint():
    return sorted(
        YoungPerson.objects.values_list(
            "reference",
            "given_name",
            "date_of_birth",
            "referral_date",
            "ecm_start_date",
            "team__code",
            "practitioner__username",
        )
    ), Appointment.objects.count()


def test_the_same_seed_builds_the_same_people(db):
    with transaction.atomic():
        scale.generate(seed=5, teams=2, young_people=25, appointments_per_person=3)
        first = _fingerprint()
        transaction.set_rollback(True)
    assert not YoungPerson.objects.exists()
    scale.generate(seed=5, teams=2, young_people=25, appointments_per_person=3)
    assert _fingerprint() == first


def test_different_seeds_make_different_people(db):
    scale.generate(seed=1, teams=2, young_people=20, appointments_per_person=3)
    scale.generate(seed=2, teams=2, young_people=20, appointments_per_person=3)
    one = YoungPerson.objects.filter(reference__startswith="SCALE-1-")
    two = YoungPerson.objects.filter(reference__startswith="SCALE-2-")
    assert one.count() == two.count() == 20
    assert set(one.values_list("date_of_birth", "referral_date")) != set(
        two.values_list("date_of_birth", "referral_date")
    )


def _statements(run, *verbs):
    return [q for q in run if q["sql"].lstrip().upper().startswith(verbs)]


def test_queries_grow_with_batches_not_with_young_people(db):
    with CaptureQueriesContext(connection) as thirty:
        scale.generate(seed=1, teams=3, young_people=30, appointments_per_person=5)
    with CaptureQueriesContext(connection) as ninety:
        result = scale.generate(seed=2, teams=3, young_people=90, appointments_per_person=5)
    assert len(_statements(thirty, "SELECT")) == len(_statements(ninety, "SELECT"))
    assert len(ninety) - len(thirty) < 60  # fewer extra queries than extra young people
    assert result.rows / len(_statements(ninety, "INSERT", "COPY")) > 20  # rows go in batches


def test_command_shows_progress_and_the_rows_written(db):
    out = io.StringIO()
    call_command(
        "seed_scale",
        "--teams",
        "2",
        "--young-people",
        "20",
        "--appointments-per-person",
        "3",
        "--force",
        stdout=out,
    )
    output = out.getvalue()
    assert "100% 20/20 young people" in output
    assert "cases.Appointment" in output
    assert "Scale data ready." in output
    assert "\r" not in output  # not a terminal: plain lines
    assert YoungPerson.objects.count() == 20


def test_command_refuses_without_debug_or_demo(db, settings):
    settings.DEBUG = False
    settings.ECM_DEMO = False
    with pytest.raises(CommandError, match="refuses to run"):
        call_command("seed_scale", "--teams", "1", "--young-people", "1")
    assert not YoungPerson.objects.exists()


def test_progress_redraws_in_place_on_a_terminal():
    written = []
    progress = scale.Progress(written.append, tty=True, total=100_000)
    progress.update(48_000, 1_900_000)
    progress.finish()
    assert written[0].startswith("\r[#########...........]  48% 48,000/100,000 young people")
    assert "1.9M appointments" in written[0]
    assert written[-1] == "\n"


def test_progress_prints_a_plain_line_every_five_percent():
    written = []
    progress = scale.Progress(written.append, tty=False, total=1000)
    for done in range(0, 1001, 10):
        progress.update(done, done * 40)
    assert len(written) == 21
    assert all(line.endswith("\n") and "\r" not in line for line in written)
    assert written[-1].startswith("[####################] 100% 1,000/1,000 young people")


def test_stored_case_summaries_match_the_generated_records(small):
    from cases import summary
    from cases.models import CaseSummary
    from supervision import case_counts
    from supervision.models import SessionCases

    assert CaseSummary.objects.count() == 60
    assert CaseSummary.objects.exclude(last_contact_at=None).exists()
    assert summary.mismatches() == []
    assert case_counts.mismatches() == []
    assert SessionCases.objects.filter(cases__gt=1).exists()


def test_a_run_after_one_stopped_part_way_summarises_its_young_people(small):
    """A run stopped before its end left young people without summaries; the next one adds them."""
    from cases import summary
    from cases.models import CaseSummary

    CaseSummary.objects.filter(young_person__in=YoungPerson.objects.order_by("pk")[:25]).delete()
    assert len({m.young_person_id for m in summary.mismatches(limit=1000)}) == 25

    again = scale.generate(seed=1, **SMALL)
    assert again.young_people_created == 0
    assert CaseSummary.objects.count() == 60
    assert summary.mismatches() == []
