"""Reads for the report pages, always scoped to what the user may see.

* Runs: a run is visible to the user who requested it, and only while they may still
  request reports (`reports.run`); anyone else gets a 404, logged as a denial.
* The measure catalogue: definitions only, no case data.
* The managers' action lists: identifiable, from `cases.selectors` and the case warnings
  registry, limited to the teams where the user holds `reports.management`.
"""

import json
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts import policy
from accounts.access_log import record_access
from accounts.models import Team, labels_by_code
from cases import warnings
from cases.models import YoungPerson
from cases.selectors import (
    stages_by_id,
    with_case_summary,
    with_stage_and_warnings,
    young_people_visible_to,
)

from . import vocabularies
from .measures import GROUP_LABELS, KIND_LABELS, REGISTRY
from .models import (
    ExchangeImport,
    FileKind,
    ImportStatus,
    ReportFile,
    ReportKind,
    ReportRun,
    RunStatus,
)
from .services.requests import RUN_CAPABILITY, SUBJECT_ACCESS_CAPABILITY

#: The warnings behind the managers' action lists, in the order the page shows them.
ACTION_CODES = (
    "consent_missing",
    "initial_formulation_late",
    "formulation_review_overdue",
    "no_recent_contact",
)
MANAGEMENT_CAPABILITY = "reports.management"


# --- Runs ---------------------------------------------------------------------------------------


def runs_for(user) -> QuerySet:
    """The user's own runs, newest first (nobody else's)."""
    if not policy.may(user, RUN_CAPABILITY):
        return ReportRun.objects.none()
    return ReportRun.objects.filter(requested_by=user).order_by("-created_at", "-id")


def latest_runs(user, limit: int = 5) -> list[ReportRun]:
    """The user's most recent runs (the home page's list)."""
    return list(runs_for(user)[:limit])


def run_for(request, pk, *, log_view: bool = True) -> ReportRun:
    """One of the user's runs with its files, or a logged 404.

    The page of a finished run writes a "report.view" row to the access log; progress
    polling (`log_view=False`) logs only denials, so watching a run does not flood the log.
    """
    run = (
        runs_for(request.user).prefetch_related("files").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if run is None:
        record_access(
            request,
            action="report.view",
            allowed=False,
            object_type=ReportRun._meta.label_lower,
            object_id=str(pk),
            detail="not found or not requested by this user",
        )
        raise Http404
    if log_view and run.status == RunStatus.SUCCEEDED:
        record_access(request, action="report.view", obj=run)
    return run


def run_file(request, pk, kind: str) -> tuple[ReportRun, ReportFile]:
    """A file of one of the user's runs, logged as downloaded; a logged 404 otherwise."""
    run = run_for(request, pk, log_view=False)
    report_file = next((item for item in run.files.all() if item.kind == kind), None)
    if kind not in FileKind.values or report_file is None:
        record_access(
            request,
            action="report.download",
            obj=run,
            allowed=False,
            detail=f"no {kind[:32]} file",
        )
        raise Http404
    if run.kind == ReportKind.SUBJECT_ACCESS and not _may_still_export(request.user, run):
        record_access(
            request,
            action="report.download",
            obj=run,
            allowed=False,
            detail="the case is no longer in the requester's teams",
        )
        raise Http404
    record_access(request, action="report.download", obj=run, detail=f"file {kind}")
    if run.kind == ReportKind.SUBJECT_ACCESS:
        # The bundle is the young person's whole record: its download is logged on the case.
        record_access(
            request,
            action="subject_access.download",
            object_type="cases.youngperson",
            object_id=str(run.parameters.get("young_person_id", "")),
            detail=f"report run {run.pk}",
        )
    return run, report_file


def _may_still_export(user, run: ReportRun) -> bool:
    """A subject access bundle is downloaded only while its case is in the requester's teams
    (a case transferred away meanwhile is no longer theirs to hand out)."""
    teams = policy.team_ids_for(user, SUBJECT_ACCESS_CAPABILITY)
    young_people = YoungPerson.objects.filter(pk=run.parameters.get("young_person_id"))
    if teams is not None:
        young_people = young_people.filter(team_id__in=teams)
    return young_people.exists()


def report_document(run: ReportRun) -> dict | None:
    """The evaluation report's JSON document (what every output was written from)."""
    report_file = next((item for item in run.files.all() if item.kind == FileKind.JSON), None)
    if report_file is None:
        return None
    try:
        with default_storage.open(report_file.file.name, "rb") as stored:
            return json.loads(stored.read().decode("utf-8"))
    except (OSError, ValueError):
        return None


def team_names(codes) -> dict[str, str]:
    return labels_by_code(Team, codes)


def category_names() -> dict[str, dict[str, str]]:
    """The codes measures are broken down by, named in the reader's language."""
    return vocabularies.category_names()


def report_teams_for(user):
    """The teams the user may choose in a request."""
    return policy.teams_for(user, RUN_CAPABILITY).order_by("name")


# --- The measure catalogue ---------------------------------------------------------------------


def measure_catalogue() -> list[dict]:
    """Every measure by group: id, label, definition and what kind of number it is."""
    groups = []
    for group_id, group_label in GROUP_LABELS.items():
        measures = [measure for measure in REGISTRY.values() if measure.group == group_id]
        if measures:
            groups.append(
                {
                    "id": group_id,
                    "label": group_label,
                    "measures": [
                        {
                            "id": measure.id,
                            "label": measure.label,
                            "definition": measure.definition,
                            "kind": KIND_LABELS.get(measure.kind, measure.kind),
                        }
                        for measure in measures
                    ],
                }
            )
    return groups


# --- The managers' action lists ----------------------------------------------------------------


def actions() -> list[tuple[str, str]]:
    """(code, label) of each action list whose warning is registered."""
    registered = {provider.code: provider for provider in warnings.providers()}
    return [(code, registered[code].label) for code in ACTION_CODES if code in registered]


def management_teams_for(user):
    return policy.teams_for(user, MANAGEMENT_CAPABILITY).order_by("name")


def action_list(user, *, team=None, action: str = "") -> tuple[list, Counter]:
    """Open cases in the manager's teams that need one of the actions, and how many need
    each. Two queries whatever the number of cases (TRM stages, then the annotated cases).
    """
    codes = set(ACTION_CODES) if not action else {action}
    queryset = young_people_visible_to(user, MANAGEMENT_CAPABILITY).filter(
        ecm_end_date__isnull=True
    )
    if team is not None:
        queryset = queryset.filter(team=team)
    rows = with_stage_and_warnings(
        list(with_case_summary(queryset).select_related("team", "practitioner")),
        stages_by_id(),
    )
    counts: Counter = Counter()
    listed = []
    for row in rows:
        row.actions = [warning for warning in row.warnings if warning.code in ACTION_CODES]
        for warning in row.actions:
            counts[warning.code] += 1
        if any(warning.code in codes for warning in row.actions):
            listed.append(row)
    return listed, counts


# --- Exchange imports ---------------------------------------------------------------------------


def stuck_exchange_imports(now=None) -> QuerySet:
    """Uploads waiting or being checked for longer than ECM_REPORT_STUCK_MINUTES: their
    message was lost or their worker died (housekeeping sends them again; the administrator's
    home page counts them)."""
    cutoff = (now or timezone.now()) - timedelta(minutes=settings.ECM_REPORT_STUCK_MINUTES)
    return ExchangeImport.objects.filter(
        Q(status=ImportStatus.QUEUED, queued_at__lt=cutoff)
        | Q(status=ImportStatus.RUNNING, started_at__lt=cutoff)
    )
