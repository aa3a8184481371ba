"""Monthly supervision for the demonstration's practitioners over the last six months, with
a note for each case discussed on its record, and managers' oversight of the cases: most
within the last 3 months (answering the latest supervision), some only earlier, some never,
so the team view has cases to flag."""

import random
from datetime import timedelta

from accounts.models import Membership, Role, User
from cases.models import YoungPerson
from seed.demo.tasks import done_when_long_past
from seed.demo.young_people import DEMO_REFERENCE_PREFIX
from supervision import services as supervision_services
from supervision.models import OversightEntry, SupervisionSession

#: What the demonstration's notes for the case records say (one is chosen per case).
CASE_NOTES = (
    "Building trust slowly; keep the same day and place for sessions.",
    "Family life is chaotic this month; focus on practical support before offence work.",
    "Responds well to activity-based sessions; try football before the next review.",
    "Anger when plans change at short notice; agree a way to warn about changes.",
)


def seed_supervision(psychologist, seed: int, today) -> int:
    """Sessions for practitioners with demo cases and none yet; returns how many were added."""
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
            session = supervision_services.session_record(
                by=psychologist,
                practitioner=practitioner,
                held_on=held_on,
                cases=discussed,
                duration_minutes=rng.choice((45, 60, 60, 75, 90)),
                case_notes={person: rng.choice(CASE_NOTES) for person in discussed},
                shared_notes="Talked through engagement and what is working in sessions.",
                private_notes="Practitioner reflected on feeling stuck with one case.",
                actions=[
                    {
                        "description": f"Try a walk-and-talk session with {person.given_name}",
                        "assignee": practitioner,
                        "young_person": person,
                        "due_on": held_on + timedelta(days=21),
                    }
                    for person in discussed[:1]
                ],
            )
            done_when_long_past(session.actions.all(), today, fallback=practitioner)
            sessions += 1
    return sessions


def seed_oversight(seed: int, today) -> int:
    """Managers' oversight of the open demo cases without any: two in three within the last
    3 months (answering the latest supervision of the case when there is one), the rest
    four or five months ago or never. Returns how many entries were added."""
    entries = 0
    people = (
        YoungPerson.objects.filter(
            reference__startswith=DEMO_REFERENCE_PREFIX,
            ecm_start_date__isnull=False,
            ecm_end_date__isnull=True,
        )
        .select_related("team", "practitioner")
        .order_by("reference")
    )
    managers = {
        membership.team_id: membership.user
        for membership in Membership.objects.filter(role=Role.MANAGER)
        .select_related("user")
        .order_by("-user__username")
    }
    for person in people:
        manager = managers.get(person.team_id)
        if manager is None or OversightEntry.objects.filter(young_person=person).exists():
            continue
        rng = random.Random(f"{seed}-oversight-{person.reference}")  # noqa: S311
        choice = rng.randrange(6)
        if choice == 0:
            continue  # never overseen
        days_ago = rng.randint(120, 150) if choice == 1 else rng.randint(3, 80)
        reviewed_on = max(today - timedelta(days=days_ago), person.referral_date)
        session = (
            SupervisionSession.objects.filter(cases=person, held_on__lte=reviewed_on)
            .order_by("-held_on")
            .first()
        )
        practitioner = person.practitioner or manager
        supervision_services.oversight_record(
            by=manager,
            young_person=person,
            reviewed_on=reviewed_on,
            reviewed="The plan, contact over the last month"
            + (" and the actions agreed in clinical supervision" if session else ""),
            decision=rng.choice(
                (
                    "Continue as planned; review at the next formulation meeting.",
                    "Increase contact to twice a week until the school placement is settled.",
                    "Agree a trauma-informed response to the missed sessions; no warning yet.",
                )
            ),
            responds_to=session,
            actions=[
                {
                    "description": f"Update the plan with {person.given_name} and the family",
                    "assignee": practitioner,
                    "due_on": reviewed_on + timedelta(days=14),
                }
            ],
        )
        entries += 1
    return entries
