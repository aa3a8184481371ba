"""Fictional young people with realistic ECM histories, for the demonstration.

Everything is written through the same services practitioners use, so the demo data obeys
every rule the service enforces (and has history and events like real records). Random
choices come from a fixed seed: every run of `seed_demo` builds the same people.
"""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts import policy as access
from accounts.models import Role, Team, User
from cases import compliance, rules, services, summary
from cases.models import (
    AppointmentPurpose,
    Attendance,
    ConsentDecision,
    ConsentParty,
    ConsentPurpose,
    DisengagementReason,
    EndReason,
    NeedCategory,
    TRMStage,
    YoungPerson,
)
from eligibility.services import eligibility_check, eligibility_override
from seed.demo.vocabulary import (
    FAMILY_NAMES,
    GIVEN_NAMES,
    NEED_WEIGHTS,
    OFFENCES,
    OUTCOMES,
    PURPOSES,
)

#: How many demo young people each team gets, and who their practitioners are.
TEAM_CASES = {"flintshire": 11, "blaenau-gwent-caerphilly": 7, "carmarthenshire": 7}
DEMO_REFERENCE_PREFIX = "DEMO-"


def seed_young_people(seed: int = 2026) -> int:
    """Create the demo young people that do not exist yet; returns how many were created."""
    rng = random.Random(seed)  # noqa: S311 - reproducible fiction, not security
    categories = {category.code: category for category in NeedCategory.objects.all()}
    stages = {stage.number: stage for stage in TRMStage.objects.all()}
    created = 0
    number = 0
    for team_code, count in TEAM_CASES.items():
        team = Team.objects.get(code=team_code)
        practitioners = list(
            User.objects.filter(
                memberships__team=team, memberships__role=Role.PRACTITIONER
            ).order_by("username")
        )
        manager = (
            User.objects.filter(memberships__team=team, memberships__role=Role.MANAGER).first()
            or practitioners[0]
        )
        for index in range(count):
            number += 1
            reference = f"{DEMO_REFERENCE_PREFIX}{number:03d}"
            # Draw the same random numbers whether or not the person exists, so re-runs match.
            person_rng = random.Random(rng.random())  # noqa: S311
            if YoungPerson.objects.filter(reference=reference).exists():
                continue
            practitioner = practitioners[index % len(practitioners)]
            _build_history(
                person_rng, number, reference, team, practitioner, manager, categories, stages
            )
            created += 1
    return created


def _aware(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour, 30 if hour % 2 else 0)))


def _build_history(rng, number, reference, team, practitioner, manager, categories, stages):
    """One young person's story, step by step; each step draws from `rng` in turn, so the
    order of the steps is part of what makes every run build the same people."""
    today = timezone.localdate()
    person = _refer(rng, number, reference, team, practitioner, today)
    referral = person.referral_date
    _record_needs(rng, person, practitioner, categories, referral)
    order = _record_offences_and_order(rng, person, practitioner, referral, today)
    _decide_eligibility(person, practitioner, manager, today)
    decisions, consent_day = _record_consents(rng, person, practitioner, referral, today)
    if not rules.consent_given(decisions, person.parent_consent_required):
        return  # referred, not started: someone who must consent has not
    start, end = _start_and_end(rng, person, practitioner, consent_day, today)
    last_day = end or today
    _assess_trm(rng, person, practitioner, stages, start, last_day)
    _log_appointments(rng, person, practitioner, start, end, last_day, today)
    _record_breach_and_custody(rng, person, practitioner, order, start, today)
    _decide_on_missed_appointments(person, practitioner, manager, today)


def _refer(rng, number, reference, team, practitioner, today):
    referral = today - timedelta(days=rng.randint(30, 540))
    age = rng.randint(12, 17)
    date_of_birth = referral - timedelta(days=age * 365 + rng.randint(10, 300))
    return services.young_person_refer(
        by=practitioner,
        team=team,
        reference=reference,
        given_name=GIVEN_NAMES[(number - 1) % len(GIVEN_NAMES)],
        family_name=FAMILY_NAMES[(number * 7) % len(FAMILY_NAMES)],
        date_of_birth=date_of_birth,
        gender=rng.choice(["male"] * 4 + ["female"] * 2 + ["other"]),
        ethnicity=rng.choice(
            [
                "White Welsh",
                "White British",
                "Mixed",
                "Black British",
                "Asian British",
                "Not stated",
            ]
        ),
        referral_date=referral,
        practitioner=practitioner,
    )


def _record_needs(rng, person, practitioner, categories, referral):
    codes = list(NEED_WEIGHTS)
    chosen = set()
    while len(chosen) < rng.randint(3, 7):
        chosen.add(rng.choices(codes, weights=[NEED_WEIGHTS[c] for c in codes])[0])
    for code in sorted(chosen):
        services.need_record(
            by=practitioner,
            young_person=person,
            category=categories[code],
            recorded_on=referral - timedelta(days=rng.randint(0, 40)),
            evidence="Identified in the AssetPlus assessment and partner reports.",
        )


def _record_offences_and_order(rng, person, practitioner, referral, today):
    """Three to nine offences before the referral, and the order in force; returns the order."""
    for _offence in range(rng.randint(3, 9)):
        description, gravity = rng.choice(OFFENCES)
        committed = referral - timedelta(days=rng.randint(5, 700))
        services.offence_record(
            by=practitioner,
            young_person=person,
            committed_on=committed,
            description=description,
            gravity=gravity,
            proven_on=min(committed + timedelta(days=rng.randint(20, 90)), today),
        )
    order_start = referral - timedelta(days=rng.randint(0, 60))
    return services.order_record(
        by=practitioner,
        young_person=person,
        order_type=rng.choice(
            [
                "referral_order",
                "youth_rehabilitation_order",
                "referral_order",
                "youth_conditional_caution",
            ]
        ),
        start_date=order_start,
        end_date=order_start + timedelta(days=365),
    )


def _decide_eligibility(person, practitioner, manager, today):
    """The eligibility check a real referral has before consent is sought, by the policy in
    force on the referral date; where the criteria are not met, the team manager's override
    with the reason a panel would give. Teams without a manager in the demo keep the
    decision as it is, so the fidelity figures show cases started without eligibility, as an
    evaluation would find them. Draws no random numbers, so the rest of each story is
    unchanged."""
    decision = eligibility_check(
        by=practitioner, young_person=person, decided_on=min(person.referral_date, today)
    )
    if not decision.eligible and access.may(manager, "eligibility.override", person.team):
        eligibility_override(
            by=manager,
            decision=decision,
            eligible=True,
            reason="Agreed at the allocation panel: offending is escalating and the needs "
            "call for the ECM approach, although the criteria are not all met.",
        )


#: What young people in the demonstration said when refusing or withdrawing: reason code, their
#: words. Chosen by the young person's id, so the random sequence of the rest is unchanged.
REASONS_GIVEN = [
    ("no_point", "I don't see what talking is going to change."),
    ("too_many_appointments", "It's too much with college and everything."),
    ("family_opposed", "My mum doesn't want people from the YOT coming round."),
    ("relationship_with_worker", "I didn't get on with them, they didn't listen."),
    ("moved_away", "We're moving to my nan's in Bristol."),
    ("other", ""),
]


def _reason_given(person) -> dict:
    """The reason and words for a refusal or withdrawal, as the services take them."""
    code, words = REASONS_GIVEN[person.pk % len(REASONS_GIVEN)]
    return {"reason": DisengagementReason.objects.get(code=code), "own_words": words}


def _with_reason(person, decision) -> dict:
    return _reason_given(person) if decision != ConsentDecision.GIVEN else {}


def _record_consents(rng, person, practitioner, referral, today):
    """Participation (and the parent's or carer's where required) and the evaluation;
    returns the participation decisions (party → decision) and the day they were made."""
    consent_day = min(referral + timedelta(days=rng.randint(3, 14)), today)
    participation = {
        ConsentParty.YOUNG_PERSON: (
            ConsentDecision.GIVEN if rng.random() < 0.85 else ConsentDecision.REFUSED
        )
    }
    services.consent_record(
        by=practitioner,
        young_person=person,
        party=ConsentParty.YOUNG_PERSON,
        purpose=ConsentPurpose.PARTICIPATION,
        decision=participation[ConsentParty.YOUNG_PERSON],
        decided_on=consent_day,
        note="Explained ECM with the young person and their carer.",
        **_with_reason(person, participation[ConsentParty.YOUNG_PERSON]),
    )
    if person.parent_consent_required and rng.random() < 0.9:
        participation[ConsentParty.PARENT_CARER] = ConsentDecision.GIVEN
        services.consent_record(
            by=practitioner,
            young_person=person,
            party=ConsentParty.PARENT_CARER,
            purpose=ConsentPurpose.PARTICIPATION,
            decision=ConsentDecision.GIVEN,
            decided_on=consent_day,
        )
    evaluation = ConsentDecision.GIVEN if rng.random() < 0.8 else ConsentDecision.REFUSED
    services.consent_record(
        by=practitioner,
        young_person=person,
        party=ConsentParty.YOUNG_PERSON,
        purpose=ConsentPurpose.EVALUATION,
        decision=evaluation,
        decided_on=consent_day,
        **_with_reason(person, evaluation),
    )
    return participation, consent_day


def _start_and_end(rng, person, practitioner, consent_day, today):
    """The ECM start, and for some an end (a withdrawal with what was said); returns both."""
    start = min(consent_day + timedelta(days=rng.randint(5, 25)), today)
    end = end_reason = None
    if (today - start).days > 240 and rng.random() < 0.4:
        end = start + timedelta(days=rng.randint(180, (today - start).days))
        end_reason = rng.choice([EndReason.COMPLETED, EndReason.COMPLETED, EndReason.WITHDRAWN])
    # Starting ECM is the eligibility app's pathway; the demo sets the dates directly.
    withdrawal = _reason_given(person) if end_reason == EndReason.WITHDRAWN else {}
    YoungPerson.objects.filter(pk=person.pk).update(
        ecm_start_date=start,
        ecm_end_date=end,
        end_reason=end_reason or "",
        withdrawal_reason=withdrawal.get("reason"),
        end_note=withdrawal.get("own_words", ""),
    )
    # A queryset update sends no signals: the facts stored from the start date are worked
    # out again here.
    summary.refresh([person.pk])
    if end_reason == EndReason.WITHDRAWN:
        services.consent_record(
            by=practitioner,
            young_person=person,
            party=ConsentParty.YOUNG_PERSON,
            purpose=ConsentPurpose.PARTICIPATION,
            decision=ConsentDecision.WITHDRAWN,
            decided_on=end,
            note="Said the sessions were 'too much' alongside college.",
            **withdrawal,
        )
    return start, end


def _assess_trm(rng, person, practitioner, stages, start, last_day):
    """A TRM assessment at the start and every two to four months while on ECM."""
    stage = rng.randint(1, 2)
    assessed = start
    while assessed <= last_day:
        services.trm_assess(
            by=practitioner,
            young_person=person,
            stage=stages[stage],
            assessed_on=assessed,
            rationale="Agreed in the formulation discussion with the psychologist.",
        )
        assessed += timedelta(days=rng.randint(60, 120))
        stage = max(1, min(7, stage + rng.choice([1, 1, 0, -1])))


def _purpose(rng) -> dict:
    """A purpose from the vocabulary with its detail, as `appointment_log` takes them."""
    code, detail = rng.choice(PURPOSES)
    return {"purpose_category": AppointmentPurpose.objects.get(code=code), "purpose": detail}


def _log_appointments(rng, person, practitioner, start, end, last_day, today):
    """Weekly contact, engagement improving over time; some cases fall quiet recently."""
    quiet = rng.random() < 0.25
    day = start + timedelta(days=2)
    week = 0
    stop = last_day - timedelta(days=20 if quiet else 1)
    while day <= stop:
        attendance = rng.choices(
            [
                Attendance.ATTENDED,
                Attendance.DID_NOT_ATTEND,
                Attendance.CANCELLED_BY_YOUNG_PERSON,
                Attendance.REARRANGED,
            ],
            weights=[7, 2, 1, 1],
        )[0]
        attended = attendance == Attendance.ATTENDED
        kind = rng.choice(["one_to_one", "one_to_one", "home_visit", "phone", "agency_session"])
        outcome_code, outcome = rng.choice(OUTCOMES) if attended else ("not_applicable", "")
        usual = rules.default_duration(kind)
        services.appointment_log(
            by=practitioner,
            young_person=person,
            starts_at=_aware(day, rng.choice([10, 13, 15])),
            kind=kind,
            **_purpose(rng),
            duration_minutes=rng.choice([usual, usual, usual + 15, max(10, usual - 15)]),
            attendance=attendance,
            engagement=(
                min(
                    rules.ENGAGEMENT_MAX,
                    max(rules.ENGAGEMENT_MIN, 2 + week // 8 + rng.randint(-1, 1)),
                )
                if attended
                else None
            ),
            outcome_code=outcome_code,
            outcome=outcome,
        )
        day += timedelta(days=7)
        week += 1
    if not end:
        _today_and_unrecorded(person, practitioner, last_day, today, quiet)
        for ahead in (rng.randint(1, 6), rng.randint(8, 13)):
            services.appointment_log(
                by=practitioner,
                young_person=person,
                starts_at=_aware(today + timedelta(days=ahead), 14),
                kind="one_to_one",
                **_purpose(rng),
            )


def _today_and_unrecorded(person, practitioner, last_day, today, quiet):
    """Work for the practitioner's home page on the day the demonstration is loaded: some
    open cases are seen today, and some were seen in the last few days with nothing recorded
    yet. A generator of its own, so the rest of each case's story stays as it was."""
    rng = random.Random(f"today-{person.reference}")  # noqa: S311 - same story every run
    if rng.random() < 0.35:
        services.appointment_log(
            by=practitioner,
            young_person=person,
            starts_at=_aware(today, rng.choice([11, 14, 16])),
            kind=rng.choice(["one_to_one", "home_visit", "phone"]),
            **_purpose(rng),
        )
    if not quiet and last_day == today and rng.random() < 0.25:
        services.appointment_log(
            by=practitioner,
            young_person=person,
            starts_at=_aware(today - timedelta(days=rng.randint(1, 3)), 9),
            kind="one_to_one",
            **_purpose(rng),
        )


def _record_breach_and_custody(rng, person, practitioner, order, start, today):
    if rng.random() < 0.2:
        services.breach_record(
            by=practitioner,
            young_person=person,
            order=order,
            breach_date=min(start + timedelta(days=rng.randint(10, 60)), today),
            note="Missed three appointments in a row.",
        )
    if rng.random() < 0.08:
        services.custody_record(
            by=practitioner,
            young_person=person,
            start_date=min(start + timedelta(days=90), today),
            end_date=None,
        )


#: Compliance decisions the demo practitioners make, with the reasons they give.
COMPLIANCE_DECISIONS = (
    ("acceptable_absence", "Rang ahead: a hospital appointment for his younger sister."),
    ("extenuating_circumstances", "Family in crisis that week; mum had been taken ill."),
    ("extenuating_circumstances", "Moved between carers at short notice; no bus fare."),
    ("warning", "No contact and no reason given. Talked it through and agreed a reminder text."),
    ("warning", "Chose to go out with friends instead. Warned; agreed a later time of day."),
    ("breach_proceedings", "Third unexplained absence despite warnings and support offered."),
)


def _decide_on_missed_appointments(person, practitioner, manager, today):
    """Decisions on the missed appointments, a few days after each; the latest ones are left
    for the practitioner's follow-up tasks, and the manager agrees with some of those that
    need it. A generator of its own, so the rest of each case's story stays as it was."""
    rng = random.Random(f"compliance-{person.reference}")  # noqa: S311 - same story every run
    missed = list(
        person.appointment_set.filter(attendance=Attendance.DID_NOT_ATTEND).order_by("starts_at")
    )
    for appointment in missed:
        missed_on = timezone.localtime(appointment.starts_at).date()
        decided_on = missed_on + timedelta(days=rng.randint(0, 6))
        if decided_on >= today - timedelta(days=3) or rng.random() < 0.15:
            continue  # still to decide: a follow-up task for a recent one
        decision, reason = rng.choices(COMPLIANCE_DECISIONS, weights=[3, 3, 2, 4, 3, 1])[0]
        record = compliance.compliance_decision_record(
            by=practitioner,
            appointment=appointment,
            decision=decision,
            reason=reason,
            decided_on=decided_on,
        )
        if record.needs_agreement and manager != practitioner and rng.random() < 0.6:
            agreement, reason = rng.choice(
                [
                    ("agreed", "The reasons are clear and the plan to re-engage is sound."),
                    ("agreed", "Given the family circumstances; review at supervision."),
                    ("agreed", "A fair response to a hard week; keep the same day and place."),
                    ("disagreed", "A second warning risks the order; discuss breach with me."),
                ]
            )
            compliance.compliance_agreement_record(
                by=manager,
                record=record,
                version=record.version,
                agreement=agreement,
                reason=reason,
            )
