"""Compliance decisions: the practitioner's decision on a missed appointment, and the
manager's agreement with a decision that needs it (`cases.compliance`).

Both pages are about one young person, found through the scoped selectors (a 404 outside
the user's teams, a 403 for someone who reads the case but may not do this), and logged.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import dates, policy
from accounts.access_log import get_visible_or_404

from .. import compliance, selectors
from ..change_history import Detail
from ..forms.compliance import (
    ComplianceAgreementForm,
    ComplianceDecisionChangeForm,
    ComplianceDecisionForm,
)
from ..models import Appointment, ComplianceDecision, ComplianceDecisionKind, ManagerAgreement
from ..services import ConflictError
from .base import (
    add_service_errors,
    changed_fields,
    next_or,
    render_conflict,
    with_saved_version,
)
from .records import _record_of, changes_young_person

ACTION_LABELS = {
    "compliance.agreement": gettext_lazy("Opened or used a compliance agreement"),
}

EVENT_LABELS = {
    "compliance.decided": gettext_lazy("Compliance decision recorded"),
    "compliance.changed": gettext_lazy("Compliance decision changed"),
    "compliance.agreed": gettext_lazy("Manager agreed with a compliance decision"),
    "compliance.disagreed": gettext_lazy("Manager disagreed with a compliance decision"),
}

EVENT_DETAILS = {
    "decision": Detail(gettext_lazy("Compliance decision"), ComplianceDecisionKind),
    "previous_decision": Detail(gettext_lazy("Decision before"), ComplianceDecisionKind),
    "needs_agreement": Detail(gettext_lazy("Needs the manager's agreement"), "yes_no"),
}


def _back_to_record(young_person):
    return redirect(reverse("cases:youngperson-detail", args=[young_person.pk]) + "#compliance")


def _describe(name, value) -> str:
    if name == "decision" and value:
        return str(ComplianceDecisionKind(value).label)
    if name == "decided_on" and value:
        return dates.in_words(value)
    return str(value or "")


@changes_young_person()
def decide(request, young_person, appointment_pk):
    """Record, or change, the decision on one missed appointment."""
    appointment = _record_of(request, young_person, Appointment, appointment_pk)
    current = compliance.live_decision(appointment)
    form_class = ComplianceDecisionChangeForm if current else ComplianceDecisionForm
    if request.method != "POST":
        initial = {"decided_on": timezone.localdate()}
        if current:
            initial = {
                "decision": current.decision,
                "reason": current.reason,
                "decided_on": current.decided_on,
                "version": current.version,
            }
        form = form_class(initial=initial)
    else:
        form = form_class(request.POST)
        if form.is_valid():
            try:
                if current:
                    saved = compliance.compliance_decision_change(
                        by=request.user, record=current, **form.cleaned_data
                    )
                else:
                    saved = compliance.compliance_decision_record(
                        by=request.user, appointment=appointment, **form.cleaned_data
                    )
            except ConflictError as conflict:
                return render_conflict(
                    request,
                    form=with_saved_version(
                        request, ComplianceDecisionChangeForm, conflict.current
                    ),
                    current=conflict.current,
                    young_person=young_person,
                    what=_("compliance decision"),
                    fields=changed_fields(
                        form, conflict.current, ("decision", "reason", "decided_on"), _describe
                    ),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if saved.awaiting_agreement:
                    messages.success(
                        request,
                        _(
                            "Decision recorded: %(decision)s. It needs a manager's agreement, "
                            "as this is a second unacceptable absence within 12 months on a "
                            "statutory order."
                        )
                        % {"decision": saved.get_decision_display()},
                    )
                else:
                    messages.success(
                        request,
                        _("Decision recorded: %(decision)s")
                        % {"decision": saved.get_decision_display()},
                    )
                return _back_to_record(young_person)
    return render(
        request,
        "cases/compliance_decision_form.html",
        {
            "form": form,
            "young_person": young_person,
            "appointment": appointment,
            "current": current,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agree(request, pk, decision_pk):
    """A manager agrees or disagrees with a decision that needs their agreement."""
    young_person = selectors.young_person_for_action(
        request,
        pk,
        capability=compliance.AGREE,
        action="compliance.agreement",
        viewed_as="case.view",
    )
    decision = get_visible_or_404(
        request,
        ComplianceDecision.objects.filter(young_person=young_person).select_related(
            "appointment", "decided_by", "agreed_by", "young_person__team"
        ),
        action="compliance.agreement",
        pk=decision_pk,
    )
    if young_person.is_archived:
        messages.info(request, _("This record is archived and can no longer be changed."))
        return _back_to_record(young_person)
    if request.method == "POST":
        form = ComplianceAgreementForm(request.POST)
        if form.is_valid():
            try:
                saved = compliance.compliance_agreement_record(
                    by=request.user, record=decision, **form.cleaned_data
                )
            except ConflictError as conflict:
                decision = conflict.current
                form = with_saved_version(request, ComplianceAgreementForm, decision)
                form.is_valid()
                form.add_error(
                    None,
                    _(
                        "The practitioner changed this decision while you were reading it. "
                        "Read it again before you agree or disagree."
                    ),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if saved.agreement == ManagerAgreement.AGREED:
                    said = _("You agreed with the decision on %(name)s's missed appointment")
                else:
                    said = _("You disagreed with the decision on %(name)s's missed appointment")
                messages.success(request, said % {"name": young_person.full_name})
                return next_or(request, _back_to_record(young_person))
    else:
        form = ComplianceAgreementForm(initial={"version": decision.version})
    return render(
        request,
        "cases/compliance_agreement_form.html",
        {
            "form": form,
            "young_person": young_person,
            "decision": decision,
            "missed_on": compliance.missed_on(decision.appointment),
        },
    )


def panel_context(request, young_person) -> dict:
    """The record page's compliance history card (registered in cases/apps.py): each missed
    appointment, its decision, reason and agreement. Two queries, whatever the number."""
    team = young_person.team
    archived = young_person.is_archived
    return {
        "compliance_rows": compliance.history_for(young_person),
        "may_decide": policy.may(request.user, compliance.DECIDE, team) and not archived,
        "may_agree": policy.may(request.user, compliance.AGREE, team) and not archived,
    }
