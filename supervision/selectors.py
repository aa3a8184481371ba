"""Reads for supervision, with the three layers of visibility (see models.py).

* `sessions_visible_to(user)` — sessions the user held, received, or (managers) that were
  held in a team they manage;
* `may_read_shared_notes(user, session)` — the session's shared notes: the two participants
  and the managers of the session's team (DESIGN.md section 6);
* `may_read_notes(user, session)` — the private reflective notes: only the two participants;
* `supervision_for_case(young_person)` — when a case was discussed and the actions agreed,
  with the session's note for this case (what the case record shows), never the session's
  shared or private notes.
"""

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts import policy
from cases import selectors as case_selectors

from .models import (
    OversightAction,
    OversightEntry,
    SupervisionAction,
    SupervisionNote,
    SupervisionSession,
)

#: Columns that hold notes; never selected for pages that must not show them.
NOTE_FIELDS = ("shared_notes", "private_notes")
#: Oversight entries on a page of a case's oversight history (the timeline's links to an
#: entry work out its page from this).
OVERSIGHT_PAGE_SIZE = 25


def _actions():
    """Actions with who does them and the young person each is about, for listing."""
    return SupervisionAction.objects.select_related("young_person", "assignee", "agency")


def sessions_visible_to(user) -> QuerySet:
    if not user.is_authenticated:
        return SupervisionSession.objects.none()
    condition = Q(psychologist=user) | Q(practitioner=user)
    managed = policy.team_ids_for(user, "supervision.team_sessions.read")
    if managed:
        condition |= Q(team_id__in=managed)
    return (
        SupervisionSession.objects.filter(condition)
        .defer(*NOTE_FIELDS)
        .select_related("psychologist", "practitioner", "team")
        .prefetch_related(
            "cases",
            Prefetch(
                "actions",
                queryset=SupervisionAction.objects.select_related(
                    "young_person", "assignee", "agency"
                ),
            ),
        )
        .order_by("-held_on", "-id")
    )


def sessions_readable_by(user) -> QuerySet:
    """`sessions_visible_to`, and the sessions that discussed a case the user may read: the
    case record links to the session its note came from, for everyone who reads the record
    (who sees that session's date, people, cases and actions, and the notes for the cases
    they may read; never its shared or private notes unless `may_read_shared_notes`)."""
    if not user.is_authenticated:
        return SupervisionSession.objects.none()
    own = sessions_visible_to(user).values("pk")
    readable = case_selectors.young_people_visible_to(user, include_archived=True)
    discussed = SupervisionSession.objects.filter(cases__in=readable).values("pk")
    return (
        SupervisionSession.objects.filter(Q(pk__in=own) | Q(pk__in=discussed))
        .defer(*NOTE_FIELDS)
        .select_related("psychologist", "practitioner", "team")
        .prefetch_related("cases", Prefetch("actions", queryset=_actions()))
    )


def may_read_notes(user, session) -> bool:
    """Private reflective notes are for the practitioner and the psychologist only."""
    return user.is_authenticated and user.pk in (session.psychologist_id, session.practitioner_id)


def may_read_shared_notes(user, session) -> bool:
    """Shared notes: the two participants and the managers of the session's team."""
    return may_read_notes(user, session) or policy.may(
        user, "supervision.team_sessions.read", session.team_id
    )


def notes_of(session) -> dict:
    """The notes that `sessions_visible_to` leaves out; ask `may_read_shared_notes` (shared)
    and `may_read_notes` (private) first."""
    return SupervisionSession.objects.values(*NOTE_FIELDS).get(pk=session.pk)


def case_notes_of(session, user) -> list:
    """The session's notes for the case records of the young people `user` may read."""
    readable = case_selectors.young_people_visible_to(user, include_archived=True)
    return list(
        SupervisionNote.objects.filter(session=session, young_person__in=readable).select_related(
            "young_person"
        )
    )


def cases_shown_on(session, user) -> tuple[list, list, int]:
    """The cases discussed and the agreed actions the session page shows `user`, and how many
    cases it leaves out.

    A case is shown when the user may read its record, or when it is still a case of the
    session's team and the user took part in the session or manages that team. A case that
    has since moved to another team (a transfer) is left out for the old team, and a reader
    of one case who came from its record sees no other team's cases: neither their
    references nor the actions about them (issue 17)."""
    cases = list(session.cases.all())
    actions = list(session.actions.all())
    people = {person.pk for person in cases} | {
        action.young_person_id for action in actions if action.young_person_id
    }
    readable = set(
        case_selectors.young_people_visible_to(user, include_archived=True)
        .filter(pk__in=people)
        .values_list("pk", flat=True)
    )
    own_session = may_read_shared_notes(user, session)

    def shown(person) -> bool:
        return person.pk in readable or (own_session and person.team_id == session.team_id)

    shown_cases = [person for person in cases if shown(person)]
    shown_actions = [
        action for action in actions if action.young_person is None or shown(action.young_person)
    ]
    return shown_cases, shown_actions, len(cases) - len(shown_cases)


def case_notes_for(young_person) -> QuerySet:
    """The notes supervision sessions wrote for this young person's record, newest first,
    with the session (its date and people, never its shared or private notes)."""
    return (
        SupervisionNote.objects.filter(young_person=young_person)
        .select_related("session__psychologist", "session__practitioner")
        .defer(*(f"session__{field}" for field in NOTE_FIELDS))
        .order_by("-session__held_on", "-id")
    )


def actions_visible_to(user) -> QuerySet:
    """Agreed actions of the sessions the user may see, and those given to the user."""
    visible = sessions_visible_to(user).values("pk")
    return SupervisionAction.objects.filter(
        Q(session_id__in=visible) | Q(assignee_id=user.pk)
    ).select_related("session")


def supervision_for_case(young_person) -> QuerySet:
    """Sessions in which the case was discussed, with their actions and the note for this
    case; the session's shared and private notes are not loaded."""
    return (
        SupervisionSession.objects.filter(cases=young_person)
        .only("id", "held_on", "duration_minutes", "psychologist", "practitioner", "team")
        .select_related("psychologist", "practitioner")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=SupervisionAction.objects.select_related(
                    "young_person", "assignee", "agency"
                ),
            ),
            Prefetch(
                "case_notes",
                queryset=SupervisionNote.objects.filter(young_person=young_person),
                to_attr="notes_for_case",
            ),
        )
        .order_by("-held_on", "-id")
    )


def open_actions(prefix: str = "") -> Q:
    """An agreed action not done yet (a session's "open actions"); `prefix` reaches the
    actions from another model (e.g. "actions__" from sessions)."""
    return Q(**{f"{prefix}done_on__isnull": True})


def sessions_held_by(user, *, since, limit: int) -> QuerySet:
    """The sessions `user` held as psychologist since `since` or with actions still open,
    newest first, each with `open_actions` counted; no notes, names of practitioners only."""
    return (
        SupervisionSession.objects.filter(psychologist=user)
        .annotate(open_actions=Count("actions", filter=open_actions("actions__")))
        .filter(Q(held_on__gte=since) | Q(open_actions__gt=0))
        .only("id", "session_ref", "held_on", "practitioner", "team")
        .select_related("practitioner", "team")
        .order_by("-held_on", "-id")[:limit]
    )


def open_action_count(user) -> int:
    """Agreed actions not done yet of the sessions `user` held as psychologist."""
    return SupervisionAction.objects.filter(open_actions(), session__psychologist=user).count()


# --- Management oversight -----------------------------------------------------------------------


def oversight_for_case(young_person) -> QuerySet:
    """The case's oversight entries, newest first, with the manager, the session each
    answers (never its notes) and the actions set."""
    return (
        OversightEntry.objects.filter(young_person=young_person)
        .select_related("manager", "responds_to__psychologist", "responds_to__practitioner")
        .defer(*(f"responds_to__{field}" for field in NOTE_FIELDS))
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=OversightAction.objects.select_related("assignee", "agency"),
            )
        )
        .order_by("-reviewed_on", "-id")
    )


def sessions_discussing(young_person) -> QuerySet:
    """The supervision sessions that discussed the case, newest first (no notes), for an
    oversight entry to answer."""
    return (
        SupervisionSession.objects.filter(cases=young_person)
        .defer(*NOTE_FIELDS)
        .select_related("psychologist", "practitioner")
        .order_by("-held_on", "-id")
    )


def oversight_entries_visible_to(user) -> QuerySet:
    """Oversight entries about young people the user may read (archived records too)."""
    readable = case_selectors.young_people_visible_to(user, include_archived=True)
    return OversightEntry.objects.filter(young_person__in=readable).select_related(
        "young_person__team", "manager"
    )


def oversight_actions_visible_to(user) -> QuerySet:
    """Oversight actions about young people the user may read."""
    readable = case_selectors.young_people_visible_to(user, include_archived=True)
    return OversightAction.objects.filter(entry__young_person__in=readable).select_related(
        "entry__young_person__team"
    )
