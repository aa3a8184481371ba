"""Eligibility and the ECM pathway: decisions, checks, overrides, starting and ending ECM, and
the managers' policy what-if and referral funnel. Also the record page's eligibility panel.

Every page about one young person finds them through `cases.selectors.young_person_for` (or
`young_person_for_action`, for pages that need more than reading the case), which scopes the
lookup to the user's teams, answers 404 (logged) for anything outside them and writes the
access-log row. Inside the user's teams, someone who may read the case but not do the action
(a psychologist running a check, a practitioner overriding) gets 403: they already know the
record exists. Rows: tests/permissions/rows_eligibility.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts import dates, drafts, policy
from accounts.access_log import record_access, record_list_view
from accounts.models import labels_by_code
from cases.models import NeedCategory
from cases.selectors import young_people_visible_to, young_person_for, young_person_for_action
from cases.views.base import submitted

from . import rules, selectors, services
from .forms import (
    EcmEndForm,
    EcmStartForm,
    EligibilityCheckForm,
    EligibilityOverrideForm,
    PeriodForm,
    WhatIfForm,
)
from .models import EligibilityDecision

#: How each criterion is named on screen (the decision stores its code and evidence).
CRITERION_LABELS = {
    rules.OFFENCES: gettext_lazy("Offences in the window before referral"),
    rules.NEEDS: gettext_lazy("Need categories recorded by the referral date"),
    rules.ORDER: gettext_lazy("Statutory order or voluntary participation"),
}

#: How many young people whose result would change the what-if lists per page.
WHAT_IF_PAGE_SIZE = 50


# --- Finding things the user may act on ---------------------------------------------------------


def _decision_for_override(request, decision_pk):
    """A decision, if the user may override decisions in its young person's team.

    Looked up through the young person, so the access log records a view of their case (and
    it shows on the case's access log); outside the user's teams it is a logged 404, inside
    them without `eligibility.override` a logged 403.
    """
    young_person_id = selectors.young_person_id_of_decision(decision_pk)
    if young_person_id is None:
        record_access(
            request,
            action="eligibility.override",
            allowed=False,
            object_type=EligibilityDecision._meta.label_lower,
            object_id=str(decision_pk),
            detail="not found",
        )
        raise Http404
    young_person = young_person_for_action(
        request,
        young_person_id,
        capability="eligibility.override",
        action="eligibility.override",
    )
    decision = selectors.decisions_for(young_person).get(pk=decision_pk)
    decision.young_person = young_person
    return decision


def _refuse_if_archived(request, young_person):
    """Archived records are kept as they were: readable, not changed."""
    if young_person.is_archived:
        messages.info(request, _("This record is archived and can no longer be changed."))
        return redirect("eligibility:decision-list", pk=young_person.pk)
    return None


def _dated_form(request, form_class, date_name: str):
    """The posted form, or on first opening one whose date suggests today."""
    if request.method == "POST":
        return form_class(request.POST)
    return form_class(initial={date_name: timezone.localdate()})


def need_labels_for(decisions) -> dict[str, str]:
    """The names, in the reader's language, of the need categories the decisions' evidence
    mentions (one query, none if no evidence names a need)."""
    codes = {
        code
        for decision in decisions
        for criterion in decision.criteria
        for code in criterion.get("values", {}).get("codes", ())
    }
    return labels_by_code(NeedCategory, codes) if codes else {}


def criteria_rows(decision: EligibilityDecision, need_labels=None) -> list[dict]:
    """The decision's criteria with their labels and evidence in the reader's language, in
    the order the rules produced them.

    The evidence is written now from the values the decision stored; decisions stored
    before that kept a sentence, shown as it was written.
    """
    if need_labels is None:
        need_labels = need_labels_for([decision])
    return [
        {
            "label": CRITERION_LABELS.get(criterion.get("code"), criterion.get("code")),
            "met": criterion.get("met"),
            "evidence": (
                rules.describe(criterion["code"], criterion["values"], need_labels)
                if "values" in criterion
                else criterion.get("evidence", "")
            ),
        }
        for criterion in decision.criteria
    ]


# --- Decisions ----------------------------------------------------------------------------------


@login_required
@require_GET
def decision_list(request, pk):
    """Every decision about the young person, newest first, with criteria and overrides."""
    young_person = young_person_for(request, pk, action="eligibility.decisions")
    team = young_person.team
    found = list(selectors.decisions_for(young_person))
    need_labels = need_labels_for(found)
    decisions = [
        {"decision": decision, "criteria": criteria_rows(decision, need_labels)}
        for decision in found
    ]
    open_record = not young_person.is_archived
    latest = decisions[0]["decision"] if decisions else None
    return render(
        request,
        "eligibility/decision_list.html",
        {
            "young_person": young_person,
            "decisions": decisions,
            "latest": latest,
            "may_check": open_record and policy.may(request.user, "eligibility.check", team),
            "may_override": (
                open_record
                and latest is not None
                and latest.override is None
                and policy.may(request.user, "eligibility.override", team)
            ),
            "may_edit": open_record and policy.may(request.user, "case.edit", team),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request, pk):
    """Run an eligibility check with the policy in force on the referral date."""
    young_person = young_person_for_action(
        request, pk, capability="eligibility.check", action="eligibility.check"
    )
    if refused := _refuse_if_archived(request, young_person):
        return refused
    in_force = services.policy_in_force(young_person.referral_date)
    form = EligibilityCheckForm(request.POST if request.method == "POST" else None, policy=in_force)
    if decision := submitted(request, form, services.eligibility_check, young_person=young_person):
        if decision.eligible:
            messages.success(request, _("Eligibility checked: eligible"))
        else:
            messages.success(request, _("Eligibility checked: not eligible"))
        return redirect("eligibility:decision-list", pk=young_person.pk)
    return render(
        request,
        "eligibility/decision_form.html",
        {"young_person": young_person, "policy": in_force, "form": form},
    )


@drafts.kept
@login_required
@require_http_methods(["GET", "POST"])
def override_create(request, decision_pk):
    """A manager overrides a decision, either way, with a reason that is kept with it."""
    decision = _decision_for_override(request, decision_pk)
    young_person = decision.young_person
    if refused := _refuse_if_archived(request, young_person):
        return refused
    form = drafts.restore(
        request, EligibilityOverrideForm(request.POST if request.method == "POST" else None)
    )
    if override := submitted(request, form, services.eligibility_override, decision=decision):
        if override.eligible:
            messages.success(request, _("Decision overridden: eligible"))
        else:
            messages.success(request, _("Decision overridden: not eligible"))
        return redirect("eligibility:decision-list", pk=young_person.pk)
    latest = services.latest_decision(young_person)
    return render(
        request,
        "eligibility/override_form.html",
        {
            "young_person": young_person,
            "decision": decision,
            "criteria": criteria_rows(decision),
            "is_latest": latest is not None and latest.pk == decision.pk,
            "form": form,
        },
    )


# --- Starting and ending ECM --------------------------------------------------------------------


def blocker_rows(young_person, blockers, *, may_check: bool) -> list[dict]:
    """Each thing that stops ECM starting, with a link to where it can be put right."""
    # Recording consent from here comes back here, to start ECM.
    consent_href = "{}?{}".format(
        reverse("cases:consent-create", kwargs={"pk": young_person.pk}),
        urlencode({"next": reverse("eligibility:start", kwargs={"pk": young_person.pk})}),
    )
    rows = []
    for blocker in blockers:
        href, link_text = "", ""
        if blocker.code == "eligibility" and may_check:
            href = reverse("eligibility:decision-create", kwargs={"pk": young_person.pk})
            link_text = _("Run an eligibility check")
        elif blocker.code == "eligibility":
            href = reverse("eligibility:decision-list", kwargs={"pk": young_person.pk})
            link_text = _("See the eligibility decisions")
        elif blocker.code in ("consent_young_person", "consent_parent"):
            href, link_text = consent_href, _("Record a consent decision")
        rows.append({"text": str(blocker), "href": href, "link_text": link_text})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def ecm_start(request, pk):
    """Start ECM, or say exactly what is missing before it can start."""
    young_person = young_person_for_action(request, pk, capability="case.edit", action="ecm.start")
    if refused := _refuse_if_archived(request, young_person):
        return refused
    form = _dated_form(request, EcmStartForm, "start_date")
    if started := submitted(request, form, services.ecm_start, young_person=young_person):
        messages.success(
            request,
            _("ECM started on %(date)s") % {"date": dates.in_words(started.ecm_start_date)},
        )
        return redirect("eligibility:decision-list", pk=young_person.pk)
    decision = services.latest_decision(young_person)
    blockers = services.start_blockers(young_person)
    may_check = policy.may(request.user, "eligibility.check", young_person.team)
    return render(
        request,
        "eligibility/start_form.html",
        {
            "young_person": young_person,
            "decision": decision,
            "blockers": blocker_rows(young_person, blockers, may_check=may_check),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ecm_end(request, pk):
    """End ECM with a date and reason; a withdrawal records the young person's reasons."""
    young_person = young_person_for_action(request, pk, capability="case.edit", action="ecm.end")
    if refused := _refuse_if_archived(request, young_person):
        return refused
    form = _dated_form(request, EcmEndForm, "end_date")
    if ended := submitted(request, form, services.ecm_end, young_person=young_person):
        messages.success(
            request,
            _("ECM ended on %(date)s: %(reason)s")
            % {
                "date": dates.in_words(ended.ecm_end_date),
                "reason": ended.get_end_reason_display(),
            },
        )
        return redirect("eligibility:decision-list", pk=young_person.pk)
    return render(
        request, "eligibility/end_form.html", {"young_person": young_person, "form": form}
    )


# --- Managers: policy what-if and referral funnel -----------------------------------------------


def _report_form(request, form_class, teams):
    """The filter form, bound to the query string, or to its defaults on first opening."""
    wanted = set(form_class.base_fields)
    data = request.GET if wanted & set(request.GET) else form_class.defaults()
    return form_class(data, teams=teams)


def _reported_on(user, form):
    """The young people the user may report on, in the team chosen (or all their teams)."""
    queryset = young_people_visible_to(user, "reports.management")
    if form.chosen_team is not None:
        queryset = queryset.filter(team=form.chosen_team)
    return queryset


@login_required
@require_GET
def what_if(request):
    """How a team's referrals in a period would fare under another policy (usually a draft)."""
    policy.require(request.user, "reports.management")
    teams = list(policy.teams_for(request.user, "reports.management").order_by("name"))
    form = _report_form(request, WhatIfForm, teams)
    result, page = None, None
    if form.is_valid():
        result = selectors.what_if(
            _reported_on(request.user, form),
            draft=form.cleaned_data["policy"],
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
        )
        page = Paginator(result["changes"], WHAT_IF_PAGE_SIZE).get_page(request.GET.get("page"))
        record_list_view(
            request,
            action="eligibility.what_if",
            count=len(page.object_list),
            total=page.paginator.count,
            filters={
                "policy": form.cleaned_data["policy"],
                "date_from": form.cleaned_data["date_from"],
                "date_to": form.cleaned_data["date_to"],
                "team": form.chosen_team,
                "page": page.number if page.number > 1 else None,
            },
        )
    return render(
        request,
        "eligibility/what_if.html",
        {"form": form, "result": result, "page": page},
    )


@login_required
@require_GET
def funnel(request):
    """Referred → eligible → consented → started → withdrawn, by month and team."""
    policy.require(request.user, "reports.management")
    teams = list(policy.teams_for(request.user, "reports.management").order_by("name"))
    form = _report_form(request, PeriodForm, teams)
    rows, totals = None, None
    if form.is_valid():
        rows, totals = selectors.funnel(
            _reported_on(request.user, form),
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
        )
    return render(
        request, "eligibility/funnel.html", {"form": form, "rows": rows, "totals": totals}
    )


# --- The record page's panel (registered in apps.py) --------------------------------------------


def panel_context(request, young_person) -> dict:
    """The eligibility panel's context: the latest decision and what may be done next.

    A fixed number of queries: the latest decision (with its override and who made it, as
    `services.latest_decision` orders them) and, before ECM starts, the blockers.
    """
    team = young_person.team
    open_record = not young_person.is_archived
    decision = selectors.decisions_for(young_person).first()
    blockers = [] if young_person.ecm_start_date else services.start_blockers(young_person)
    may_check = open_record and policy.may(request.user, "eligibility.check", team)
    return {
        "young_person": young_person,
        "decision": decision,
        "criteria": criteria_rows(decision) if decision else [],
        "blockers": blockers,
        "may_check": may_check,
        "may_override": (
            open_record
            and decision is not None
            and decision.override is None
            and policy.may(request.user, "eligibility.override", team)
        ),
        "may_start": open_record and policy.may(request.user, "case.edit", team),
    }
