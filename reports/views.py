"""The report pages: the measure catalogue, requesting a report run and watching it, the
report as a web page with its downloads, and the managers' action lists.

Who sees what (rows: tests/permissions/rows_reports.py):

* The measure catalogue holds definitions only, no case data: every signed-in user may read
  it, so practitioners can see how what they record is counted.
* Report runs need `reports.run` (evaluators: every team; managers: their own teams); a
  user without it gets 403 on the lists and forms. A run is visible only to the user who
  requested it — anyone else, including another evaluator, gets a logged 404. Evaluation
  reports are aggregates only; the case-level dataset is pseudonymised and evaluators only.
* The action lists are identifiable and need `reports.management` (managers, own teams).

Downloads are served only through `run_download`, which looks the file up by run and kind
(never by a path the user gives), writes a "report.download" access-log row, and names the
file itself.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts import policy
from accounts.access_log import record_list_view
from cases import selectors as case_selectors
from cases.views.base import add_service_errors

from . import exports, selectors
from .forms import ActionListForm, RunRequestForm
from .models import ReportKind, RunStatus
from .services.requests import (
    DATASET_CAPABILITY,
    RUN_CAPABILITY,
    SUBJECT_ACCESS_CAPABILITY,
    report_request,
    subject_access_request,
)

RUNS_PER_PAGE = 25
ACTION_ROWS_PER_PAGE = 50
#: Seconds a finished report's page context (charts included) is kept in the cache.
REPORT_CACHE_SECONDS = 10 * 60


@login_required
@require_GET
def measure_list(request):
    """Every measure's id, label, plain-language definition and group."""
    return render(request, "reports/measure_list.html", {"groups": selectors.measure_catalogue()})


@login_required
@require_http_methods(["GET", "POST"])
def run_create(request):
    """Ask for a report; it runs in the background and its page shows the progress."""
    policy.require(request.user, RUN_CAPABILITY)
    teams = list(selectors.report_teams_for(request.user))
    may_request_dataset = policy.may(request.user, DATASET_CAPABILITY)
    if request.method == "POST":
        form = RunRequestForm(request.POST, teams=teams, may_request_dataset=may_request_dataset)
        if form.is_valid():
            try:
                run = report_request(
                    by=request.user,
                    kind=form.cleaned_data["kind"],
                    parameters=form.parameters(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(kind)s requested") % {"kind": run.get_kind_display()},
                )
                return redirect("reports:run-detail", pk=run.pk)
    else:
        form = RunRequestForm(
            initial=RunRequestForm.initial_values(),
            teams=teams,
            may_request_dataset=may_request_dataset,
        )
    return render(
        request,
        "reports/run_form.html",
        {"form": form, "may_request_dataset": may_request_dataset},
    )


def _name_teams(runs) -> None:
    """Give each run chosen for some teams `team_names`: their names in the reader's language
    (one query for all the runs, none if every run is for all teams)."""
    chosen = [run for run in runs if isinstance(run.parameters.get("teams"), list)]
    if not chosen:
        return
    names = selectors.team_names({code for run in chosen for code in run.parameters["teams"]})
    for run in chosen:
        run.team_names = [names.get(code, code) for code in run.parameters["teams"]]


@login_required
@require_GET
def run_list(request):
    """The user's own report runs, newest first."""
    policy.require(request.user, RUN_CAPABILITY)
    page = Paginator(selectors.runs_for(request.user), RUNS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    runs = list(page.object_list)
    _name_teams(runs)
    return render(request, "reports/run_list.html", {"page": page, "runs": runs})


def _report_context(run) -> dict | None:
    """The finished report's page context, cached: it never changes once written."""
    document_file = next((item for item in run.files.all() if item.kind == "json"), None)
    if document_file is None:
        return None
    key = f"reports:run:{run.pk}:{document_file.sha256}:{get_language()}"
    context = cache.get(key)
    if context is None:
        document = selectors.report_document(run)
        if document is None:
            return None
        context = exports.report_context(
            document,
            team_names=selectors.team_names(document["by_team"]),
            category_names=selectors.category_names(),
        )
        cache.set(key, context, REPORT_CACHE_SECONDS)
    return context


@never_cache
@login_required
@require_GET
def run_detail(request, pk):
    """Progress while queued or running; then the report (or the reason it failed)."""
    run = selectors.run_for(request, pk)
    _name_teams([run])
    report = None
    if run.status == RunStatus.SUCCEEDED and run.kind == ReportKind.EVALUATION:
        report = _report_context(run)
    return render(
        request,
        "reports/run_detail.html",
        {
            "run": run,
            "report": report,
            "files": list(run.files.all()),
            "may_see_action_lists": policy.may(request.user, selectors.MANAGEMENT_CAPABILITY),
        },
    )


@never_cache
@login_required
@require_GET
def run_status(request, pk):
    """The run's progress as JSON, for the page's script to poll."""
    run = selectors.run_for(request, pk, log_view=False)
    return JsonResponse(
        {
            "status": run.status,
            "status_label": str(run.get_status_display()),
            "progress": run.progress,
            "progress_text": run.progress_text,
            "finished": not run.is_active,
        }
    )


@login_required
@require_GET
def run_download(request, pk, kind):
    """One output file of the user's run, under its own name; logged."""
    _run, report_file = selectors.run_file(request, pk, kind)
    try:
        stored = default_storage.open(report_file.file.name, "rb")
    except OSError:
        raise Http404 from None
    return FileResponse(
        stored,
        as_attachment=True,
        filename=report_file.name,
        content_type=report_file.content_type,
    )


@login_required
@require_GET
def action_list(request):
    """The open cases behind the numbers that need a manager's attention, by action."""
    policy.require(request.user, selectors.MANAGEMENT_CAPABILITY)
    teams = list(selectors.management_teams_for(request.user))
    actions = selectors.actions()
    form = ActionListForm(request.GET or None, teams=teams, actions=actions)
    rows, counts = [], {}
    if not form.is_bound or form.is_valid():
        rows, counts = selectors.action_list(
            request.user, team=form.chosen_team, action=form.chosen_action
        )
    page = Paginator(rows, ACTION_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    if not form.is_bound or form.is_valid():
        record_list_view(
            request,
            action="report.action_list",
            count=len(page.object_list),
            total=len(rows),
            filters={
                "team": form.chosen_team,
                "action": form.chosen_action,
                "page": page.number if page.number > 1 else None,
            },
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/action_list.html",
        {
            "form": form,
            "page": page,
            "rows": page.object_list,
            "summary": [(code, label, counts.get(code, 0)) for code, label in actions],
            "chosen_team": form.chosen_team,
            "query": query.urlencode(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def subject_access(request, pk):
    """A manager of the case's team asks for the young person's subject access bundle; it is
    made in the background as a report run, whose page offers the download."""
    young_person = case_selectors.young_person_for_action(
        request, pk, capability=SUBJECT_ACCESS_CAPABILITY, action="subject_access.request"
    )
    if request.method == "POST":
        run = subject_access_request(by=request.user, young_person=young_person)
        messages.success(
            request,
            _("Subject access bundle for %(name)s requested") % {"name": young_person.full_name},
        )
        return redirect("reports:run-detail", pk=run.pk)
    return render(request, "reports/subject_access_form.html", {"young_person": young_person})
