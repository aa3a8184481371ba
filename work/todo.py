"""Tasks: the agreed actions of formulation meetings and supervision sessions, and the
follow-ups the service gives, as one list.

Each kind of task stays in the app that owns it (`formulation.AgreedAction`,
`supervision.SupervisionAction`, `work.FollowUp`, all `cases.models.Task`); this module
reads them together
for "My tasks", the home page and the reminders. One query per kind, whatever the number of
tasks; every row carries what it belongs to, where that is, and the young person it is
about, if any.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.dates import in_words
from formulation.models import AgreedAction
from supervision.models import OversightAction, SupervisionAction

from .models import FollowUp, FollowUpKind

#: How long done tasks stay on "My tasks" (the "Done" tab).
DONE_SHOWN_DAYS = 30


@dataclass
class TaskRow:
    kind: str  # "formulation", "supervision", "oversight" or "service"
    task: object
    young_person: object  # or None
    where: str  # what the task was agreed in, in the reader's language
    where_url: str
    complete_url: str

    @property
    def description(self):
        return self.task.description

    @property
    def due_on(self):
        return self.task.due_on

    @property
    def done_on(self):
        return self.task.done_on

    def is_overdue(self, today: date) -> bool:
        return self.task.is_overdue(today)

    @property
    def overdue(self) -> bool:
        """Past its due date and not done, as of today."""
        return self.task.is_overdue(timezone.localdate())


def formulation_actions(condition: Q, *, done: bool = False) -> QuerySet:
    """Agreed actions with what their rows show (who did them, for `done` ones)."""
    return AgreedAction.objects.filter(condition).select_related(
        "formulation__meeting__young_person", "assignee", "agency", *(["done_by"] if done else [])
    )


def supervision_actions(condition: Q, *, done: bool = False) -> QuerySet:
    return SupervisionAction.objects.filter(condition).select_related(
        "session", "young_person", "assignee", "agency", *(["done_by"] if done else [])
    )


def oversight_actions(condition: Q, *, done: bool = False) -> QuerySet:
    return OversightAction.objects.filter(condition).select_related(
        "entry__young_person", "assignee", "agency", *(["done_by"] if done else [])
    )


def follow_ups(condition: Q, *, done: bool = False) -> QuerySet:
    return FollowUp.objects.filter(condition).select_related(
        "young_person", *(["done_by"] if done else [])
    )


def _readable(team_ids: set[int] | None, young_person: str) -> Q:
    """The task is about a young person in one of the teams (None: any team), as a condition
    on the task's own joins; never one anonymised under the retention schedule."""
    team = Q() if team_ids is None else Q(**{f"{young_person}__team_id__in": team_ids})
    return team & _not_anonymised(young_person)


def _not_anonymised(young_person: str) -> Q:
    """Tasks about a young person whose record was anonymised are no longer work."""
    return Q(**{f"{young_person}__anonymised_at__isnull": True})


def _follow_up_row(follow_up) -> TaskRow:
    if follow_up.kind == FollowUpKind.RECORD_ATTENDANCE and follow_up.appointment_id:
        where_url = reverse(
            "cases:appointment-edit",
            kwargs={"pk": follow_up.young_person_id, "appointment_pk": follow_up.appointment_id},
        )
    elif follow_up.kind == FollowUpKind.COMPLIANCE_DECISION and follow_up.appointment_id:
        where_url = reverse(
            "cases:compliancedecision-edit",
            kwargs={"pk": follow_up.young_person_id, "appointment_pk": follow_up.appointment_id},
        )
    else:
        where_url = reverse("cases:youngperson-detail", args=[follow_up.young_person_id])
    return TaskRow(
        kind="service",
        task=follow_up,
        young_person=follow_up.young_person,
        where=_("A reminder from the service"),
        where_url=where_url,
        complete_url=reverse("work:follow-up-complete", args=[follow_up.pk]),
    )


def _formulation_row(action) -> TaskRow:
    meeting = action.formulation.meeting
    return TaskRow(
        kind="formulation",
        task=action,
        young_person=meeting.young_person,
        where=_("Formulation meeting on %(date)s") % {"date": in_words(meeting.held_on)},
        where_url=reverse("formulation:meeting-list", args=[meeting.young_person_id]),
        complete_url=reverse("formulation:action-complete", args=[action.pk]),
    )


def _supervision_row(action) -> TaskRow:
    return TaskRow(
        kind="supervision",
        task=action,
        young_person=action.young_person,
        where=_("Supervision session on %(date)s") % {"date": in_words(action.session.held_on)},
        where_url=reverse("supervision:session-detail", args=[action.session_id]),
        complete_url=reverse("supervision:action-complete", args=[action.pk]),
    )


def _oversight_row(action) -> TaskRow:
    young_person = action.entry.young_person
    return TaskRow(
        kind="oversight",
        task=action,
        young_person=young_person,
        where=_("Management oversight on %(date)s") % {"date": in_words(action.entry.reviewed_on)},
        where_url=reverse("cases:youngperson-detail", args=[young_person.pk]) + "#oversight",
        complete_url=reverse("supervision:oversight-action-complete", args=[action.pk]),
    )


def _sort_key(row: TaskRow):
    """Overdue first, then by due date; tasks with no due date last."""
    return (row.due_on is None, row.due_on or date.max, row.task.pk)


def tasks_of(user, *, done_since: date | None = None) -> list[TaskRow]:
    """The tasks given to `user`: open ones (overdue first, then by due date), or, with
    `done_since`, the ones done since that day, most recently done first.

    Only tasks about young people the user may still read (a task stays with its owner, but
    a case that moved to another team leaves the list) and tasks about no one in particular.
    """
    mine = Q(assignee_id=user.pk)
    readable = policy.team_ids_for(user, "case.read")  # archived cases included
    done = done_since is not None
    if done:
        mine &= Q(done_on__gte=done_since)
    else:
        mine &= Q(done_on__isnull=True)
    rows = (
        [
            _formulation_row(action)
            for action in formulation_actions(
                mine & _readable(readable, "formulation__meeting__young_person"), done=done
            )
        ]
        + [
            _supervision_row(action)
            for action in supervision_actions(
                mine & (Q(young_person__isnull=True) | _readable(readable, "young_person")),
                done=done,
            )
        ]
        + [
            _oversight_row(action)
            for action in oversight_actions(
                mine & _readable(readable, "entry__young_person"), done=done
            )
        ]
        + [
            _follow_up_row(follow_up)
            for follow_up in follow_ups(mine & _readable(readable, "young_person"), done=done)
        ]
    )
    if done_since is None:
        return sorted(rows, key=_sort_key)
    return sorted(rows, key=lambda row: (row.done_on, row.task.pk), reverse=True)


def overdue_in_teams(team_ids, today: date, *, limit: int) -> tuple[list[TaskRow], int]:
    """Open tasks past their due date about young people of the teams (a manager's view):
    the `limit` most overdue, and how many there are in all. A large team has hundreds, so
    each kind is counted by the database and only its first `limit` rows are read."""
    overdue = Q(done_on__isnull=True, due_on__lt=today)
    sources = (
        (
            formulation_actions(
                overdue
                & Q(formulation__meeting__young_person__team_id__in=team_ids)
                & _not_anonymised("formulation__meeting__young_person")
            ),
            _formulation_row,
        ),
        (
            supervision_actions(
                overdue
                & Q(session__team_id__in=team_ids)
                & (Q(young_person__isnull=True) | _not_anonymised("young_person"))
            ),
            _supervision_row,
        ),
        (
            oversight_actions(overdue & _readable(team_ids, "entry__young_person")),
            _oversight_row,
        ),
        (follow_ups(overdue & _readable(team_ids, "young_person")), _follow_up_row),
    )
    first, *others = (queryset.order_by().values("pk") for queryset, _row in sources)
    total = first.union(*others, all=True).count()
    rows = [
        row(task) for queryset, row in sources for task in queryset.order_by("due_on", "pk")[:limit]
    ]
    return sorted(rows, key=_sort_key)[:limit], total
