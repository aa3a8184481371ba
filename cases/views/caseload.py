"""The list pages: my caseload, my appointments, and the manager's team view and reallocation.

Every list is built by a scoped selector and paginated; each page issues the same number of
queries whatever its length (the rows carry their summaries as annotations).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts import policy
from accounts.access_log import find_visible_or_404, record_access, record_list_view

from .. import panels, selectors, services, warnings
from ..forms.caseload import (
    NOT_ALLOCATED,
    AppointmentFilterForm,
    CaseloadFilterForm,
    ReallocateForm,
    TeamCasesFilterForm,
)
from ..models import Status
from .base import add_service_errors

PER_PAGE = 25


def _page(request, queryset, *, count: int | None = None):
    """The requested page; a page number that is not a number or past the end still shows one.

    `count`: the number of rows, when the page has counted them already.
    """
    paginator = Paginator(queryset, PER_PAGE)
    if count is not None:
        paginator.count = count
    return paginator.get_page(request.GET.get("page"))


def _logged_filters(filters: dict, page) -> dict:
    """The filters as the access log names them: the stage by its number, and the page."""
    stage = filters.get("stage")
    return {
        **filters,
        "stage": stage.number if stage is not None else None,
        "page": page.number if page.number > 1 else None,
    }


@login_required
@require_GET
def my_caseload(request):
    """Every young person allocated to me, with status, stage, contacts and warnings."""
    policy.require(request.user, "case.edit")
    stages = selectors.stages_by_id()
    form = CaseloadFilterForm(request.GET, stages=stages)
    filters = form.filters()
    page = _page(request, selectors.caseload_for(request.user, **filters))
    rows = selectors.with_stage_and_warnings(list(page.object_list), stages)
    record_list_view(
        request,
        action="caseload.list",
        count=len(rows),
        total=page.paginator.count,
        filters=_logged_filters(filters, page),
    )
    return render(
        request,
        "cases/caseload.html",
        {"form": form, "page": page, "rows": rows, "Status": Status},
    )


#: The headings of the appointment list's filters (selectors.appointment_conditions).
APPOINTMENT_HEADINGS = {
    selectors.APPOINTMENTS_TODAY: gettext_lazy("Appointments today"),
    selectors.APPOINTMENTS_WEEK: gettext_lazy("Appointments in the next 7 days"),
    selectors.APPOINTMENTS_UNRECORDED: gettext_lazy(
        "Past appointments with no attendance or outcome"
    ),
}


@login_required
@require_GET
def my_appointments(request):
    """Upcoming and recent appointments of my caseload, each with a link to its outcome; or,
    filtered (the home page's counts link here), those of today, the week, or unrecorded."""
    policy.require(request.user, "case.edit")
    form = AppointmentFilterForm(request.GET)
    when = form.chosen()
    if when:
        page = _page(request, selectors.my_appointments_when(request.user, when))
        appointments = list(page.object_list)
        record_list_view(
            request,
            action="appointment.list",
            count=len(appointments),
            total=page.paginator.count,
            what="appointments",
            young_people=len({item.young_person_id for item in appointments}),
            filters={"when": when, "page": page.number if page.number > 1 else None},
        )
        return render(
            request,
            "cases/appointment_list.html",
            {
                "form": form,
                "when": when,
                "heading": APPOINTMENT_HEADINGS[when],
                "page": page,
                "appointments": appointments,
                "past": when == selectors.APPOINTMENTS_UNRECORDED,
            },
        )
    limit = 50
    upcoming = list(selectors.appointments_for_caseload(request.user, upcoming=True, limit=limit))
    recent = list(selectors.appointments_for_caseload(request.user, upcoming=False, limit=limit))
    record_list_view(
        request,
        action="appointment.list",
        count=len(upcoming) + len(recent),
        what="appointments",
        young_people=len({item.young_person_id for item in (*upcoming, *recent)}),
        filters={"upcoming": len(upcoming), "recent": len(recent)},
    )
    return render(
        request,
        "cases/appointment_list.html",
        {"form": form, "upcoming": upcoming, "recent": recent, "limit": limit},
    )


@login_required
@require_GET
def team_list(request):
    """The teams whose cases I may read: the teams I work in, manage or serve."""
    policy.require(request.user, "case.read")
    teams = [
        {"team": team, "manages": policy.may(request.user, "case.allocate", team)}
        for team in policy.teams_for(request.user, "case.read").order_by("name")
    ]
    return render(request, "cases/team_list.html", {"teams": teams})


def _visible_team(request, code, action):
    """The team, if the user may read its cases; else a logged 404 (existence not leaked).

    Not logged when found: the page writes its one row, saying which cases it showed.
    """
    return find_visible_or_404(
        request, policy.teams_for(request.user, "case.read"), action=action, code=code
    )


def _summary_tables(summaries, totals, stages):
    """The overview as GOV.UK table rows: by status, by TRM stage, and warnings."""
    stage_numbers = sorted(stage.number for stage in stages.values())
    providers = warnings.providers()

    def name_cell(summary):
        if summary is totals:
            return {"text": _("Total")}
        if summary.practitioner is None:
            return {
                "html": format_html(
                    '<a class="govuk-link" href="?practitioner=none#cases">{}</a>',
                    _("Not allocated"),
                )
            }
        return {
            "html": format_html(
                '<a class="govuk-link" href="?practitioner={}#cases">{}</a>',
                summary.practitioner.pk,
                summary.practitioner,
            )
        }

    def number(value):
        return {"text": value, "format": "numeric"}

    def warning_cell(summary, provider):
        """The count, a link to the cases it counted (the list filtered by the warning, and by
        the practitioner on a practitioner's row)."""
        value = summary.warnings[provider.code]
        if not value:
            return number(value)
        query = {"warning": provider.code}
        if summary is not totals:
            query["practitioner"] = (
                summary.practitioner.pk if summary.practitioner else NOT_ALLOCATED
            )
        return {
            "text": value,
            "html": format_html(
                '<a class="govuk-link" href="?{}#cases">{}'
                '<span class="govuk-visually-hidden"> {}</span></a>',
                urlencode(query),
                value,
                provider.label,
            ),
            "format": "numeric",
        }

    everyone = [*summaries, totals]
    return {
        "status_head": [
            {"text": _("Practitioner")},
            *({"text": label, "format": "numeric"} for label in Status.labels),
            {"text": _("Total"), "format": "numeric"},
        ],
        "status_rows": [
            [
                name_cell(summary),
                *(number(summary.by_status[value]) for value in Status.values),
                number(summary.total),
            ]
            for summary in everyone
        ],
        "stage_head": [
            {"text": _("Practitioner")},
            *(
                {"text": _("Stage %(number)s") % {"number": value}, "format": "numeric"}
                for value in stage_numbers
            ),
            {"text": _("Not assessed"), "format": "numeric"},
        ],
        "stage_rows": [
            [
                name_cell(summary),
                *(number(summary.by_stage[value]) for value in stage_numbers),
                number(summary.total - sum(summary.by_stage.values())),
            ]
            for summary in everyone
        ],
        "warning_head": [
            {"text": _("Practitioner")},
            *({"text": provider.label, "format": "numeric"} for provider in providers),
        ],
        "warning_rows": [
            [
                name_cell(summary),
                *(warning_cell(summary, provider) for provider in providers),
            ]
            for summary in everyone
        ],
    }


@login_required
@require_GET
def team_overview(request, code):
    """A team's caseloads at a glance, then its cases (filterable), selectable to reallocate."""
    team = _visible_team(request, code, "team.view")
    stages = selectors.stages_by_id()
    practitioners = list(selectors.practitioners_in(team))
    summaries, totals = selectors.team_overview(team, stages=stages, practitioners=practitioners)
    form = TeamCasesFilterForm(
        request.GET,
        auto_id="filter_%s",  # the reallocation form on the same page has a practitioner too
        stages=stages,
        practitioners=[summary.practitioner for summary in summaries if summary.practitioner],
    )
    filters = form.filters()
    # Unfiltered, the list is the team's open cases, which the overview has just counted.
    page = _page(
        request,
        selectors.team_cases(team, **filters),
        count=None if any(filters.values()) else totals.total,
    )
    rows = selectors.with_stage_and_warnings(
        selectors.page_with_summaries(page.object_list), stages
    )
    record_list_view(
        request,
        action="team.view",
        obj=team,
        count=len(rows),
        total=page.paginator.count,
        filters=_logged_filters(filters, page),
    )
    may_allocate = policy.may(request.user, "case.allocate", team)
    reallocate_form = None
    if may_allocate:
        reallocate_form = ReallocateForm(
            cases=selectors.young_people_visible_to(request.user).filter(team=team),
            practitioners=selectors.practitioners_in(team),
            offered=practitioners,
        )
    return render(
        request,
        "cases/team_detail.html",
        {
            "team": team,
            "form": form,
            "page": page,
            "rows": rows,
            "totals": totals,
            "tables": _summary_tables(summaries, totals, stages),
            "may_allocate": may_allocate,
            "reallocate_form": reallocate_form,
            "panels": panels.team_panels_for(request, team),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def reallocate(request, code):
    """Move the chosen cases of a team to one of its practitioners, with a recorded reason."""
    team = _visible_team(request, code, "team.view")
    if not policy.may(request.user, "case.allocate", team):
        record_access(
            request,
            action="team.reallocate",
            obj=team,
            allowed=False,
            detail="reallocating cases needs case.allocate in the team",
        )
        raise PermissionDenied
    cases = selectors.young_people_visible_to(request.user).filter(team=team)
    practitioners = selectors.practitioners_in(team)
    if request.method == "POST":
        form = ReallocateForm(
            request.POST,
            cases=cases,
            practitioners=practitioners,
            selected=request.POST.getlist("young_people"),
        )
        if form.is_valid():
            young_people = list(form.cleaned_data["young_people"])
            practitioner = form.cleaned_data["practitioner"]
            try:
                moved = services.young_people_reallocate(
                    by=request.user,
                    young_people=young_people,
                    practitioner=practitioner,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                record_access(
                    request,
                    action="team.reallocate",
                    obj=team,
                    detail=f"young people reallocated: {moved} of {len(young_people)}, "
                    f"to user {practitioner.pk}",
                )
                messages.success(request, _reallocated_message(moved, young_people, practitioner))
                return redirect("cases:team-detail", code=team.code)
    else:
        selected = request.GET.getlist("young_person")
        form = ReallocateForm(
            initial={"young_people": selected},
            cases=cases,
            practitioners=practitioners,
            selected=selected,
        )
    offered = form.fields["young_people"].queryset.count()
    record_list_view(
        request,
        action="team.reallocate",
        obj=team,
        count=offered,
        filters={"preselected": len(form["young_people"].value() or ()) or None},
    )
    return render(
        request,
        "cases/team_reallocate.html",
        {"team": team, "form": form, "has_choices": offered > 0},
    )


def _reallocated_message(moved: int, young_people, practitioner) -> str:
    message = ngettext(
        "%(count)d case reallocated to %(name)s",
        "%(count)d cases reallocated to %(name)s",
        moved,
    ) % {"count": moved, "name": practitioner}
    unchanged = len(young_people) - moved
    if unchanged:
        message += ". " + ngettext(
            "%(count)d was already allocated to them",
            "%(count)d were already allocated to them",
            unchanged,
        ) % {"count": unchanged}
    return message
