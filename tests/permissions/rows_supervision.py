"""Permission-matrix rows for supervision/views.py (see matrix.py).

The list is for everyone who takes part in supervision (`supervision.actions.read`:
practitioners, managers, psychologists); evaluators and administrators get 403. Recording a
session is for psychologists. One session is visible to the psychologist who held it, the
practitioner supervised and the team's manager; to anyone else it does not exist (404).
Only the psychologist who held it may revise it; only the two participants may mark its
actions done (the manager sees them, and is refused: 403).

The sessions are built lazily on the matrix's `world`: one held by the `psychologist` user
with the `practitioner` user of the own team, and one in the other team by another
psychologist.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Role
from seed import factories
from supervision.models import (
    OversightAction,
    OversightEntry,
    SupervisionAction,
    SupervisionSession,
)

from .matrix import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Row, case_kwargs, only, signed_in

PARTICIPANTS_AND_MANAGER = signed_in(OK, evaluator=NOT_FOUND, admin=NOT_FOUND)
HELD_IT = signed_in(FORBIDDEN, psychologist=OK, evaluator=NOT_FOUND, admin=NOT_FOUND)
PARTICIPANTS = signed_in(REDIRECT, manager=FORBIDDEN, evaluator=NOT_FOUND, admin=NOT_FOUND)
OTHER_TEAM = signed_in(NOT_FOUND)
#: Management oversight: managers of the case's team write it; everyone else who reads the
#: record is refused (403); those who cannot read it get 404.
MANAGERS_WRITE = signed_in(FORBIDDEN, manager=OK, evaluator=NOT_FOUND, admin=NOT_FOUND)
MANAGERS_COMPLETE = signed_in(FORBIDDEN, manager=REDIRECT, evaluator=NOT_FOUND, admin=NOT_FOUND)


def supervision_world(world, own: bool) -> dict:
    key = "supervision_own" if own else "supervision_other"
    if key not in world:
        young_person = world["own_case" if own else "other_case"]
        if own:
            psychologist = world["users"]["psychologist"]
        else:
            psychologist = factories.user_with_role(
                Role.PSYCHOLOGIST, world["other_team"], username="other-supervisor"
            )
        session = SupervisionSession.objects.create(
            held_on=timezone.localdate() - timedelta(days=3),
            psychologist=psychologist,
            practitioner=young_person.practitioner,
            team=young_person.team,
            shared_notes="Shared",
            private_notes="Private",
        )
        session.cases.set([young_person])
        action = SupervisionAction.objects.create(
            session=session, young_person=young_person, description="Call school", owner="Alice"
        )
        world[key] = {"session": session, "action": action}
    return world[key]


def oversight_world(world, own: bool) -> dict:
    key = "oversight_own" if own else "oversight_other"
    if key not in world:
        young_person = world["own_case" if own else "other_case"]
        manager = (
            world["users"]["manager"]
            if own
            else factories.user_with_role(Role.MANAGER, world["other_team"], username="other-boss")
        )
        entry = OversightEntry.objects.create(
            young_person=young_person,
            manager=manager,
            reviewed_on=timezone.localdate() - timedelta(days=1),
            reviewed="Plan",
            decision="Carry on",
        )
        action = OversightAction.objects.create(entry=entry, description="Ring", owner="Alice")
        world[key] = {"entry": entry, "action": action}
    return world[key]


def entry_kwargs(world, own: bool) -> dict:
    return {"entry_pk": oversight_world(world, own)["entry"].pk}


def oversight_action_kwargs(world, own: bool) -> dict:
    return {"action_pk": oversight_world(world, own)["action"].pk}


def session_kwargs(world, own: bool) -> dict:
    return {"session_pk": supervision_world(world, own)["session"].pk}


def action_kwargs(world, own: bool) -> dict:
    return {"action_pk": supervision_world(world, own)["action"].pk}


ROWS = [
    Row(
        "supervision:session-list",
        signed_in(OK, evaluator=FORBIDDEN, admin=FORBIDDEN),
        shows_young_people=True,
    ),
    Row(
        "supervision:session-create",
        # The first step lists practitioners only; the second (?supervised=) lists their
        # caseload and writes the access log (tests/supervision/test_pages.py).
        only(OK, ("psychologist",)),
    ),
    Row(
        "supervision:session-detail",
        PARTICIPANTS_AND_MANAGER,
        other_team=OTHER_TEAM,
        kwargs=session_kwargs,
        shows_young_people=True,
    ),
    Row(
        "supervision:session-edit",
        HELD_IT,
        other_team=OTHER_TEAM,
        kwargs=session_kwargs,
        shows_young_people=True,
    ),
    # The oversight history: everyone who may read the record, as its "Management
    # oversight" card (DESIGN.md section 6: managers write, practitioners and
    # psychologists read).
    Row(
        "supervision:oversight-history",
        PARTICIPANTS_AND_MANAGER,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row(
        "supervision:oversight-create",
        MANAGERS_WRITE,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row(
        "supervision:oversight-edit",
        MANAGERS_WRITE,
        other_team=OTHER_TEAM,
        kwargs=entry_kwargs,
        shows_young_people=True,
    ),
    Row(
        "supervision:oversight-action-complete",
        MANAGERS_COMPLETE,
        other_team=OTHER_TEAM,
        kwargs=oversight_action_kwargs,
        method="post",
    ),
    Row(
        "supervision:action-complete",
        PARTICIPANTS,
        other_team=OTHER_TEAM,
        kwargs=action_kwargs,
        method="post",
    ),
]
