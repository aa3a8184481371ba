"""What supervision puts on a young person's timeline (`cases.selectors.TimelineKind`): each
note a session wrote for the case record, and each action agreed about the young person,
both linking to the session; and each management oversight entry, linking to it in the
case's oversight history. Never the session's shared or private notes."""

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.translation import gettext as _

from cases.selectors import TimelineKind

from .models import OversightEntry, SupervisionAction, SupervisionNote, SupervisionSession
from .selectors import NOTE_FIELDS, OVERSIGHT_PAGE_SIZE

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


_NEWEST_FIRST = (F("reviewed_on").desc(), F("id").desc())


def _oversight(young_person, include_archived):
    """The entries, each with its place in the case's oversight history (`position`, 1 for
    the newest), so that its link opens the history's page that shows it."""
    return (
        OversightEntry.objects.filter(young_person=young_person)
        .select_related("manager", "responds_to")
        .defer(*(f"responds_to__{field}" for field in NOTE_FIELDS))
        .annotate(position=Window(RowNumber(), order_by=_NEWEST_FIRST))
        .order_by(*_NEWEST_FIRST)
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
    """The entry in the case's oversight history (which links to the session it answers)."""
    page = (entry.position - 1) // OVERSIGHT_PAGE_SIZE + 1
    url = reverse("supervision:oversight-history", kwargs={"pk": entry.young_person_id})
    return f"{url}?page={page}#oversight-{entry.pk}" if page > 1 else f"{url}#oversight-{entry.pk}"


OVERSIGHT = TimelineKind(
    kind="oversight",
    records=_oversight,
    when=lambda entry: entry.reviewed_on,
    describe=_describe_oversight,
    by=lambda entry: entry.manager,
    url=_oversight_url,
)
