"""Requesting a report run: who may ask for what, checking the parameters, creating the run.

`report_request` validates what was asked, clamps it to the teams the requester may see,
creates the `ReportRun` and queues the task once the transaction commits.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from accounts.models import Team

from .. import queue
from ..models import ReportKind, ReportRun, RunStatus

#: The capability to request reports at all: evaluators in every team, managers in theirs.
RUN_CAPABILITY = "reports.run"
#: The pseudonymised dataset is for evaluators only (DESIGN.md section 6).
DATASET_CAPABILITY = "reports.evaluation"
MIN_THRESHOLD, MAX_THRESHOLD = 2, 100
DEFAULT_THRESHOLD = 5
ALL = "all"


def requester_scope(user) -> list[int] | None:
    """Team ids `user` may report on (None: every team). Raises PermissionDenied if none."""
    if user is None:  # the command line: the operator of the service
        return None
    if not policy.may(user, RUN_CAPABILITY):
        raise PermissionDenied
    team_ids = policy.team_ids_for(user, RUN_CAPABILITY)
    return None if team_ids is None else sorted(team_ids)


def _as_date(value, field: str, errors: dict, message):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        errors[field] = message
        return None


def _whole_number(value, field, errors, *, low, high, message):
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field] = message
        return None
    if not low <= number <= high:
        errors[field] = message
        return None
    return number


def _validated(parameters: dict, scope_team_ids):
    """(parameters as stored, team ids to report on), or ValidationError keyed by field."""
    errors = {}
    date_from = _as_date(
        parameters.get("date_from"),
        "date_from",
        errors,
        gettext_lazy("Enter the first referral date of the period as a real date"),
    )
    date_to = _as_date(
        parameters.get("date_to"),
        "date_to",
        errors,
        gettext_lazy("Enter the last referral date of the period as a real date"),
    )
    if date_from and date_to and date_to < date_from:
        errors["date_to"] = gettext_lazy(
            "The end of the period must be the same as or after its start"
        )
    as_of = parameters.get("as_of") or timezone.localdate()
    as_of = _as_date(as_of, "as_of", errors, gettext_lazy("Enter the as-of date as a real date"))
    follow_up_months = _whole_number(
        parameters.get("follow_up_months", 12),
        "follow_up_months",
        errors,
        low=1,
        high=60,
        message=gettext_lazy("Follow-up months must be a whole number from 1 to 60"),
    )
    fidelity_window_days = _whole_number(
        parameters.get("fidelity_window_days", settings.ECM_FORMULATION_WINDOW_DAYS),
        "fidelity_window_days",
        errors,
        low=1,
        high=365,
        message=gettext_lazy("The formulation window must be a whole number of days from 1 to 365"),
    )
    suppression = bool(parameters.get("suppression", False))
    threshold = _whole_number(
        parameters.get("suppression_threshold", DEFAULT_THRESHOLD),
        "suppression_threshold",
        errors,
        low=MIN_THRESHOLD,
        high=MAX_THRESHOLD,
        message=gettext_lazy("The suppression threshold must be a whole number from 2 to 100"),
    )

    teams = parameters.get("teams", ALL) or ALL
    allowed = (
        Team.objects.all() if scope_team_ids is None else Team.objects.filter(pk__in=scope_team_ids)
    )
    allowed_by_code = dict(allowed.values_list("code", "pk"))
    if teams == ALL:
        team_ids = None if scope_team_ids is None else sorted(allowed_by_code.values())
        codes = ALL if scope_team_ids is None else sorted(allowed_by_code)
    else:
        codes = sorted(set(teams))
        unknown = [code for code in codes if code not in allowed_by_code]
        if unknown:
            existing = set(Team.objects.filter(code__in=unknown).values_list("code", flat=True))
            outside = [code for code in unknown if code in existing]
            if outside:
                errors["teams"] = gettext_lazy("You can only report on your own teams")
            else:
                errors["teams"] = _("Unknown team code: %(codes)s") % {
                    "codes": ", ".join(code for code in unknown if code not in existing)
                }
        elif not codes:
            errors["teams"] = gettext_lazy("Choose at least one team")
        team_ids = sorted(allowed_by_code[code] for code in codes if code in allowed_by_code)
    if errors:
        raise ValidationError(errors)
    stored = {
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "teams": codes,
        "follow_up_months": follow_up_months,
        "as_of": as_of.isoformat(),
        "fidelity_window_days": fidelity_window_days,
        "suppression": suppression,
        "suppression_threshold": threshold,
    }
    return stored, team_ids


def report_request(*, by, kind: str, parameters: dict, enqueue: bool = True) -> ReportRun:
    """Validate and create a run, and enqueue its task when the transaction commits.

    `by` is the requesting user, or None for the command line (every team). Evaluators may
    report on every team, managers on their own teams only; asking for any other team is a
    ValidationError on `teams`. Only evaluators may ask for the case-level dataset.
    """
    if kind not in ReportKind.values:
        raise ValidationError({"kind": gettext_lazy("Choose a kind of report")})
    scope_team_ids = requester_scope(by)
    if (
        kind == ReportKind.EVALUATION_DATASET
        and by is not None
        and not policy.may(by, DATASET_CAPABILITY)
    ):
        raise PermissionDenied
    stored, team_ids = _validated(parameters, scope_team_ids)
    with transaction.atomic():
        run = ReportRun.objects.create(
            kind=kind,
            parameters=stored,
            requested_by=by,
            scope_team_ids=scope_team_ids,
            team_ids=team_ids,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            status=RunStatus.QUEUED,
            progress_text=str(gettext_lazy("Waiting to start")),
        )
        if enqueue:
            queue.send_report_run(run.pk)
    return run


#: Who may produce a young person's subject access bundle: the managers of the case's team.
SUBJECT_ACCESS_CAPABILITY = "subject_access.request"


def subject_access_request(*, by, young_person, enqueue: bool = True) -> ReportRun:
    """Queue the subject access bundle of `young_person` (reports.subject_access).

    Only a manager of the young person's team may ask; its files expire like a report's.
    """
    if not policy.may(by, SUBJECT_ACCESS_CAPABILITY, young_person.team):
        raise PermissionDenied
    with transaction.atomic():
        run = ReportRun.objects.create(
            kind=ReportKind.SUBJECT_ACCESS,
            parameters={"young_person_id": young_person.pk},
            requested_by=by,
            scope_team_ids=[young_person.team_id],
            team_ids=[young_person.team_id],
            language=translation.get_language() or settings.LANGUAGE_CODE,
            status=RunStatus.QUEUED,
            progress_text=str(gettext_lazy("Waiting to start")),
        )
        if enqueue:
            queue.send_report_run(run.pk)
    return run
