"""Fictional young people with realistic ECM histories, for the demonstration.

Everything is written through the same services practitioners use, so the demo data obeys
every rule the service enforces (and has history and events like real records). Random
choices come from a fixed seed: every run of `seed_demo` builds the same people.
"""

import random
from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import Role, Team, User
from cases import services
from cases.models import (
    Attendance,
    ConsentDecision,
    ConsentParty,
    ConsentPurpose,
    EndReason,
    NeedCategory,
    TRMStage,
    YoungPerson,
)

GIVEN_NAMES = [
    "Cai",
    "Lowri",
    "Dylan",
    "Ffion",
    "Rhys",
    "Seren",
    "Osian",
    "Megan",
    "Tomos",
    "Cerys",
    "Jac",
    "Nia",
    "Ioan",
    "Elin",
    "Kieran",
    "Chloe",
    "Liam",
    "Tia",
    "Callum",
    "Jade",
    "Morgan",
    "Aled",
    "Carys",
    "Ryan",
    "Shannon",
]
FAMILY_NAMES = [
    "Jones",
    "Williams",
    "Davies",
    "Evans",
    "Thomas",
    "Roberts",
    "Lewis",
    "Hughes",
    "Morgan",
    "Griffiths",
    "Edwards",
    "Owen",
    "Price",
    "Jenkins",
    "Phillips",
    "Rees",
    "Lloyd",
    "Powell",
    "Parry",
    "James",
    "Pritchard",
    "Bowen",
    "Harris",
    "Watkins",
    "Mathias",
]
#: The evaluation's most common problems come first and are drawn most often.
NEED_WEIGHTS = {
    "substance_misuse": 8,
    "domestic_abuse_experienced": 7,
    "physical_abuse_victim": 6,
    "mental_health": 5,
    "not_in_ete": 5,
    "school_exclusion": 4,
    "slcn": 4,
    "neglect": 3,
    "looked_after": 3,
    "bereavement": 3,
    "exploitation": 3,
    "unstable_accommodation": 3,
    "self_harm": 2,
    "neurodevelopmental": 2,
    "send_aln": 2,
    "child_protection": 2,
    "learning_disability": 1,
    "sexual_abuse_victim": 1,
    "parental_imprisonment": 1,
}
OFFENCES = [
    ("Theft from a shop", 2),
    ("Criminal damage", 2),
    ("Common assault", 3),
    ("Possession of cannabis", 1),
    ("Burglary (non-dwelling)", 4),
    ("Assault occasioning ABH", 5),
    ("Taking a vehicle without consent", 4),
    ("Possession of a bladed article", 5),
    ("Robbery", 6),
    ("Public order offence", 2),
    ("Arson", 5),
]
PURPOSES = [
    "Build routine: agree the week's plan",
    "Key-worker relationship session",
    "Emotional regulation: noticing anger early",
    "Review of reparation work",
    "Home visit with parent to review progress",
    "Education re-engagement meeting",
    "Substance misuse session with the SMS worker",
    "Victim awareness work",
    "Plan for college application",
    "Check-in call after a difficult week",
]
OUTCOMES = [
    "Engaged well and agreed the next steps.",
    "Quiet at first, opened up later in the session.",
    "Left early; agreed to meet again on Thursday.",
    "Completed the worksheet together.",
    "Talked about the week at home; no concerns raised.",
]
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
    today = timezone.localdate()
    referral = today - timedelta(days=rng.randint(30, 540))
    age = rng.randint(12, 17)
    date_of_birth = referral - timedelta(days=age * 365 + rng.randint(10, 300))
    person = services.young_person_refer(
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
    order = services.order_record(
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

    consent_day = min(referral + timedelta(days=rng.randint(3, 14)), today)
    participation = ConsentDecision.GIVEN if rng.random() < 0.85 else ConsentDecision.REFUSED
    services.consent_record(
        by=practitioner,
        young_person=person,
        party=ConsentParty.YOUNG_PERSON,
        purpose=ConsentPurpose.PARTICIPATION,
        decision=participation,
        decided_on=consent_day,
        note="Explained ECM with the young person and their carer.",
    )
    if person.parent_consent_required and rng.random() < 0.9:
        services.consent_record(
            by=practitioner,
            young_person=person,
            party=ConsentParty.PARENT_CARER,
            purpose=ConsentPurpose.PARTICIPATION,
            decision=ConsentDecision.GIVEN,
            decided_on=consent_day,
        )
    services.consent_record(
        by=practitioner,
        young_person=person,
        party=ConsentParty.YOUNG_PERSON,
        purpose=ConsentPurpose.EVALUATION,
        decision=ConsentDecision.GIVEN if rng.random() < 0.8 else ConsentDecision.REFUSED,
        decided_on=consent_day,
    )

    if participation != ConsentDecision.GIVEN:
        return  # referred, not started
    start = min(consent_day + timedelta(days=rng.randint(5, 25)), today)
    end = end_reason = None
    if (today - start).days > 240 and rng.random() < 0.4:
        end = start + timedelta(days=rng.randint(180, (today - start).days))
        end_reason = rng.choice([EndReason.COMPLETED, EndReason.COMPLETED, EndReason.WITHDRAWN])
    # Starting ECM is the eligibility app's pathway; the demo sets the dates directly.
    YoungPerson.objects.filter(pk=person.pk).update(
        ecm_start_date=start, ecm_end_date=end, end_reason=end_reason or ""
    )
    if end_reason == EndReason.WITHDRAWN:
        services.consent_record(
            by=practitioner,
            young_person=person,
            party=ConsentParty.YOUNG_PERSON,
            purpose=ConsentPurpose.PARTICIPATION,
            decision=ConsentDecision.WITHDRAWN,
            decided_on=end,
            note="Said the sessions were 'too much' alongside college.",
        )

    stage = rng.randint(1, 2)
    assessed = start
    last_day = end or today
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

    # Weekly contact, engagement improving over time; some cases fall quiet recently.
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
        services.appointment_log(
            by=practitioner,
            young_person=person,
            starts_at=_aware(day, rng.choice([10, 13, 15])),
            kind=rng.choice(["one_to_one", "one_to_one", "home_visit", "phone", "agency_session"]),
            purpose=rng.choice(PURPOSES),
            attendance=attendance,
            engagement=min(5, max(1, 2 + week // 8 + rng.randint(-1, 1))) if attended else None,
            outcome=rng.choice(OUTCOMES) if attended else "",
        )
        day += timedelta(days=7)
        week += 1
    if not end:
        for ahead in (rng.randint(1, 6), rng.randint(8, 13)):
            services.appointment_log(
                by=practitioner,
                young_person=person,
                starts_at=_aware(today + timedelta(days=ahead), 14),
                kind="one_to_one",
                purpose=rng.choice(PURPOSES),
            )
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


# --- Formulation, plans and supervision ---------------------------------------------------------

FIVE_PS = {
    "presenting": "Frequent offending with peers at weekends; angry outbursts when challenged.",
    "predisposing": "Early experience of domestic abuse; several changes of school; "
    "speech and language needs identified late.",
    "precipitating": "Exclusion from school last year and the loss of a grandparent.",
    "perpetuating": "Unstructured days, older peers, cannabis use to manage sleep and anxiety.",
    "protective": "Warm relationship with an aunt; interest in football and mechanics.",
}
PLAN = [
    (1, "Agree a weekly routine and a consistent key worker", "YOT key worker"),
    (2, "Mentoring sessions with the same mentor every week", "Mentoring service"),
    (3, "Emotional regulation work: noticing anger early", "CAMHS"),
    (5, "Victim awareness and offence-focused sessions", "YOT key worker"),
    (6, "College taster days and an application", "Careers Wales"),
]


def seed_formulation_and_supervision(seed: int = 2027) -> tuple[int, int]:
    """Meetings (attendance tailing off over reviews), plans and monthly supervision.

    Only for demo young people who have started ECM and have no meeting yet, so re-runs add
    nothing. Returns (meetings, sessions) created.
    """
    from accounts.models import Agency
    from formulation import services as formulation_services
    from formulation.models import FormulationMeeting
    from supervision import services as supervision_services
    from supervision.models import SupervisionSession

    psychologist = User.objects.filter(memberships__role=Role.PSYCHOLOGIST).order_by("pk").first()
    if psychologist is None:
        return 0, 0
    agencies = list(Agency.objects.exclude(code="facts").order_by("code"))
    stages = {stage.number: stage for stage in TRMStage.objects.all()}
    today = timezone.localdate()
    meetings = 0
    people = YoungPerson.objects.filter(
        reference__startswith=DEMO_REFERENCE_PREFIX, ecm_start_date__isnull=False
    ).order_by("reference")
    for person in people:
        if FormulationMeeting.objects.filter(young_person=person).exists():
            continue
        rng = random.Random(f"{seed}-{person.reference}")  # noqa: S311 - same story every run
        invited = rng.sample(agencies, k=min(len(agencies), rng.randint(4, 6)))
        held_on = person.ecm_start_date + timedelta(days=rng.randint(20, 70))
        last_day = person.ecm_end_date or today
        number = 0
        stage = 1
        while held_on <= last_day:
            kind = "initial" if number == 0 else "review"
            meeting = formulation_services.meeting_schedule(
                by=psychologist, young_person=person, held_on=held_on, kind=kind, agencies=invited
            )
            chance = max(0.25, 0.9 - 0.2 * number)  # attendance tails off over reviews
            formulation_services.meeting_record_attendance(
                by=psychologist,
                meeting=meeting,
                attendance={
                    agency.pk: (attended, f"{agency.name} representative" if attended else "")
                    for agency in invited
                    for attended in [rng.random() < chance]
                },
            )
            stage = max(1, min(7, stage + rng.choice([0, 1, 1])))
            review = held_on + timedelta(days=rng.randint(80, 110))
            formulation_services.formulation_record(
                by=psychologist,
                meeting=meeting,
                values={
                    **FIVE_PS,
                    "timeline_notes": "Moved house four times before the age of 11.",
                    "young_person_views": "Wants to 'stay out of trouble' and get a job.",
                    "family_views": "Worried about the friends they spend time with.",
                    "trm_stage": stages[stage],
                    "trm_reasoning": "Needs a safe base and a trusted adult before "
                    "offence-focused work.",
                    "next_review_on": review,
                },
                actions=[
                    {
                        "description": "Share the formulation with the school",
                        "owner": "YOT key worker",
                        "due_on": held_on + timedelta(days=14),
                    }
                ],
            )
            meetings += 1
            number += 1
            held_on = review + timedelta(days=rng.randint(-5, 20))
        practitioner = person.practitioner
        for sequence, (stage_number, title, who) in enumerate(PLAN[: rng.randint(2, 5)], start=1):
            formulation_services.intervention_add(
                by=practitioner,
                young_person=person,
                title=title,
                trm_stage=stages[stage_number],
                responsible_person=who,
                planned_start=person.ecm_start_date + timedelta(days=14 * sequence),
                status="done" if sequence == 1 else ("active" if sequence == 2 else "planned"),
                sequence=sequence,
            )

    sessions = 0
    practitioners = (
        User.objects.filter(
            memberships__role=Role.PRACTITIONER,
            caseload__reference__startswith=DEMO_REFERENCE_PREFIX,
        )
        .distinct()
        .order_by("username")
    )
    for practitioner in practitioners:
        if SupervisionSession.objects.filter(practitioner=practitioner).exists():
            continue
        caseload = list(
            YoungPerson.objects.filter(
                practitioner=practitioner, ecm_start_date__isnull=False
            ).order_by("reference")
        )
        if not caseload:
            continue
        rng = random.Random(f"{seed}-{practitioner.username}")  # noqa: S311
        for months_ago in range(6, 0, -1):
            held_on = today - timedelta(days=30 * months_ago + rng.randint(0, 5))
            discussed = [
                person
                for person in rng.sample(caseload, k=min(len(caseload), 2))
                if person.ecm_start_date <= held_on
            ]
            supervision_services.session_record(
                by=psychologist,
                practitioner=practitioner,
                held_on=held_on,
                cases=discussed,
                shared_notes="Talked through engagement and what is working in sessions.",
                private_notes="Practitioner reflected on feeling stuck with one case.",
                actions=[
                    {
                        "description": f"Try a walk-and-talk session with {person.given_name}",
                        "owner": str(practitioner),
                        "young_person": person,
                        "due_on": held_on + timedelta(days=21),
                    }
                    for person in discussed[:1]
                ],
            )
            sessions += 1
    return meetings, sessions
