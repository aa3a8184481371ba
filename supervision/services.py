"""Writes for clinical supervision: sessions (psychologists create them) and their actions."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.history import save_by, save_version
from accounts.models import Membership, Role
from cases import rules, tasks
from cases.services import ConflictError, event_record

from .models import (
    OversightAction,
    OversightEntry,
    SupervisionAction,
    SupervisionNote,
    SupervisionSession,
)


def shared_team(psychologist, practitioner):
    """A team the psychologist serves in which the practitioner works (or None)."""
    served = policy.team_ids_for(psychologist, "supervision.create") or set()
    membership = (
        Membership.objects.filter(user=practitioner, role=Role.PRACTITIONER, team_id__in=served)
        .select_related("team")
        .order_by("team__name")
        .first()
    )
    return membership.team if membership else None


def practitioner_team(psychologist, practitioner, team):
    """`team` if the psychologist serves it and the practitioner works in it (or None)."""
    served = policy.team_ids_for(psychologist, "supervision.create") or set()
    if team is None or team.pk not in served:
        return None
    works_there = Membership.objects.filter(
        user=practitioner, role=Role.PRACTITIONER, team=team
    ).exists()
    return team if works_there else None


def _validate(errors, *, held_on, team, cases, actions, duration_minutes=None, case_notes=None):
    """The session's rules. Every young person named — a case discussed or the subject of an
    action — must be in the session's team, whose manager sees the session: a child of
    another team would otherwise appear to that team. A note for the case record is for a
    case discussed."""
    in_future = rules.not_in_future(held_on, _("Date of the session"), today=timezone.localdate())
    if in_future:
        errors.setdefault("held_on", []).append(in_future)
    duration = rules.duration_invalid(duration_minutes)
    if duration:
        errors.setdefault("duration_minutes", []).append(duration)
    discussed = {person.pk for person in cases}
    for person, text in (case_notes or {}).items():
        if (text or "").strip() and person.pk not in discussed:
            errors.setdefault("cases", []).append(
                _("Tick %(ref)s as a case discussed, or leave its note for the case record empty")
                % {"ref": person.reference}
            )
    outside = [person for person in cases if person.team_id != getattr(team, "pk", None)]
    if team is not None and outside:
        errors.setdefault("cases", []).append(
            _("Cases discussed must be in %(team)s: %(refs)s")
            % {"team": team.label, "refs": ", ".join(person.reference for person in outside)}
        )
    for index, action in enumerate(actions, start=1):
        person = action.get("young_person")
        if team is not None and person is not None and person.team_id != team.pk:
            errors.setdefault("actions", []).append(
                _("Action %(number)d: the young person must be in %(team)s")
                % {"number": index, "team": team.label}
            )
        tasks.validate(errors, index, action, team)
        due = action.get("due_on")
        if due is not None and due < held_on:
            errors.setdefault("actions", []).append(
                _("Action %(number)d: the due date cannot be before the session")
                % {"number": index}
            )


@transaction.atomic
def session_record(
    *,
    by,
    practitioner,
    held_on: date,
    cases=(),
    shared_notes: str = "",
    private_notes: str = "",
    actions: list[dict] = (),
    session_ref: str | None = None,
    team=None,
    duration_minutes: int | None = None,
    case_notes: dict | None = None,
) -> SupervisionSession:
    """A psychologist records supervision of a practitioner in a team they serve.

    `team`: the practitioner's team the session belongs to (its manager sees it); without
    one, the first team (by name) that the psychologist serves and the practitioner works in.
    `case_notes`: young person → the note for their case record (cases discussed only).
    """
    policy.require(by, "supervision.create")
    cases, actions = list(cases), list(actions)
    if team is None:
        team = shared_team(by, practitioner)
        refused = _("%(name)s is not a practitioner in a team you serve")
    else:
        team = practitioner_team(by, practitioner, team)
        refused = _("%(name)s is not a practitioner in that team, or you do not serve it")
    errors: dict = {}
    if team is None:
        errors["practitioner"] = [refused % {"name": practitioner}]
    _validate(
        errors,
        held_on=held_on,
        team=team,
        cases=cases,
        actions=actions,
        duration_minutes=duration_minutes,
        case_notes=case_notes,
    )
    if errors:
        raise ValidationError(errors)
    session = SupervisionSession.objects.create(
        held_on=held_on,
        duration_minutes=duration_minutes,
        psychologist=by,
        practitioner=practitioner,
        team=team,
        shared_notes=shared_notes,
        private_notes=private_notes,
        session_ref=session_ref,
    )
    session.cases.set(cases)
    _save_case_notes(session, case_notes or {}, by=by)
    _add_actions(session, actions)
    for person in cases:
        event_record(
            young_person=person,
            action="supervision.discussed",
            by=by,
            session=session.pk,
            held_on=held_on.isoformat(),
        )
    return session


def _save_case_notes(session, case_notes: dict, *, by) -> None:
    """Write, revise or remove (when emptied, or the case is no longer discussed) the notes
    for the case records, each a versioned record with its own history."""
    discussed = set(session.cases.values_list("pk", flat=True))
    texts = {person.pk: (text or "").strip() for person, text in case_notes.items()}
    for note in SupervisionNote.objects.filter(session=session):
        text = texts.pop(note.young_person_id, None)
        if not text or note.young_person_id not in discussed:
            note._history_user = by
            note.delete()
        elif text != note.text:
            note.text = text
            save_version(note, by)
    for young_person_id, text in texts.items():
        if text and young_person_id in discussed:
            note = SupervisionNote(session=session, young_person_id=young_person_id, text=text)
            save_by(note, by)


def _add_actions(session, actions):
    SupervisionAction.objects.bulk_create(
        SupervisionAction(
            session=session,
            young_person=action.get("young_person"),
            description=action["description"].strip(),
            due_on=action.get("due_on"),
            **tasks.task_fields(action),
        )
        for action in actions
    )


@transaction.atomic
def session_update(
    *,
    by,
    session,
    version: int,
    shared_notes: str,
    private_notes: str,
    cases=None,
    new_actions: list[dict] = (),
    duration_minutes: int | None = None,
    case_notes: dict | None = None,
) -> SupervisionSession:
    """The psychologist who held the session revises its notes (version-checked).

    `duration_minutes` and `case_notes` (young person → note): None leaves them as they are;
    notes of cases no longer discussed are removed."""
    if session.psychologist_id != by.pk:
        raise PermissionDenied
    current = SupervisionSession.objects.select_for_update().get(pk=session.pk)
    if current.version != version:
        raise ConflictError(current)
    cases = list(cases) if cases is not None else list(current.cases.all())
    new_actions = list(new_actions)
    errors: dict = {}
    _validate(
        errors,
        held_on=current.held_on,
        team=current.team,
        cases=cases,
        actions=new_actions,
        duration_minutes=duration_minutes,
        case_notes=case_notes,
    )
    if errors:
        raise ValidationError(errors)
    current.shared_notes = shared_notes
    current.private_notes = private_notes
    if duration_minutes is not None:
        current.duration_minutes = duration_minutes
    save_version(current, by)
    current.cases.set(cases)
    if case_notes is None:
        case_notes = {note.young_person: note.text for note in current.case_notes.all()}
    _save_case_notes(current, case_notes, by=by)
    _add_actions(current, new_actions)
    return current


@transaction.atomic
def action_complete(*, by, action: SupervisionAction, done_on: date) -> SupervisionAction:
    session = action.session
    if by.pk not in (session.psychologist_id, session.practitioner_id, action.assignee_id):
        raise PermissionDenied
    tasks.mark_done(action, by=by, done_on=done_on)
    return action


# --- Management oversight -------------------------------------------------------------------------


def _validate_oversight(
    errors, *, young_person, reviewed_on, reviewed, decision, responds_to, actions
):
    """An oversight entry's rules: a date not in the future nor before the referral, what
    was reviewed and the decision said, a session answered that discussed this case, and
    actions given to the team's staff (or someone outside), due no earlier than the date."""
    in_future = rules.not_in_future(
        reviewed_on, _("Date of the oversight"), today=timezone.localdate()
    )
    if in_future:
        errors.setdefault("reviewed_on", []).append(in_future)
    elif reviewed_on < young_person.referral_date:
        errors.setdefault("reviewed_on", []).append(
            _("Date of the oversight cannot be before the referral (%(date)s)")
            % {"date": rules.shown(young_person.referral_date)}
        )
    if not (reviewed or "").strip():
        errors.setdefault("reviewed", []).append(_("Say what you reviewed"))
    if not (decision or "").strip():
        errors.setdefault("decision", []).append(_("Say what you decided"))
    if responds_to is not None and not responds_to.cases.filter(pk=young_person.pk).exists():
        errors.setdefault("responds_to", []).append(
            _("Choose a supervision session in which this case was discussed")
        )
    for index, action in enumerate(actions, start=1):
        tasks.validate(errors, index, action, young_person.team)
        due = action.get("due_on")
        if due is not None and due < reviewed_on:
            errors.setdefault("actions", []).append(
                _("Action %(number)d: the due date cannot be before the oversight")
                % {"number": index}
            )


def _add_oversight_actions(entry, actions, *, by):
    for action in actions:
        task = OversightAction(
            entry=entry,
            description=action["description"].strip(),
            due_on=action.get("due_on"),
            **tasks.task_fields(action),
        )
        save_by(task, by)


@transaction.atomic
def oversight_record(
    *,
    by,
    young_person,
    reviewed_on: date,
    reviewed: str,
    decision: str,
    responds_to=None,
    actions: list[dict] = (),
) -> OversightEntry:
    """A manager records oversight of a case in a team they manage (DESIGN.md section 6:
    "management oversight entries — write, own teams")."""
    policy.require(by, "oversight.write", young_person.team)
    actions = list(actions)
    errors: dict = {}
    _validate_oversight(
        errors,
        young_person=young_person,
        reviewed_on=reviewed_on,
        reviewed=reviewed,
        decision=decision,
        responds_to=responds_to,
        actions=actions,
    )
    if errors:
        raise ValidationError(errors)
    entry = OversightEntry(
        young_person=young_person,
        reviewed_on=reviewed_on,
        manager=by,
        reviewed=reviewed.strip(),
        decision=decision.strip(),
        responds_to=responds_to,
    )
    save_by(entry, by)
    _add_oversight_actions(entry, actions, by=by)
    event_record(
        young_person=young_person,
        action="oversight.recorded",
        by=by,
        reviewed_on=reviewed_on.isoformat(),
    )
    return entry


@transaction.atomic
def oversight_update(
    *,
    by,
    entry,
    version: int,
    reviewed_on: date,
    reviewed: str,
    decision: str,
    responds_to=None,
    new_actions: list[dict] = (),
) -> OversightEntry:
    """A manager of the case's team revises an oversight entry, refusing to overwrite a
    change they have not seen."""
    policy.require(by, "oversight.write", entry.young_person.team)
    current = OversightEntry.objects.select_for_update().get(pk=entry.pk)
    if current.version != version:
        raise ConflictError(current)
    new_actions = list(new_actions)
    errors: dict = {}
    _validate_oversight(
        errors,
        young_person=entry.young_person,
        reviewed_on=reviewed_on,
        reviewed=reviewed,
        decision=decision,
        responds_to=responds_to,
        actions=new_actions,
    )
    if errors:
        raise ValidationError(errors)
    current.reviewed_on = reviewed_on
    current.reviewed = reviewed.strip()
    current.decision = decision.strip()
    current.responds_to = responds_to
    save_version(current, by)
    _add_oversight_actions(current, new_actions, by=by)
    return current


@transaction.atomic
def oversight_action_complete(*, by, action: OversightAction, done_on: date) -> OversightAction:
    """The one given the action, or a manager of the case's team, marks it done."""
    team = action.entry.young_person.team
    if by.pk != action.assignee_id and not policy.may(by, "oversight.write", team):
        raise PermissionDenied
    tasks.mark_done(action, by=by, done_on=done_on)
    return action
