"""TRM assessments, formulation meetings with their attendance, formulations, agreed actions
and the intervention plan: formulations only for held meetings."""

from datetime import time as clock
from datetime import timedelta

from formulation import rules
from formulation.models import (
    Formulation,
    FormulationMeeting,
    InterventionStatus,
    MeetingKind,
    MeetingStatus,
)
from seed.demo.vocabulary import FIVE_PS
from seed.scale.vocabulary import AGREED_ACTIONS, INTERVENTIONS, KEY_WORKER, TRM_RATIONALES


def trm_and_formulation(generator, rows, rng, person, practitioner, staff, start, end, last_day):
    """TRM assessments (1 to 5), formulation meetings with attendance, and the plan."""
    stage = _first_assessment(generator, rows, rng, person, practitioner, start, last_day)
    plan_from = _meetings(generator, rows, rng, person, staff.psychologist, stage, start, end)
    _intervention_plan(generator, rows, rng, person, practitioner, start, end, plan_from)


def _first_assessment(generator, rows, rng, person, practitioner, start, last_day) -> int:
    """The practitioner's TRM assessment within a fortnight of the start; returns its stage."""
    stage = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
    assessed_on = min(start + timedelta(days=rng.randint(0, 14)), last_day)
    rows["trm"].append(
        (
            person,
            generator.stages[stage],
            assessed_on,
            TRM_RATIONALES[stage],
            practitioner,
            generator.at(assessed_on),
        )
    )
    return stage


def _meetings(generator, rows, rng, person, chair, stage, start, end):
    """The initial meeting and reviews every three months or so, until the end (or the next
    one still to come); returns the day of the first held meeting, where the plan starts."""
    today = generator.today
    assessments = 1
    invited = rng.sample(generator.invitable, k=min(len(generator.invitable), rng.randint(3, 6)))
    initial = start + timedelta(
        days=rng.randint(14, 56) if rng.random() < 0.88 else rng.randint(57, 120)
    )
    held_on = initial
    number = 0
    plan_from = None
    while held_on <= (end or today + timedelta(days=120)):
        kind = MeetingKind.INITIAL if number == 0 else MeetingKind.REVIEW
        if rules.meeting_not_held_yet(held_on, today=today):
            status = MeetingStatus.SCHEDULED
        elif number and rng.random() < 0.05:
            status = MeetingStatus.CANCELLED
        else:
            status = MeetingStatus.HELD
        meeting = FormulationMeeting(
            young_person=person,
            meeting_ref=f"{person.reference}-FM{number + 1:02d}",
            held_on=held_on,
            kind=kind,
            status=status,
            # Held meetings take an hour and a half, reviews an hour (a fixed length, no
            # draw, so the rest of the data is as it was before meetings had a duration).
            duration_minutes=(90 if number == 0 else 60) if status == MeetingStatus.HELD else None,
            chair_id=chair,
            created_at=generator.at(held_on - timedelta(days=14), clock(9, 0)),
        )
        rows["meeting"].append(meeting)
        held = status == MeetingStatus.HELD
        chance = max(0.3, 0.9 - 0.15 * number)  # attendance tails off over reviews
        for agency_id in invited:
            attended = (rng.random() < chance) if held else None
            name = f"{generator.agency_names[agency_id]} representative" if attended else ""
            rows["attendance"].append((meeting, agency_id, attended, name))
        if held:
            plan_from = plan_from or held_on
            stage, assessments = _formulate(
                generator, rows, rng, person, meeting, number, stage, assessments
            )
        if status == MeetingStatus.SCHEDULED:
            break
        number += 1
        held_on = held_on + timedelta(days=rng.randint(80, 105))
    return plan_from


def _formulate(generator, rows, rng, person, meeting, number, stage, assessments):
    """What a held meeting records: the TRM stage agreed (a new assessment when it moves, at
    most five in all), the formulation and one or two agreed actions; returns the stage and
    the number of assessments so far."""
    today = generator.today
    chair = meeting.chair_id
    held_on = meeting.held_on
    step = rng.choice([0, 0, 1]) if number == 0 else rng.choices([1, 0, -1], [55, 30, 15])[0]
    agreed = max(1, min(7, stage + step))
    if (number == 0 or agreed != stage) and assessments < 5:
        stage = agreed
        assessments += 1
        rows["trm"].append(
            (
                person,
                generator.stages[stage],
                held_on,
                "Agreed at the formulation meeting: " + TRM_RATIONALES[stage],
                chair,
                generator.at(held_on, clock(17, 0)),
            )
        )
    formulation = Formulation(
        meeting=meeting,
        **FIVE_PS,
        timeline_notes="Moved house four times before the age of 11.",
        young_person_views="Wants to stay out of trouble and get a job.",
        family_views="Worried about the friends they spend time with.",
        trm_stage_id=generator.stages[stage],
        trm_reasoning=TRM_RATIONALES[stage],
        next_review_on=held_on + timedelta(days=90),
        recorded_by_id=chair,
        recorded_at=generator.at(held_on, clock(17, 0)),
    )
    rows["formulation"].append(formulation)
    for description, owner in rng.sample(AGREED_ACTIONS, k=rng.randint(1, 2)):
        due_on = held_on + timedelta(days=rng.randint(7, 28))
        done_on = due_on + timedelta(days=rng.randint(-5, 10))
        if done_on > today or done_on < held_on or rng.random() < 0.25:
            done_on = None
        # The key worker's actions are given to the allocated practitioner; the others keep
        # the name of who does them.
        assignee = person.practitioner_id if owner == KEY_WORKER else None
        rows["action"].append(
            (formulation, description, "" if assignee else owner, assignee, due_on, done_on)
        )
    return stage, assessments


def _intervention_plan(generator, rows, rng, person, practitioner, start, end, plan_from):
    """Two to five interventions sequenced by TRM stage, three weeks apart, from the first
    held meeting; their status follows the dates and the end."""
    today = generator.today
    base = plan_from or start + timedelta(days=14)
    picked = sorted(rng.sample(range(len(INTERVENTIONS)), k=rng.randint(2, 5)))
    for sequence, index in enumerate(picked, start=1):
        stage_number, title, agency_code, who = INTERVENTIONS[index]
        planned = base + timedelta(days=21 * (sequence - 1))
        if end is not None:
            status = (
                InterventionStatus.DONE
                if planned + timedelta(days=60) <= end
                else InterventionStatus.STOPPED
            )
        elif planned + timedelta(days=90) <= today:
            status = InterventionStatus.DONE
        elif planned <= today:
            status = InterventionStatus.ACTIVE
        else:
            status = InterventionStatus.PLANNED
        agency = generator.agencies.get(agency_code) if agency_code else None
        rows["item"].append(
            (
                person,
                title,
                generator.stages[stage_number],
                agency.pk if agency else None,
                who,
                planned,
                status,
                sequence,
                practitioner,
                generator.at(min(base, today)),
            )
        )
