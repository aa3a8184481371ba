"""One young person: the referral, the record page, corrections, archiving, the full
timeline, the TRM chart, and (for managers) the change history and the access log.

Every page finds the young person through `selectors.young_person_for` (or
`young_person_for_action`, for pages that need more than reading the case), which scopes the
lookup to the user's teams, answers 404 for anything outside them and writes the access-log
row. Pages about one young person therefore cost the same number of queries whatever the
number of records (one query per kind of record, never one per row).

Who gets what (the permission matrix, tests/permissions/rows_young_people.py): outside the
user's teams every page is 404, so existence does not leak. Inside them, a user who may read
the case but not do the action (a psychologist opening "edit", a practitioner opening the
access log) gets 403: they already know the record exists, and 403 says "not for you"
rather than "not there".
"""

from collections import defaultdict
from datetime import date

from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts import dates, pdf, policy
from accounts.access_log import action_label, entries_about

from .. import change_history, charts, panels, selectors, services
from ..forms.young_people import ArchiveForm, ReferralForm, YoungPersonEditForm
from ..models import (
    ConsentDecision,
    ConsentParty,
    ConsentPurpose,
)
from .base import (
    add_service_errors,
    changed_fields,
    render_conflict,
    submitted,
    with_saved_version,
)

#: How many of the newest timeline entries the record page shows (the rest: full timeline).
TIMELINE_PREVIEW = 20
#: How many appointments the record page lists (newest first; all are on the timeline).
APPOINTMENTS_PREVIEW = 10
TIMELINE_PAGE_SIZE = 50
ACCESS_LOG_PAGE_SIZE = 50

#: Access-log actions written by these pages, and how the access log page names them.
ACTION_LABELS = {
    "case.view": gettext_lazy("Viewed the record"),
    "case.edit": gettext_lazy("Opened or saved the details form"),
    "case.archive": gettext_lazy("Opened or used the archive page"),
    "case.timeline": gettext_lazy("Viewed the full timeline"),
    "case.summary": gettext_lazy("Viewed the case summary"),
    "case.summary_export": gettext_lazy("Downloaded the case summary as a PDF"),
    "case.trm_chart": gettext_lazy("Viewed the TRM stage chart"),
    "case.history": gettext_lazy("Viewed the change history"),
    "case.access_log": gettext_lazy("Viewed the access log"),
}

#: Domain events (CaseEvent.action) as the history page names them.
EVENT_LABELS = {
    "case.referred": gettext_lazy("Referral added"),
    "case.reallocated": gettext_lazy("Case reallocated"),
    "consent.given": gettext_lazy("Consent given"),
    "consent.refused": gettext_lazy("Consent refused"),
    "consent.withdrawn": gettext_lazy("Consent withdrawn"),
    "consent.parent_requirement_changed": gettext_lazy(
        "Parent or carer consent requirement changed"
    ),
    "need.recorded": gettext_lazy("Need recorded"),
    "offence.recorded": gettext_lazy("Offence recorded"),
    "order.recorded": gettext_lazy("Order recorded"),
    "breach.recorded": gettext_lazy("Breach recorded"),
    "custody.recorded": gettext_lazy("Custody episode recorded"),
    "trm.assessed": gettext_lazy("TRM stage assessed"),
    "appointment.logged": gettext_lazy("Appointment logged"),
    "appointment.updated": gettext_lazy("Appointment updated"),
    "record.archived": gettext_lazy("Record archived"),
}

#: Timeline kinds (selectors.timeline_for) → the kind slug of `cases:record-archive`.
ARCHIVE_KIND = {
    "need": "need",
    "offence": "offence",
    "order": "order",
    "breach": "breach",
    "custody": "custody",
    "consent": "consent",
    "trm": "trmassessment",
    "appointment": "appointment",
}

CONSENT_TAG_CLASSES = {
    ConsentDecision.GIVEN: "govuk-tag--green",
    ConsentDecision.REFUSED: "govuk-tag--red",
    ConsentDecision.WITHDRAWN: "govuk-tag--orange",
}


def _timeline_rows(entries):
    """Kinds other apps add to the timeline (no `ARCHIVE_KIND`) are archived where they are
    recorded, not from the timeline."""
    return [{"entry": entry, "archive_kind": ARCHIVE_KIND.get(entry.kind, "")} for entry in entries]


def _refuse_if_archived(request, young_person):
    """Archived records are kept as they were: readable, not changed."""
    if young_person.is_archived:
        messages.info(request, _("This record is archived and can no longer be changed."))
        return redirect("cases:youngperson-detail", pk=young_person.pk)
    return None


# --- Referral ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def refer(request):
    """Add a referral: the young person's details, team and allocated practitioner."""
    policy.require(request.user, "case.edit")
    teams = policy.teams_for(request.user, "case.edit").order_by("name")
    form = ReferralForm(request.POST or None, user=request.user, teams=teams)
    if young_person := submitted(request, form, services.young_person_refer):
        messages.success(
            request,
            _("Referral of %(name)s added") % {"name": young_person.full_name},
        )
        return redirect("cases:youngperson-detail", pk=young_person.pk)
    return render(request, "cases/youngperson_form.html", {"form": form, "creating": True})


# --- The record page ---------------------------------------------------------------------------


def _consents(young_person, consents=None) -> list[dict]:
    """The current decision for each party and purpose, worded for the page."""
    return [
        {
            "state": state,
            "party": ConsentParty(state.party).label,
            "purpose": ConsentPurpose(state.purpose).label,
            "tag_class": CONSENT_TAG_CLASSES.get(state.decision, "govuk-tag--grey"),
            "reason": selectors.consent_reason_in_words(state.latest) if state.latest else "",
        }
        for state in selectors.consent_states(young_person, consents)
    ]


@login_required
@require_GET
def detail(request, pk):
    young_person = selectors.young_person_for(request, pk)
    team = young_person.team
    archived = young_person.is_archived
    may_edit = policy.may(request.user, "case.edit", team) and not archived
    may_assess = policy.may(request.user, "case.trm.edit", team) and not archived

    timeline = selectors.timeline_for(young_person)
    records = defaultdict(list)
    for entry in timeline:
        records[entry.kind].append(entry.record)
    orders_by_id = {order.pk: order for order in records["order"]}
    breaches = [(breach, orders_by_id.get(breach.order_id)) for breach in records["breach"]]

    def complete(kind):
        """The timeline's records of a kind, if it read all of them (else None: query)."""
        found = records[kind]
        return found if len(found) < selectors.TIMELINE_PER_KIND else None

    trm_history = selectors.trm_history(young_person, complete("trm"))
    current_assessment = trm_history[-1] if trm_history else None

    consents = _consents(young_person, complete("consent"))
    return render(
        request,
        "cases/youngperson_detail.html",
        {
            "young_person": young_person,
            "age": young_person.age_on(timezone.localdate()),
            "consents": consents,
            "current_assessment": current_assessment,
            "trm_history": list(reversed(trm_history)),
            "needs": records["need"],
            "offences": records["offence"],
            "orders": records["order"],
            "breaches": breaches,
            "custody_episodes": records["custody"],
            "appointments": records["appointment"][:APPOINTMENTS_PREVIEW],
            "more_appointments": len(records["appointment"]) > APPOINTMENTS_PREVIEW,
            "timeline": _timeline_rows(timeline[:TIMELINE_PREVIEW]),
            "more_timeline": len(timeline) > TIMELINE_PREVIEW,
            "archive_kind": ARCHIVE_KIND,
            "may_edit": may_edit,
            "may_assess": may_assess,
            "may_read_history": policy.may(request.user, "case.history.read", team),
            "may_read_access_log": policy.may(request.user, "case.access_log.read", team),
            "may_request_subject_access": policy.may(request.user, "subject_access.request", team),
            "may_transfer": policy.may(request.user, "case.transfer", team)
            and not archived
            and young_person.ecm_end_date is None,
            "panels": panels.panels_for(request, young_person),
        },
    )


# --- Correcting and archiving ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    """Correct the young person's details, refusing to overwrite someone else's change."""
    young_person = selectors.young_person_for_action(
        request, pk, capability="case.edit", action="case.edit"
    )
    if refused := _refuse_if_archived(request, young_person):
        return refused
    if request.method == "POST":
        form = YoungPersonEditForm(request.POST)
        if form.is_valid():
            changes = dict(form.cleaned_data)
            version = changes.pop("version")
            try:
                services.young_person_update(
                    by=request.user, young_person=young_person, version=version, **changes
                )
            except services.ConflictError as conflict:
                return _details_conflict(request, form, conflict.current)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Details of %(name)s saved")
                    % {"name": f"{changes['given_name']} {changes['family_name']}"},
                )
                return redirect("cases:youngperson-detail", pk=young_person.pk)
    else:
        initial = {name: getattr(young_person, name) for name in services.EDITABLE_DETAILS}
        form = YoungPersonEditForm(initial={**initial, "version": young_person.version})
    return render(
        request,
        "cases/youngperson_form.html",
        {"form": form, "young_person": young_person, "creating": False},
    )


def _shown(form_field, value) -> str:
    """A value as the conflict page shows it: dates in words, choices by their label."""
    if isinstance(value, date):
        return dates.in_words(value)
    choices = dict(getattr(form_field, "choices", ()) or ())
    return str(choices.get(value, value if value is not None else ""))


def _details_conflict(request, form, current):
    """Show the other person's saved values beside this user's (kept) input."""
    return render_conflict(
        request,
        form=with_saved_version(request, YoungPersonEditForm, current),
        current=current,
        young_person=current,
        what=_("young person's details"),
        fields=changed_fields(
            form,
            current,
            services.EDITABLE_DETAILS,
            lambda name, value: _shown(form.fields[name], value),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def archive(request, pk):
    """Archive the young person's record (it leaves lists, stays readable) with a reason."""
    young_person = selectors.young_person_for_action(
        request, pk, capability="case.edit", action="case.archive"
    )
    if refused := _refuse_if_archived(request, young_person):
        return refused
    form = ArchiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.young_person_archive(
                by=request.user, young_person=young_person, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Record of %(name)s archived") % {"name": young_person.full_name}
            )
            return redirect("cases:youngperson-detail", pk=young_person.pk)
    return render(
        request, "cases/youngperson_archive.html", {"form": form, "young_person": young_person}
    )


# --- The full timeline and the TRM chart -------------------------------------------------------


@login_required
@require_GET
def timeline(request, pk):
    """Everything recorded, newest first, archived records included and marked."""
    young_person = selectors.young_person_for(request, pk, action="case.timeline")
    entries = selectors.timeline_for(young_person, include_archived=True, per_kind=None)
    page = Paginator(entries, TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    may_edit = policy.may(request.user, "case.edit", young_person.team)
    return render(
        request,
        "cases/youngperson_timeline.html",
        {
            "young_person": young_person,
            "page": page,
            "rows": _timeline_rows(page.object_list),
            "may_edit": may_edit and not young_person.is_archived,
        },
    )


@login_required
@require_GET
# Matplotlib writes its SVG with style attributes; they are harmless in an image with no
# script, and the page that shows the chart keeps the strict policy.
@csp_update({"style-src": ["'unsafe-inline'"]})
def trm_chart(request, pk):
    """The TRM stage over time as an SVG image (the record page has the same data as a table)."""
    young_person = selectors.young_person_for(request, pk, action="case.trm_chart")
    history = selectors.trm_history(young_person)
    stages = selectors.stages_by_id().values()
    svg = charts.trm_stage_chart(
        [(assessment.assessed_on, assessment.stage.number) for assessment in history],
        until=young_person.ecm_end_date or timezone.localdate(),
        stage_labels={stage.number: stage.label for stage in stages},
        title=_("TRM stage over time"),
        empty_message=_("No TRM assessments yet"),
    )
    return HttpResponse(svg, content_type="image/svg+xml")


# --- The printable case summary and chronology -------------------------------------------------


def summary_context(request, young_person) -> dict:
    """The case summary's facts and the whole chronology (current records, oldest first).

    One query per kind of record, whatever their number: the chronology reads every current
    record once, and the consents, needs, orders and TRM stage are taken from it.
    """
    entries = selectors.timeline_for(young_person, per_kind=None)
    records = defaultdict(list)
    for entry in entries:
        records[entry.kind].append(entry.record)
    today = timezone.localdate()
    trm_history = selectors.trm_history(young_person, records["trm"])
    return {
        "young_person": young_person,
        "age": young_person.age_on(today),
        "consents": _consents(young_person, records["consent"]),
        "current_assessment": trm_history[-1] if trm_history else None,
        "needs": records["need"],
        "current_orders": [
            order for order in records["order"] if order.end_date is None or order.end_date >= today
        ],
        "chronology": list(reversed(entries)),
        "panels": panels.panels_for(request, young_person),
        "printed_on": today,
    }


@login_required
@require_GET
def summary(request, pk):
    """A young person's key facts and chronology on one page, to print or download as a PDF.

    Read by the same people as the record page, and logged like it ("case.summary").
    """
    young_person = selectors.young_person_for(request, pk, action="case.summary")
    return render(request, "cases/youngperson_summary.html", summary_context(request, young_person))


@login_required
@require_GET
def summary_pdf(request, pk):
    """The case summary as a PDF to download (logged as an export, "case.summary_export")."""
    young_person = selectors.young_person_for(request, pk, action="case.summary_export")
    reference = pdf.filename_part(young_person.reference)
    return pdf.pdf_response(
        request,
        "cases/youngperson_summary.html",
        summary_context(request, young_person),
        filename=f"case-summary-{reference}-{timezone.localdate():%Y-%m-%d}.pdf",
    )


# --- Managers: change history and access log ---------------------------------------------------


@login_required
@require_GET
def history(request, pk):
    """Managers: every change to the case (who, when, before → after) and its domain events."""
    young_person = selectors.young_person_for_action(
        request, pk, capability="case.history.read", action="case.history"
    )
    events = change_history.event_rows(selectors.events_for(young_person))
    return render(
        request,
        "cases/youngperson_history.html",
        {
            "young_person": young_person,
            "changes": change_history.change_history(young_person),
            "events": events,
        },
    )


@login_required
@require_GET
def access_log(request, pk):
    """Managers: who viewed this case or tried to, newest first."""
    young_person = selectors.young_person_for_action(
        request, pk, capability="case.access_log.read", action="case.access_log"
    )
    entries = entries_about(young_person)
    page = Paginator(entries, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"entry": entry, "label": action_label(entry.action)} for entry in page.object_list]
    return render(
        request,
        "cases/youngperson_access_log.html",
        {"young_person": young_person, "page": page, "rows": rows},
    )
