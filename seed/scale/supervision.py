"""Supervision: monthly sessions per practitioner, only of their own cases in their team."""

import random
from datetime import date, timedelta
from datetime import time as clock

from accounts.models import Team
from seed.scale.staff import Staff
from seed.scale.vocabulary import PRIVATE_NOTES, SUPERVISION_ACTIONS, SUPERVISION_NOTES
from supervision.models import SupervisionSession


def sessions(generator, staff: Staff, team: Team, existing_refs: set, rows):
    """Monthly sessions per practitioner, discussing one to three of their open cases."""
    today = generator.today
    for practitioner, username in staff.practitioners:
        cases = generator.caseloads.pop(practitioner, [])
        if not cases:
            continue
        rng = random.Random(f"{generator.seed}:supervision:{username}")  # noqa: S311
        first = min(start for _pk, start, _end in cases)
        month = date(first.year, first.month, 1)
        while month <= today:
            held_on = month + timedelta(days=rng.randint(0, 27))
            month = (month + timedelta(days=32)).replace(day=1)
            if held_on > today or rng.random() < 0.1:  # some months are missed
                continue
            open_cases = [
                pk
                for pk, start, end in cases
                if start <= held_on and (end is None or held_on <= end)
            ]
            if not open_cases:
                continue
            session_ref = f"SCALE-{generator.seed}-{username}-{held_on:%Y%m}"
            if session_ref in existing_refs:
                continue
            session = SupervisionSession(
                session_ref=session_ref,
                held_on=held_on,
                psychologist_id=staff.psychologist,
                practitioner_id=practitioner,
                team=team,
                shared_notes=rng.choice(SUPERVISION_NOTES),
                private_notes=rng.choice(PRIVATE_NOTES),
                created_at=generator.at(held_on, clock(15, 0)),
            )
            rows["session"].append(session)
            discussed = rng.sample(open_cases, k=min(len(open_cases), rng.randint(1, 3)))
            # Half an hour, and half an hour more for each case discussed (no draw of its
            # own, so the rest of the data is as it was before sessions had a duration).
            session.duration_minutes = 30 + 30 * len(discussed)
            for pk in discussed:
                rows["discussed"].append((session, pk))
            if rng.random() < 0.5:
                due_on = held_on + timedelta(days=rng.randint(14, 28))
                done_on = due_on if due_on + timedelta(days=7) <= today else None
                rows["supervision_action"].append(
                    (
                        session,
                        discussed[0],
                        rng.choice(SUPERVISION_ACTIONS),
                        "",
                        practitioner,
                        due_on,
                        done_on,
                    )
                )
