"""What supervision puts on a young person's timeline (`cases.selectors.TimelineKind`): each
note a session wrote for the case record, and each action agreed about the young person,
both linking to the session. Never the session's shared or private notes."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from cases.selectors import TimelineKind

from .models import OversightEntry, SupervisionAction, SupervisionNote, SupervisionSession
from .selectors import NOTE_FIELDS

_SESSION_WITHOUT_NOTES = tuple(f"session__{field}" for field in NOTE_FIELDS)


def _session_url(record) -> str:
    return reverse("supervision:session-detail", kwargs={"session_pk": record.session_id})


def _notes(young_person, include_archived):
    return (
        SupervisionNote.objects.filter(young_person=young_person)
        .select_related("session__psychologist", "session__practitioner")
        .defer(*_SESSION_WITHOUT_NOTES)
        .order_by("-session__held_on", "-id")
    )


def _describe_note(note):
    return (
        _("Clinical supervision note (%(psychologist)s with %(practitioner)s)")
        % {"psychologist": note.session.psychologist, "practitioner": note.session.practitioner},
        note.text,
    )


def _actions(young_person, include_archived):
    """Actions about this young person, and those about no one in particular of the
    sessions that discussed the case."""
    return (
        SupervisionAction.objects.filter(
            Q(young_person=young_person)
            | Q(
                young_person__isnull=True,
                session__in=SupervisionSession.objects.filter(cases=young_person).values("pk"),
            )
        )
        .select_related("session__psychologist", "assignee", "agency")
        .defer(*_SESSION_WITHOUT_NOTES)
        .order_by("-session__held_on", "-id")
    )


def _describe_action(action):
    detail = action.who
    if action.due_on:
        detail = _("%(who)s, due %(date)s") % {
            "who": action.who,
            "date": action.due_on.strftime("%d/%m/%Y"),
        }
    if action.done_on:
        detail = _("%(detail)s – done %(date)s") % {
            "detail": detail,
            "date": action.done_on.strftime("%d/%m/%Y"),
        }
    return (
        _("Clinical supervision action: %(action)s") % {"action": action.description},
        detail,
    )


NOTE = TimelineKind(
    kind="supervision_note",
    records=_notes,
    when=lambda note: note.session.held_on,
    describe=_describe_note,
    by=lambda note: note.session.psychologist,
    url=_session_url,
)

ACTION = TimelineKind(
    kind="supervision_action",
    records=_actions,
    when=lambda action: action.session.held_on,
    describe=_describe_action,
    by=lambda action: action.session.psychologist,
    url=_session_url,
)


def _oversight(young_person, include_archived):
    return (
        OversightEntry.objects.filter(young_person=young_person)
        .select_related("manager", "responds_to")
        .defer(*(f"responds_to__{field}" for field in NOTE_FIELDS))
        .order_by("-reviewed_on", "-id")
    )


def _describe_oversight(entry):
    parts = [_("Reviewed: %(what)s") % {"what": entry.reviewed}]
    parts.append(_("Decision: %(decision)s") % {"decision": entry.decision})
    if entry.responds_to_id:
        parts.append(
            _("In response to the clinical supervision of %(date)s")
            % {"date": entry.responds_to.held_on.strftime("%d/%m/%Y")}
        )
    return (_("Management oversight"), "\n".join(parts))


def _oversight_url(entry) -> str:
    """The session it answers (its actions are what it responds to), else the record's card."""
    if entry.responds_to_id:
        return reverse("supervision:session-detail", kwargs={"session_pk": entry.responds_to_id})
    return reverse("cases:youngperson-detail", args=[entry.young_person_id]) + "#oversight"


OVERSIGHT = TimelineKind(
    kind="oversight",
    records=_oversight,
    when=lambda entry: entry.reviewed_on,
    describe=_describe_oversight,
    by=lambda entry: entry.manager,
    url=_oversight_url,
)
