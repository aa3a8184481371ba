"""Monthly supervision for the demonstration's practitioners over the last six months."""

import random
from datetime import timedelta

from accounts.models import Role, User
from cases.models import YoungPerson
from seed.demo.tasks import done_when_long_past
from seed.demo.young_people import DEMO_REFERENCE_PREFIX
from supervision import services as supervision_services
from supervision.models import SupervisionSession


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
