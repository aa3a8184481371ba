"""Permission-matrix rows for formulation/views.py (see matrix.py).

Formulations are read by the practitioners, managers and psychologists of the young
person's team (`formulation.read`) and written by psychologists serving it
(`formulation.write`); the plan and the distance-travelled ratings are written by all three
(`plan.write`; `case.edit` or `formulation.write`); linking an
appointment to the plan needs `case.edit`. Evaluators, administrators and other teams
reach nothing: 404, so existence does not leak. Inside the team, a reader who may not write
gets 403.

The meetings, formulations and plan items the rows need are built lazily on the matrix's
`world` (which only knows about case records), once per test.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Role
from formulation.models import (
    AgreedAction,
    Formulation,
    FormulationMeeting,
    InterventionItem,
    MeetingAttendance,
    MeetingKind,
    MeetingStatus,
)
from seed import factories

from .matrix import (
    FORBIDDEN,
    NOT_FOUND,
    OK,
    REDIRECT,
    Row,
    case_kwargs,
    record_kwargs,
    signed_in,
)

READERS = signed_in(OK, evaluator=NOT_FOUND, admin=NOT_FOUND)
PSYCHOLOGISTS = signed_in(FORBIDDEN, psychologist=OK, evaluator=NOT_FOUND, admin=NOT_FOUND)
EDITORS = signed_in(OK, psychologist=FORBIDDEN, evaluator=NOT_FOUND, admin=NOT_FOUND)
COMPLETERS = signed_in(REDIRECT, evaluator=NOT_FOUND, admin=NOT_FOUND)
OTHER_TEAM = signed_in(NOT_FOUND)


def formulation_world(world, own: bool) -> dict:
    """A held meeting with attendance, a formulation, an agreed action and a plan item, in
    the own case (chaired by the `psychologist` user) or the other team's case."""
    key = "formulation_own" if own else "formulation_other"
    if key not in world:
        young_person = world["own_case" if own else "other_case"]
        if own:
            chair = world["users"]["psychologist"]
        else:
            chair = factories.user_with_role(
                Role.PSYCHOLOGIST, world["other_team"], username="other-psychologist"
            )
        held_on = timezone.localdate() - timedelta(days=7)
        meeting = FormulationMeeting.objects.create(
            young_person=young_person,
            held_on=held_on,
            kind=MeetingKind.INITIAL,
            status=MeetingStatus.HELD,
            chair=chair,
        )
        MeetingAttendance.objects.create(
            meeting=meeting, agency=factories.AgencyFactory(), attended=True, attendee_name="Sam"
        )
        formulation = Formulation.objects.create(
            meeting=meeting,
            presenting="Presenting",
            trm_stage=factories.trm_stage(2),
            trm_reasoning="Trust is building",
            recorded_by=chair,
        )
        action = AgreedAction.objects.create(
            formulation=formulation, description="Visit school", owner="Sam", due_on=held_on
        )
        item = InterventionItem.objects.create(
            young_person=young_person,
            title="Weekly key-worker sessions",
            trm_stage=factories.trm_stage(1),
            responsible_person="Sam",
        )
        world[key] = {"meeting": meeting, "action": action, "item": item}
    return world[key]


def meeting_kwargs(world, own: bool) -> dict:
    return {"meeting_pk": formulation_world(world, own)["meeting"].pk}


def action_kwargs(world, own: bool) -> dict:
    return {"action_pk": formulation_world(world, own)["action"].pk}


def item_kwargs(world, own: bool) -> dict:
    item = formulation_world(world, own)["item"]
    return {"pk": item.young_person_id, "item_pk": item.pk}


ROWS = [
    Row(
        "formulation:meeting-list",
        READERS,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row(
        "formulation:meeting-create",
        PSYCHOLOGISTS,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row(
        "formulation:attendance-edit",
        PSYCHOLOGISTS,
        other_team=OTHER_TEAM,
        kwargs=meeting_kwargs,
        shows_young_people=True,
    ),
    Row(
        "formulation:formulation-edit",
        PSYCHOLOGISTS,
        other_team=OTHER_TEAM,
        kwargs=meeting_kwargs,
        shows_young_people=True,
    ),
    Row(
        # Distance travelled: the psychologist, or the team's practitioners and managers, who
        # rate alongside the young person (issue 15).
        "formulation:distance-edit",
        READERS,
        other_team=OTHER_TEAM,
        kwargs=meeting_kwargs,
        shows_young_people=True,
    ),
    Row(
        "formulation:formulation-summary",
        READERS,
        other_team=OTHER_TEAM,
        kwargs=meeting_kwargs,
        shows_young_people=True,
    ),
    Row(
        "formulation:formulation-pdf",
        READERS,
        other_team=OTHER_TEAM,
        kwargs=meeting_kwargs,
        shows_young_people=True,
    ),
    Row(
        "formulation:action-complete",
        COMPLETERS,
        other_team=OTHER_TEAM,
        kwargs=action_kwargs,
        method="post",
    ),
    Row(
        "formulation:plan",
        READERS,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row(
        "formulation:item-create",
        READERS,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row(
        "formulation:item-edit",
        READERS,
        other_team=OTHER_TEAM,
        kwargs=item_kwargs,
        shows_young_people=True,
    ),
    Row(
        "formulation:appointment-link",
        EDITORS,
        other_team=OTHER_TEAM,
        kwargs=record_kwargs("appointment", "appointment_pk"),
        shows_young_people=True,
    ),
]
