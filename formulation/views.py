"""Formulation meetings, formulations, the intervention plan, and the record-page panel.

Who gets what (tests/permissions/rows_formulation.py): the pages are found through the
scoped case selectors with `formulation.read` (practitioners, managers and psychologists of
the young person's team), so anyone else — another team, evaluators, administrators — gets
a logged 404. Inside the team, writing needs `formulation.write` (psychologists serving the
team), `plan.write` (all three roles) or `case.edit` (linking an appointment); a user who
can read but not write is told 403, also logged.

Every view of a formulation is written to the access log against the young person, so it
shows in the case's access log: "formulation.view", and "formulation.export" for the PDF.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import dates, drafts, pdf, policy
from accounts.access_log import get_visible_or_404, record_access
from cases import selectors as case_selectors
from cases.services import ConflictError
from cases.views.base import (
    add_service_errors,
    changed_fields,
    next_or,
    render_conflict,
    submitted,
    with_saved_version,
)

from . import selectors, services
from .forms import (
    AppointmentLinkForm,
    AttendanceForm,
    DistanceRatingsForm,
    FormulationForm,
    ItemEditForm,
    ItemForm,
    MeetingForm,
)
from .models import FormulationMeeting, MeetingKind

#: Appointments listed on the plan page to link to plan items (newest first).
PLAN_APPOINTMENTS = 20

ITEM_FIELDS = services.ITEM_FIELDS


def _deny(request, young_person, capability: str, action: str):
    record_access(
        request, action=action, obj=young_person, allowed=False, detail=f"lacks {capability}"
    )
    raise PermissionDenied


def _young_person(request, pk, *, capability: str = "formulation.read", action: str = ""):
    """The young person if the user may read their formulation (404, logged, otherwise),
    and may use `capability` on it (403, logged, otherwise).

    `action`, when given, is written to the access log as well as the selector's "case.view".
    """
    young_person = case_selectors.young_person_for_action(
        request,
        pk,
        capability=capability,
        action=action or "formulation.change",
        read_capability="formulation.read",
        viewed_as="case.view",
    )
    if action:
        record_access(request, action=action, obj=young_person)
    return young_person


def _meeting(request, meeting_pk, *, capability: str = "formulation.read", action: str):
    """A meeting of a young person whose formulation the user may read; 404 (logged) else.

    The view is logged against the young person, so the case's access log shows it.
    """
    try:
        meeting = selectors.meetings_readable_by(request.user).get(pk=meeting_pk)
    except FormulationMeeting.DoesNotExist:
        record_access(
            request,
            action=action,
            allowed=False,
            object_type=FormulationMeeting._meta.label_lower,
            object_id=str(meeting_pk),
            detail="not found or outside the user's scope",
        )
        raise Http404 from None
    young_person = meeting.young_person
    if not policy.may(request.user, capability, young_person.team):
        _deny(request, young_person, capability, action)
    record_access(request, action=action, obj=young_person, detail=f"meeting {meeting.pk}")
    return meeting


def _to_meetings(young_person, meeting=None):
    url = reverse("formulation:meeting-list", kwargs={"pk": young_person.pk})
    return redirect(f"{url}#meeting-{meeting.pk}" if meeting else url)


def _to_plan(young_person):
    return redirect("formulation:plan", pk=young_person.pk)


# --- Meetings ----------------------------------------------------------------------------------


@login_required
@require_GET
def meeting_list(request, pk):
    """Every meeting, newest first, with attendance and the formulation agreed at it."""
    young_person = _young_person(request, pk, action="formulation.view")
    team = young_person.team
    meetings = [
        {"meeting": meeting, "formulation": getattr(meeting, "formulation", None)}
        for meeting in selectors.meetings_for(young_person)
    ]
    return render(
        request,
        "formulation/meeting_list.html",
        {
            "young_person": young_person,
            "meetings": meetings,
            "today": timezone.localdate(),
            "may_write": policy.may(request.user, "formulation.write", team),
            "may_rate": services.may_rate_distance(request.user, team),
            "may_complete": policy.may(request.user, "formulation.write", team)
            or policy.may(request.user, "plan.write", team),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, pk):
    young_person = _young_person(request, pk, capability="formulation.write")
    form = MeetingForm(request.POST or None)
    if meeting := submitted(request, form, services.meeting_schedule, young_person=young_person):
        messages.success(
            request,
            _("%(kind)s on %(date)s scheduled")
            % {"kind": meeting.get_kind_display(), "date": dates.in_words(meeting.held_on)},
        )
        return _to_meetings(young_person, meeting)
    return render(
        request, "formulation/meeting_form.html", {"form": form, "young_person": young_person}
    )


@login_required
@require_http_methods(["GET", "POST"])
def attendance_edit(request, meeting_pk):
    """Record the meeting as held, with who attended from each invited agency."""
    meeting = _meeting(
        request, meeting_pk, capability="formulation.write", action="formulation.view"
    )
    invited = selectors.attendance_of(meeting)
    form = AttendanceForm(
        request.POST or None,
        invited=invited,
        initial={"duration_minutes": meeting.duration_minutes},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_record_attendance(
                by=request.user,
                meeting=meeting,
                attendance=form.attendance(),
                duration_minutes=form.cleaned_data["duration_minutes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Attendance at the meeting on %(date)s recorded")
                % {"date": dates.in_words(meeting.held_on)},
            )
            return _to_meetings(meeting.young_person, meeting)
    return render(
        request,
        "formulation/attendance_form.html",
        {
            "form": form,
            "meeting": meeting,
            "young_person": meeting.young_person,
            "agency_rows": [
                (form[f"attended_{agency_id}"], form[f"name_{agency_id}"])
                for agency_id in form.agency_ids
            ],
        },
    )


# --- Formulations ------------------------------------------------------------------------------


def _formulation_initial(meeting, existing) -> dict:
    """The saved formulation to revise, or for a review the previous one to start from."""
    if existing is not None:
        initial = {name: getattr(existing, name) for name in services.FORMULATION_FIELDS}
        initial["version"] = existing.version
        return initial
    if meeting.kind == MeetingKind.REVIEW:
        return services.formulation_starting_values(meeting)
    return {}


def _shown(value) -> str:
    if isinstance(value, date):
        return dates.in_words(value)
    return "" if value is None else str(value)


@drafts.kept
@login_required
@require_http_methods(["GET", "POST"])
def formulation_edit(request, meeting_pk):
    meeting = _meeting(
        request, meeting_pk, capability="formulation.write", action="formulation.view"
    )
    young_person = meeting.young_person
    existing = selectors.formulation_of(meeting)
    if request.method != "POST":
        form = drafts.restore(
            request,
            FormulationForm(
                initial=_formulation_initial(meeting, existing), team=young_person.team
            ),
        )
    else:
        form = FormulationForm(request.POST, team=young_person.team)
        if form.is_valid():
            try:
                services.formulation_record(
                    by=request.user,
                    meeting=meeting,
                    values=form.values(),
                    actions=form.cleaned_data["actions"],
                    version=form.cleaned_data["version"],
                )
            except ConflictError as conflict:
                return _formulation_conflict(request, form, conflict.current, young_person)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Formulation of the meeting on %(date)s saved")
                    % {"date": dates.in_words(meeting.held_on)},
                )
                return _to_meetings(young_person, meeting)
    return render(
        request,
        "formulation/formulation_form.html",
        {
            "form": form,
            "meeting": meeting,
            "young_person": young_person,
            "existing": existing,
            "starts_from_previous": existing is None and bool(form.initial),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def distance_edit(request, meeting_pk):
    """The distance-travelled ratings at a formulation: the young person's and the
    practitioner's, 1 to 5, per domain (issue 15). Only once the formulation is recorded."""
    meeting = _meeting(request, meeting_pk, action="formulation.view")
    young_person = meeting.young_person
    if not services.may_rate_distance(request.user, young_person.team):
        _deny(request, young_person, "formulation.write or case.edit", "formulation.distance")
    formulation = selectors.formulation_of(meeting)
    if formulation is None:
        raise Http404
    domains = selectors.distance_domains_for(formulation)
    initial = {"version": formulation.version}
    for domain, rating in domains:
        if rating is not None:
            initial[services.rating_field(domain, "self")] = rating.self_rating
            initial[services.rating_field(domain, "practitioner")] = rating.practitioner_rating
    form = DistanceRatingsForm(
        request.POST or None, initial=initial, domains=[domain for domain, _rating in domains]
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.distance_ratings_record(
                by=request.user,
                formulation=formulation,
                ratings=form.ratings(),
                version=form.cleaned_data["version"],
            )
        except ConflictError:
            form.add_error(
                None,
                _(
                    "Someone else changed this formulation or its ratings while you were "
                    "typing. Open the page again to see their changes, then enter yours."
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Distance travelled at the meeting on %(date)s saved")
                % {"date": dates.in_words(meeting.held_on)},
            )
            return _to_meetings(young_person, meeting)
    return render(
        request,
        "formulation/distance_form.html",
        {"form": form, "meeting": meeting, "young_person": young_person},
    )


def _formulation_conflict(request, form, current, young_person):
    """Another psychologist saved first: their text beside this one's, which is kept."""
    return render_conflict(
        request,
        form=with_saved_version(request, FormulationForm, current, team=young_person.team),
        current=current,
        young_person=young_person,
        what=_("formulation"),
        fields=changed_fields(
            form, current, services.FORMULATION_FIELDS, lambda _name, value: _shown(value)
        ),
    )


@login_required
@require_POST
def action_complete(request, action_pk):
    """Mark an agreed action of a formulation as done today."""
    action = get_visible_or_404(
        request,
        selectors.actions_readable_by(request.user),
        action="formulation.action_complete",
        pk=action_pk,
    )
    services.action_complete(by=request.user, action=action, done_on=timezone.localdate())
    messages.success(request, _("Agreed action marked as done"))
    meeting = action.formulation.meeting
    return next_or(request, _to_meetings(meeting.young_person, meeting))


def summary_context(meeting) -> dict:
    young_person = meeting.young_person
    meeting = selectors.meetings_for(young_person).get(pk=meeting.pk)
    meeting.young_person = young_person  # already loaded with its team and practitioner
    return {
        "meeting": meeting,
        "young_person": meeting.young_person,
        "formulation": getattr(meeting, "formulation", None),
        "ratings": selectors.ratings_at(meeting.formulation)
        if hasattr(meeting, "formulation")
        else [],
        "printed_on": timezone.localdate(),
    }


@login_required
@require_GET
def formulation_summary(request, meeting_pk):
    """A one-page summary of the formulation, with a print style sheet."""
    meeting = _meeting(request, meeting_pk, action="formulation.view")
    return render(request, "formulation/formulation_summary.html", summary_context(meeting))


def _pdf_filename(meeting) -> str:
    reference = pdf.filename_part(meeting.young_person.reference)
    return f"formulation-{reference}-{meeting.held_on:%Y-%m-%d}.pdf"


@login_required
@require_GET
def formulation_pdf(request, meeting_pk):
    """The same summary as a PDF to download (logged as an export)."""
    meeting = _meeting(request, meeting_pk, action="formulation.export")
    return pdf.pdf_response(
        request,
        "formulation/formulation_summary.html",
        summary_context(meeting),
        filename=_pdf_filename(meeting),
    )


# --- The intervention plan ---------------------------------------------------------------------


@login_required
@require_GET
def plan(request, pk):
    """The plan in order, warning beside items that target a stage above the current one."""
    young_person = _young_person(request, pk)
    team = young_person.team
    current_stage = selectors.current_stage(young_person)
    rows = selectors.plan_for(young_person, current_stage.number if current_stage else None)
    appointments = selectors.recent_appointments(young_person, PLAN_APPOINTMENTS)
    return render(
        request,
        "formulation/plan.html",
        {
            "young_person": young_person,
            "current_stage": current_stage,
            "rows": rows,
            "appointments": appointments,
            "may_write": policy.may(request.user, "plan.write", team),
            "may_link": policy.may(request.user, "case.edit", team),
        },
    )


@drafts.kept
@login_required
@require_http_methods(["GET", "POST"])
def item_create(request, pk):
    young_person = _young_person(request, pk, capability="plan.write")
    form = drafts.restore(request, ItemForm(request.POST or None))
    if item := submitted(request, form, services.intervention_add, young_person=young_person):
        messages.success(
            request, _("Intervention added to the plan: %(title)s") % {"title": item.title}
        )
        return _to_plan(young_person)
    return render(
        request, "formulation/item_form.html", {"form": form, "young_person": young_person}
    )


@drafts.kept
@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk, item_pk):
    young_person = _young_person(request, pk, capability="plan.write")
    item = get_visible_or_404(
        request,
        selectors.items_of(young_person),
        action="interventionitem.view",
        pk=item_pk,
    )
    if request.method != "POST":
        initial = {name: getattr(item, name) for name in ITEM_FIELDS}
        form = drafts.restore(request, ItemEditForm(initial={**initial, "version": item.version}))
    else:
        form = ItemEditForm(request.POST)
        if form.is_valid():
            changes = dict(form.cleaned_data)
            version = changes.pop("version")
            try:
                saved = services.intervention_update(
                    by=request.user, item=item, version=version, **changes
                )
            except ConflictError as conflict:
                return _item_conflict(request, form, conflict.current, young_person)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Intervention updated: %(title)s") % {"title": saved.title}
                )
                return _to_plan(young_person)
    return render(
        request,
        "formulation/item_form.html",
        {"form": form, "young_person": young_person, "item": item},
    )


def _item_conflict(request, form, current, young_person):
    statuses = dict(form.fields["status"].choices)

    def shown(name, value):
        return _shown(statuses.get(value, value) if name == "status" else value)

    return render_conflict(
        request,
        form=with_saved_version(request, ItemEditForm, current),
        current=current,
        young_person=young_person,
        what=_("plan item"),
        fields=changed_fields(form, current, ITEM_FIELDS, shown),
    )


@login_required
@require_http_methods(["GET", "POST"])
def appointment_link(request, pk, appointment_pk):
    """Say which plan item an appointment delivered (or none)."""
    young_person = _young_person(request, pk, capability="case.edit")
    appointment = get_visible_or_404(
        request,
        selectors.appointments_of(young_person),
        action="appointment.view",
        pk=appointment_pk,
    )
    items = selectors.items_in_order(young_person)
    linked = getattr(appointment, "delivered_intervention", None)
    form = AppointmentLinkForm(
        request.POST or None,
        items=items,
        initial={"item": str(linked.item_id) if linked else None},
    )
    if request.method == "POST" and form.is_valid():
        item = form.cleaned_data["item"]
        try:
            services.appointment_link_intervention(
                by=request.user, appointment=appointment, item=item
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            when = dates.in_words(appointment.starts_at)
            if item is None:
                text = _("Appointment on %(date)s is not linked to the plan") % {"date": when}
            else:
                text = _("Appointment on %(date)s linked to %(title)s") % {
                    "date": when,
                    "title": item.title,
                }
            messages.success(request, text)
            return _to_plan(young_person)
    return render(
        request,
        "formulation/appointment_link_form.html",
        {"form": form, "young_person": young_person, "appointment": appointment, "items": items},
    )


def _change_in_words(first: int, latest: int) -> str:
    if latest > first:
        return _("up %(by)d, from %(first)d to %(latest)d") % {
            "by": latest - first,
            "first": first,
            "latest": latest,
        }
    if latest < first:
        return _("down %(by)d, from %(first)d to %(latest)d") % {
            "by": first - latest,
            "first": first,
            "latest": latest,
        }
    return _("no change, %(rating)d") % {"rating": latest}


def distance_rows(travelled) -> list[dict]:
    """Each domain's first and latest ratings in words a practitioner reads at a glance."""
    rows = []
    for row in travelled:
        first_meeting, latest_meeting = (
            row.first.formulation.meeting,
            row.latest.formulation.meeting,
        )
        rows.append(
            {
                "domain": row.domain.label,
                "first_on": first_meeting.held_on,
                "latest_on": latest_meeting.held_on,
                "rated_once": row.rated_once,
                "self": _change_in_words(row.first.self_rating, row.latest.self_rating),
                "practitioner": _change_in_words(
                    row.first.practitioner_rating, row.latest.practitioner_rating
                ),
                "first_self": row.first.self_rating,
                "first_practitioner": row.first.practitioner_rating,
            }
        )
    return rows


# --- The record page's panel -------------------------------------------------------------------


def panel_context(request, young_person) -> dict | None:
    """The record page's formulation card: the latest formulation's headline, no free text.

    Two queries: the latest formulation (with its meeting and stage) and the agreed
    actions past their due date, each named with who does it. Hidden from anyone who may
    not read formulations.
    """
    team = young_person.team
    if not policy.may(request.user, "formulation.read", team):
        return None
    today = timezone.localdate()
    latest = selectors.latest_formulation(young_person)
    overdue_actions = selectors.overdue_actions(young_person, today)
    return {
        "young_person": young_person,
        "latest": latest,
        "distance": distance_rows(selectors.distance_travelled(young_person)),
        "review_overdue": bool(latest and latest.next_review_on and latest.next_review_on < today),
        "overdue_actions": overdue_actions,
        "may_write": policy.may(request.user, "formulation.write", team)
        and not young_person.is_archived,
    }
