"""Formulation meetings, plans and supervision for the demonstration's young people.

Written through the formulation and supervision services, as a psychologist would, so the
meetings carry attendance, formulations and agreed actions like real ones.
"""

import random
from datetime import timedelta

from django.utils import timezone

from accounts.models import Agency, Role, User
from cases.models import TRMStage, YoungPerson
from formulation import services as formulation_services
from formulation.models import DistanceDomain, FormulationMeeting
from seed.demo.supervision import seed_oversight, seed_supervision
from seed.demo.tasks import done_when_long_past
from seed.demo.vocabulary import FIVE_PS, PLAN
from seed.demo.young_people import DEMO_REFERENCE_PREFIX


def seed_formulation_and_supervision(seed: int = 2027) -> tuple[int, int]:
    """Meetings (attendance tailing off over reviews), plans and monthly supervision.

    Only for demo young people who have started ECM and have no meeting yet, so re-runs add
    nothing. Returns (meetings, sessions) created.
    """
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
        meetings += _meetings(rng, psychologist, person, agencies, stages, today)
        _plan(rng, person, stages)
    sessions = seed_supervision(psychologist, seed, today)
    seed_oversight(seed, today)
    return meetings, sessions


def _meetings(rng, psychologist, person, agencies, stages, today) -> int:
    """The initial meeting and reviews about every three months while on ECM; returns how
    many were held."""
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
            # Its own generator, so the rest of the story stays as it was.
            duration_minutes=random.Random(f"{meeting.held_on}-{person.reference}").choice(  # noqa: S311
                [60, 75, 90, 90, 120]
            ),
        )
        stage = max(1, min(7, stage + rng.choice([0, 1, 1])))
        review = held_on + timedelta(days=rng.randint(80, 110))
        formulation = formulation_services.formulation_record(
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
                    "assignee": person.practitioner or psychologist,
                    "due_on": held_on + timedelta(days=14),
                },
                {
                    "description": "Ask the school nurse about a CAMHS referral",
                    "agency": invited[number % len(invited)],
                    "owner": "Sam Jones",
                    "due_on": held_on + timedelta(days=28),
                },
            ],
        )
        done_when_long_past(
            formulation.actions.all(), today, fallback=person.practitioner or psychologist
        )
        _rate_distance(person.practitioner or psychologist, person, formulation, number)
        number += 1
        held_on = review + timedelta(days=rng.randint(-5, 20))
    _schedule_this_week(psychologist, person, invited, today, number)
    return number


def _rate_distance(by, person, formulation, number) -> None:
    """The young person's own rating and the practitioner's of each domain, mostly rising
    over the reviews. A generator of its own per meeting, so the rest of each case's story
    stays as it was."""
    rng = random.Random(f"distance-{person.reference}")  # noqa: S311 - same story every run
    ratings = {}
    for domain in DistanceDomain.objects.filter(active=True):
        start_self, start_practitioner = rng.randint(1, 3), rng.randint(1, 3)
        rise = rng.choice([0, 1, 1, 2])
        ratings[domain] = (
            min(5, start_self + (number * rise + 1) // 2),
            min(5, start_practitioner + (number * rise) // 2),
        )
    formulation.refresh_from_db()
    formulation_services.distance_ratings_record(
        by=by, formulation=formulation, ratings=ratings, version=formulation.version
    )


def _schedule_this_week(psychologist, person, invited, today, held) -> None:
    """Some open cases have their next meeting in the coming week (the psychologist's home
    page lists them), whatever day the demonstration is loaded. A generator of its own, so
    the rest of each case's story stays as it was."""
    rng = random.Random(f"week-{person.reference}")  # noqa: S311 - same story every run
    if person.ecm_end_date or rng.random() >= 0.3:
        return
    formulation_services.meeting_schedule(
        by=psychologist,
        young_person=person,
        held_on=today + timedelta(days=rng.randint(0, 6)),
        kind="review" if held else "initial",
        agencies=invited,
    )


def _plan(rng, person, stages) -> None:
    """The intervention plan, two to five items in TRM order, added by the practitioner."""
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
