"""Clinical supervision: the sessions list, recording and revising a session, its actions,
the record page's "Discussed in clinical supervision" panel; and management oversight of a
case (its history page, recording, revising, its actions, the record page's "Management
oversight" panel).

Four layers of visibility (supervision/models.py): that a session happened, its agreed
actions and its notes for the case records (everyone who may read a case discussed, on the
record, its timeline and the session's page); the shared notes (the practitioner, the
psychologist and the team's managers); the private reflective notes (the practitioner and
the psychologist only). The session's own notes are read only after
`selectors.may_read_shared_notes` or `selectors.may_read_notes` has said yes; the list and
the panel never load them, so no template can show them by mistake.

Who gets what (tests/permissions/rows_supervision.py): a session the user may not see is a
logged 404; the list is 403 for roles without `supervision.actions.read` (evaluators,
administrators); recording is for psychologists, revising for the one who held the session.
The cases a session may name are the supervised practitioner's caseload in the session's team.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import dates, drafts, policy
from accounts.access_log import get_visible_or_404, record_access, record_list_view
from cases import selectors as case_selectors
from cases.services import ConflictError
from cases.views.base import (
    add_service_errors,
    changed_fields,
    next_or,
    render_conflict,
    with_saved_version,
)

from . import rules, selectors, services
from .forms import (
    OversightForm,
    PractitionerChoiceForm,
    SessionEditForm,
    SessionForm,
    case_note_name,
)
from .models import SupervisionSession

SESSIONS_PAGE_SIZE = 25
#: Sessions the record page lists (newest first).
PANEL_SESSIONS = 10


def _session(request, session_pk, *, action: str) -> SupervisionSession:
    """A session the user may see (without its notes), logged; 404 (logged) otherwise."""
    return get_visible_or_404(
        request, selectors.sessions_visible_to(request.user), action=action, pk=session_pk
    )


def _notes(request, session) -> dict | None:
    """The shared and private notes, for the practitioner and the psychologist only."""
    if not selectors.may_read_notes(request.user, session):
        return None
    return selectors.notes_of(session)


def _cases_to_choose(user, *, practitioner, team, session=None):
    """Young people the psychologist may name: the practitioner's caseload in the session's
    team (and, when revising, the cases the session already names, so none is dropped)."""
    allocated = Q(practitioner=practitioner)
    if session is not None:
        allocated |= Q(pk__in=session.cases.values("pk"))
    return case_selectors.young_people_visible_to(user).filter(allocated, team=team)


@login_required
@require_GET
def session_list(request):
    policy.require(request.user, "supervision.actions.read")
    sessions = selectors.sessions_visible_to(request.user)
    page = Paginator(sessions, SESSIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    named = {person.pk for session in shown for person in session.cases.all()}
    named |= {action.young_person_id for session in shown for action in session.actions.all()}
    record_list_view(
        request,
        action="supervision.list",
        count=len(shown),
        what="supervision sessions",
        total=page.paginator.count,
        young_people=len(named - {None}),
        filters={"page": page.number if page.number > 1 else None},
    )
    return render(
        request,
        "supervision/session_list.html",
        {
            "page": page,
            "sessions": shown,
            "may_create": policy.may(request.user, "supervision.create"),
        },
    )


@drafts.kept
@login_required
@require_http_methods(["GET", "POST"])
def session_create(request):
    """Two steps: choose the practitioner (and team), then the session with their caseload.

    The choice travels in the query string (`?supervised=`), so the second step's form posts
    back to the same address and, on an error, shows again with everything typed.
    """
    policy.require(request.user, "supervision.create")
    choice = PractitionerChoiceForm(
        request.GET if "supervised" in request.GET else None,
        teams=policy.teams_for(request.user, "supervision.create"),
    )
    if not choice.is_valid():
        return render(request, "supervision/session_choose_practitioner.html", {"form": choice})
    supervised = choice.cleaned_data["supervised"]
    caseload = _cases_to_choose(request.user, practitioner=supervised.user, team=supervised.team)
    form = drafts.restore(
        request,
        SessionForm(
            request.POST or None,
            young_people=caseload,
            team=supervised.team,
            practitioner=supervised.user,
        ),
    )
    record_list_view(
        request,
        action="supervision.create",
        count=caseload.count(),
        what="young people offered (the practitioner's caseload)",
        filters={"practitioner": str(supervised.user), "team": supervised.team.code},
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_record(
                by=request.user,
                practitioner=supervised.user,
                team=supervised.team,
                **form.service_arguments(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Supervision session with %(name)s on %(date)s recorded")
                % {"name": session.practitioner, "date": dates.in_words(session.held_on)},
            )
            return redirect("supervision:session-detail", session_pk=session.pk)
    return render(
        request,
        "supervision/session_form.html",
        {"form": form, "creating": True, "supervised": supervised},
    )


@login_required
@require_GET
def session_detail(request, session_pk):
    """The session for its participants and the team's managers, and — for the notes it
    wrote on their records — for everyone who may read a case discussed (who see the date,
    the people, the cases, the actions and the case notes they may read, never the shared or
    private notes)."""
    session = get_visible_or_404(
        request,
        selectors.sessions_readable_by(request.user),
        action="supervision.view",
        pk=session_pk,
    )
    notes = (
        selectors.notes_of(session)
        if selectors.may_read_shared_notes(request.user, session)
        else {}
    )
    private = selectors.may_read_notes(request.user, session)
    cases, actions, cases_left_out = selectors.cases_shown_on(session, request.user)
    return render(
        request,
        "supervision/session_detail.html",
        {
            "session": session,
            "cases": cases,
            "actions": actions,
            "cases_left_out": cases_left_out,
            "shared_notes": notes.get("shared_notes") if notes else None,
            "private_notes": notes.get("private_notes") if private else None,
            "case_notes": selectors.case_notes_of(session, request.user),
            "may_edit": session.psychologist_id == request.user.pk,
            "may_complete": request.user.pk in (session.psychologist_id, session.practitioner_id),
        },
    )


@drafts.kept
@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, session_pk):
    """The psychologist who held the session revises it, refusing to overwrite a change."""
    session = _session(request, session_pk, action="supervision.edit")
    if session.psychologist_id != request.user.pk:
        record_access(
            request,
            action="supervision.edit",
            obj=session,
            allowed=False,
            detail="not the psychologist who held the session",
        )
        raise PermissionDenied
    choices = {
        "young_people": _cases_to_choose(
            request.user, practitioner=session.practitioner, team=session.team, session=session
        ),
        "team": session.team,
        "practitioner": session.practitioner,
    }
    if request.method != "POST":
        notes = _notes(request, session)
        form = drafts.restore(
            request,
            SessionEditForm(
                initial={
                    **notes,
                    "cases": list(session.cases.all()),
                    "version": session.version,
                    "duration_minutes": session.duration_minutes,
                    **{
                        case_note_name(note.young_person): note.text
                        for note in session.case_notes.select_related("young_person")
                    },
                },
                **choices,
            ),
        )
    else:
        form = SessionEditForm(request.POST, **choices)
        if form.is_valid():
            try:
                services.session_update(
                    by=request.user, session=session, **form.service_arguments()
                )
            except ConflictError as conflict:
                return _session_conflict(request, form, conflict.current, choices)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Supervision session on %(date)s saved")
                    % {"date": dates.in_words(session.held_on)},
                )
                return redirect("supervision:session-detail", session_pk=session.pk)
    return render(
        request,
        "supervision/session_form.html",
        {"form": form, "session": session, "creating": False},
    )


def _session_conflict(request, form, current, choices):
    """Someone saved the session first: their notes beside these, which are kept."""
    rows = changed_fields(
        form, current, ("shared_notes", "private_notes"), lambda _name, value: value
    )
    saved_cases = sorted(person.reference for person in current.cases.all())
    typed_cases = sorted(person.reference for person in form.cleaned_data.get("cases", []))
    if saved_cases != typed_cases:
        rows.append((form.fields["cases"].label, ", ".join(saved_cases), ", ".join(typed_cases)))
    return render(
        request,
        "supervision/session_conflict.html",
        {
            "form": with_saved_version(request, SessionEditForm, current, **choices),
            "session": current,
            "fields": rows,
        },
        status=409,
    )


@login_required
@require_POST
def action_complete(request, action_pk):
    """The practitioner or the psychologist marks an agreed action as done today."""
    action = get_visible_or_404(
        request,
        selectors.actions_visible_to(request.user),
        action="supervision.action_complete",
        pk=action_pk,
    )
    services.action_complete(by=request.user, action=action, done_on=timezone.localdate())
    messages.success(request, _("Action marked as done"))
    return next_or(request, redirect("supervision:session-detail", session_pk=action.session_id))


# --- The record page's panel -------------------------------------------------------------------


def panel_context(request, young_person) -> dict | None:
    """When the case was discussed in supervision, the note for this case's record, and the
    actions agreed; never the session's shared or private notes.

    Three queries (the sessions without their notes, their actions, the notes for this
    case). Actions about another young person are left out: the card is about this case.
    """
    if not policy.may(request.user, "supervision.actions.read", young_person.team):
        return None
    sessions = selectors.supervision_for_case(young_person)[:PANEL_SESSIONS]
    return {
        "young_person": young_person,
        "sessions": [
            {
                "session": session,
                "note": session.notes_for_case[0] if session.notes_for_case else None,
                "actions": [
                    action
                    for action in session.actions.all()
                    if action.young_person_id in (None, young_person.pk)
                ],
            }
            for session in sessions
        ],
    }


# --- Management oversight ------------------------------------------------------------------------


@login_required
@require_GET
def oversight_history(request, pk):
    """Every oversight entry of the case, newest first, a page at a time: for everyone who
    may read the record (DESIGN.md section 6), as its "Management oversight" card, which
    shows only the newest. Three queries past the record (the count, the entries with their
    people, their actions), whatever the number of entries."""
    young_person = case_selectors.young_person_for(request, pk, action="oversight.history")
    page = Paginator(
        selectors.oversight_for_case(young_person), selectors.OVERSIGHT_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/oversight_history.html",
        {
            "young_person": young_person,
            "page": page,
            "entries": list(page.object_list),
            "may_record": policy.may(request.user, "oversight.write", young_person.team)
            and not young_person.is_archived,
            "today": timezone.localdate(),
        },
    )


def _oversight_form(request, young_person, **kwargs):
    return OversightForm(
        request.POST or None,
        sessions=selectors.sessions_discussing(young_person),
        team=young_person.team,
        **kwargs,
    )


@login_required
@require_http_methods(["GET", "POST"])
def oversight_create(request, pk):
    """A manager records oversight of a case in their team (others who read it: 403)."""
    young_person = case_selectors.young_person_for_action(
        request, pk, capability="oversight.write", action="oversight.create"
    )
    form = _oversight_form(
        request,
        young_person,
        initial={
            "reviewed_on": timezone.localdate(),
            "responds_to": request.GET.get("session"),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.oversight_record(
                by=request.user,
                young_person=young_person,
                actions=form.cleaned_data["actions"],
                **form.service_arguments(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Management oversight of %(name)s on %(date)s recorded")
                % {"name": young_person.full_name, "date": dates.in_words(entry.reviewed_on)},
            )
            return redirect(f"{reverse('cases:youngperson-detail', args=[pk])}#oversight")
    return render(
        request,
        "supervision/oversight_form.html",
        {"form": form, "young_person": young_person, "creating": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def oversight_edit(request, entry_pk):
    """A manager of the case's team revises an oversight entry, refusing to overwrite a
    change saved meanwhile (the other person's values are shown beside theirs)."""
    entry = get_visible_or_404(
        request,
        selectors.oversight_entries_visible_to(request.user),
        action="oversight.edit",
        pk=entry_pk,
    )
    young_person = entry.young_person
    if not policy.may(request.user, "oversight.write", young_person.team):
        record_access(
            request, action="oversight.edit", obj=entry, allowed=False, detail="not a manager"
        )
        raise PermissionDenied
    form = _oversight_form(
        request,
        young_person,
        initial={
            "version": entry.version,
            "reviewed_on": entry.reviewed_on,
            "reviewed": entry.reviewed,
            "decision": entry.decision,
            "responds_to": entry.responds_to_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.oversight_update(
                by=request.user,
                entry=entry,
                version=form.cleaned_data["version"] or 0,
                new_actions=form.cleaned_data["actions"],
                **form.service_arguments(),
            )
        except ConflictError as conflict:
            current = conflict.current
            return render_conflict(
                request,
                form=with_saved_version(
                    request,
                    OversightForm,
                    current,
                    sessions=selectors.sessions_discussing(young_person),
                    team=young_person.team,
                ),
                current=current,
                young_person=young_person,
                what=_("management oversight"),
                fields=changed_fields(
                    form,
                    current,
                    ("reviewed_on", "reviewed", "decision"),
                    lambda _name, value: (
                        dates.in_words(value) if hasattr(value, "isoformat") else str(value or "")
                    ),
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Management oversight of %(name)s on %(date)s saved")
                % {"name": young_person.full_name, "date": dates.in_words(entry.reviewed_on)},
            )
            return redirect(
                f"{reverse('cases:youngperson-detail', args=[young_person.pk])}#oversight"
            )
    return render(
        request,
        "supervision/oversight_form.html",
        {"form": form, "young_person": young_person, "entry": entry, "creating": False},
    )


@login_required
@require_POST
def oversight_action_complete(request, action_pk):
    """The one given an oversight action, or a manager of the team, marks it done today."""
    action = get_visible_or_404(
        request,
        selectors.oversight_actions_visible_to(request.user),
        action="oversight.action_complete",
        pk=action_pk,
    )
    services.oversight_action_complete(by=request.user, action=action, done_on=timezone.localdate())
    messages.success(request, _("Action marked as done"))
    young_person_pk = action.entry.young_person_id
    return next_or(
        request,
        redirect(f"{reverse('cases:youngperson-detail', args=[young_person_pk])}#oversight"),
    )


def oversight_panel_context(request, young_person) -> dict | None:
    """The record page's "Management oversight" card: every entry (date, manager, what was
    reviewed, the decision, the supervision session it answers, its actions), for everyone
    who may read the record. Two queries (the entries with their people, their actions)."""
    if not policy.may(request.user, "case.read", young_person.team):
        return None
    entries = list(selectors.oversight_for_case(young_person)[:PANEL_SESSIONS])
    return {
        "young_person": young_person,
        "entries": entries,
        "may_record": policy.may(request.user, "oversight.write", young_person.team)
        and not young_person.is_archived,
        "stale": not entries
        or entries[0].reviewed_on < rules.oversight_due_since(timezone.localdate()),
    }
