"""Report runs: requesting one, carrying it out, and keeping the queue and the files tidy.

* `report_request` validates what was asked, clamps it to the teams the requester may see,
  creates the `ReportRun` and enqueues the task once the transaction commits.
* `report_execute` is the whole job (the Celery task is a thin wrapper): claim the run
  atomically, compute every measure (recording progress on the row after each), write the
  outputs, mark it succeeded — or failed with a reason the requester can read.
* `report_housekeeping` re-queues runs whose worker died and deletes expired output files.

A run is carried out at most once to success. Claiming sets a fresh `claim_token` in one
conditional UPDATE (only a queued run, or a running one whose progress stopped longer than
ECM_REPORT_STUCK_MINUTES ago, can be claimed); every later write — progress, the files, the
final status — checks the token, so a worker that lost its claim stops without writing.
Log lines name the run id and an exception's class, never parameters, personal data or the
study key.
"""

import contextlib
import contextvars
import logging
import time
import traceback
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from accounts.models import Team

from . import exports, suppression
from .dataset import dataset_rows
from .measures import Scope, compute_all
from .models import FileKind, ReportFile, ReportKind, ReportRun, RunStatus

logger = logging.getLogger(__name__)

#: The capability to request reports at all: evaluators in every team, managers in theirs.
RUN_CAPABILITY = "reports.run"
#: The pseudonymised dataset is for evaluators only (DESIGN.md section 6).
DATASET_CAPABILITY = "reports.evaluation"
#: A run is given up after this many claims (each a worker starting it).
MAX_ATTEMPTS = 5
MIN_THRESHOLD, MAX_THRESHOLD = 2, 100
DEFAULT_THRESHOLD = 5
ALL = "all"

CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}


class ReportError(Exception):
    """A failure whose message the requester can read and act on."""


class LostClaim(Exception):
    """Another worker owns the run now (this one was taken to be dead): stop quietly."""


# --- Requesting a run ---------------------------------------------------------------------------


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
            transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    """Send the task; if the broker is unreachable the run stays queued for housekeeping."""
    from .tasks import run_report_task, send

    send(run_report_task, run_id, "report run")


# --- Carrying a run out -------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What `report_execute` did: "succeeded", "failed", "lost" (another worker took over),
    "done" (already finished: nothing to do), "busy" (another worker is on it; look again in
    `retry_in` seconds), "missing" (no such run), or "released" (transient error: retry)."""

    state: str
    retry_in: float = 0


def _stuck_after() -> timedelta:
    return timedelta(minutes=settings.ECM_REPORT_STUCK_MINUTES)


_observer: contextvars.ContextVar = contextvars.ContextVar("report_progress_observer", default=None)


@contextmanager
def observe_progress(callback):
    """Call `callback(percent, text)` on every progress write in this context (the command
    line prints them); the row is updated either way."""
    token = _observer.set(callback)
    try:
        yield
    finally:
        _observer.reset(token)


def _claim(run_id: int) -> str | None:
    now = timezone.now()
    token = uuid.uuid4().hex
    claimable = Q(status=RunStatus.QUEUED) | Q(
        status=RunStatus.RUNNING, heartbeat_at__lt=now - _stuck_after()
    )
    claimed = ReportRun.objects.filter(claimable, pk=run_id, attempts__lt=MAX_ATTEMPTS).update(
        status=RunStatus.RUNNING,
        claim_token=token,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        progress=0,
        progress_text=str(gettext_lazy("Starting")),
        error_message="",
    )
    return token if claimed else None


def _not_claimed(run_id: int) -> Outcome:
    run = ReportRun.objects.filter(pk=run_id).first()
    if run is None:
        return Outcome("missing")
    if run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
        return Outcome("done")
    if run.attempts >= MAX_ATTEMPTS:
        updated = ReportRun.objects.filter(
            pk=run_id, status__in=(RunStatus.QUEUED, RunStatus.RUNNING)
        ).update(
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            claim_token="",
            error_message=_attempts_message(),
        )
        return Outcome("failed" if updated else "done")
    # Running, and its worker wrote progress recently: look again once it would be stale.
    stale_at = (run.heartbeat_at or timezone.now()) + _stuck_after()
    return Outcome("busy", retry_in=max(1.0, (stale_at - timezone.now()).total_seconds() + 1))


def _attempts_message() -> str:
    return str(
        gettext_lazy(
            "The report was interrupted %(count)s times and has been stopped. Request it "
            "again; if it fails again, tell the service administrator."
        )
        % {"count": MAX_ATTEMPTS}
    )


def _progress(run_id: int, token: str, percent: int, text: str) -> None:
    updated = ReportRun.objects.filter(pk=run_id, claim_token=token).update(
        progress=max(0, min(100, int(percent))),
        progress_text=text[:200],
        heartbeat_at=timezone.now(),
    )
    if not updated:
        raise LostClaim
    callback = _observer.get()
    if callback is not None:
        callback(percent, text)
    if settings.ECM_REPORT_TEST_DELAY_SECONDS:
        time.sleep(settings.ECM_REPORT_TEST_DELAY_SECONDS)


def scope_for(run: ReportRun) -> Scope:
    """The measures' Scope for a run; its teams never leave the requester's scope."""
    parameters = run.parameters
    team_ids = run.team_ids
    if run.scope_team_ids is not None:
        allowed = set(run.scope_team_ids)
        team_ids = sorted(allowed if team_ids is None else set(team_ids) & allowed)
    return Scope(
        date_from=date.fromisoformat(parameters["date_from"]),
        date_to=date.fromisoformat(parameters["date_to"]),
        team_ids=None if team_ids is None else tuple(team_ids),
        follow_up_months=parameters["follow_up_months"],
        as_of=date.fromisoformat(parameters["as_of"]),
        fidelity_window_days=parameters["fidelity_window_days"],
    )


def file_stem(run: ReportRun) -> str:
    """A safe file name stem: letters, digits and hyphens only, never user input."""
    if run.kind == ReportKind.EVALUATION_DATASET:
        return f"ecm-evaluation-dataset-{run.pk}"
    return f"ecm-evaluation-report-{run.pk}"


@dataclass
class _Output:
    kind: str
    name: str
    data: bytes
    rows: int | None = None


def _evaluation_outputs(run, scope, step) -> list[_Output]:
    results = compute_all(
        scope,
        progress=lambda done, total: step(
            5 + 80 * done // total,
            _("Calculated %(done)s of %(total)s measures") % {"done": done, "total": total},
        ),
    )
    document = exports.evaluation_document(run.parameters, results)
    if run.parameters.get("suppression"):
        document = suppression.suppress(document, run.parameters["suppression_threshold"])
    stem = file_stem(run)
    rows = len(document["measures"]) * (1 + len(document["by_team"]))
    outputs = [
        _Output(FileKind.JSON, f"{stem}.json", exports.json_bytes(document)),
        _Output(FileKind.CSV, f"{stem}.csv", exports.evaluation_csv(document), rows),
        _Output(FileKind.XLSX, f"{stem}.xlsx", exports.evaluation_xlsx(document)),
    ]
    step(88, _("Drawing the charts"))
    team_names = dict(Team.objects.filter(code__in=document["by_team"]).values_list("code", "name"))
    html = exports.evaluation_html(
        exports.report_context(
            document, team_names=team_names, max_teams=settings.ECM_REPORT_PDF_MAX_TEAMS
        )
    )
    outputs.append(_Output(FileKind.HTML, f"{stem}.html", html.encode("utf-8")))
    step(92, _("Writing the PDF"))
    outputs.append(_Output(FileKind.PDF, f"{stem}.pdf", exports.evaluation_pdf(html)))
    return outputs


def _dataset_outputs(run, scope, step) -> list[_Output]:
    step(10, _("Building the case-level dataset"))
    dictionary, rows = dataset_rows(scope)
    step(70, _("Writing the files"))
    stem = file_stem(run)
    outputs = [
        _Output(
            FileKind.DATASET_CSV, f"{stem}.csv", exports.dataset_csv(dictionary, rows), len(rows)
        ),
        _Output(
            FileKind.DATASET_XLSX,
            f"{stem}.xlsx",
            exports.dataset_xlsx(dictionary, rows),
            len(rows),
        ),
        _Output(
            FileKind.DICTIONARY,
            f"{stem}-dictionary.csv",
            exports.dictionary_csv(dictionary),
            len(dictionary),
        ),
    ]
    listed = [
        {
            "name": output.name,
            "kind": output.kind,
            "rows": output.rows,
            "bytes": len(output.data),
            "sha256": exports.sha256(output.data),
        }
        for output in outputs
    ]
    outputs.append(
        _Output(
            FileKind.MANIFEST,
            f"{stem}-manifest.json",
            exports.manifest_json(run.parameters, listed),
        )
    )
    return outputs


def _run_folder(run_id: int) -> str:
    return f"reports/{run_id}"


def _save(run_id: int, token: str, outputs: list[_Output]) -> list[ReportFile]:
    files = []
    for output in outputs:
        extension = output.name.rsplit(".", 1)[-1]
        stored = default_storage.save(
            f"{_run_folder(run_id)}/{token}/{output.kind}.{extension}", ContentFile(output.data)
        )
        files.append(
            ReportFile(
                run_id=run_id,
                kind=output.kind,
                file=stored,
                name=output.name,
                content_type=CONTENT_TYPES[extension],
                size=len(output.data),
                sha256=exports.sha256(output.data),
                rows=output.rows,
            )
        )
    return files


def _delete_stored(names) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("report files: could not delete a file")


def _remove_attempt(run_id: int, token: str) -> None:
    """Every file one attempt wrote, and its folder."""
    folder = f"{_run_folder(run_id)}/{token}"
    try:
        _subfolders, written = default_storage.listdir(folder)
    except (NotImplementedError, OSError):
        return
    _delete_stored(f"{folder}/{name}" for name in written)
    _remove_empty_folder(folder)


def _remove_other_attempts(run_id: int, token: str) -> None:
    """Files interrupted attempts left behind (never listed in the database)."""
    try:
        attempts, _files = default_storage.listdir(_run_folder(run_id))
    except (NotImplementedError, OSError):
        return
    for name in attempts:
        if name != token:
            _remove_attempt(run_id, name)


def _remove_empty_folder(name: str) -> None:
    with contextlib.suppress(NotImplementedError, OSError):
        Path(default_storage.path(name)).rmdir()


def _finish(run_id: int, token: str, files: list[ReportFile]) -> None:
    now = timezone.now()
    with transaction.atomic():
        updated = ReportRun.objects.filter(pk=run_id, claim_token=token).update(
            status=RunStatus.SUCCEEDED,
            progress=100,
            progress_text=str(gettext_lazy("Finished")),
            heartbeat_at=now,
            finished_at=now,
            expires_at=now + timedelta(days=settings.ECM_REPORT_RETENTION_DAYS),
            claim_token="",
        )
        if not updated:
            raise LostClaim
        ReportFile.objects.bulk_create(files)


def _fail(run_id: int, token: str, message: str) -> None:
    ReportRun.objects.filter(pk=run_id, claim_token=token).update(
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        error_message=message,
        claim_token="",
    )


def _release(run_id: int, token: str) -> None:
    """Give a claimed run back to the queue (a transient error; the task will retry)."""
    ReportRun.objects.filter(pk=run_id, claim_token=token).update(
        status=RunStatus.QUEUED,
        claim_token="",
        queued_at=timezone.now(),
        progress_text=str(gettext_lazy("Interrupted by a temporary problem; will try again")),
    )


def _readable(error: Exception, run_id: int) -> str:
    if isinstance(error, ReportError):
        return str(error)
    if isinstance(error, ImproperlyConfigured) and "ECM_STUDY_KEY" in str(error):
        return _(
            "The pseudonymised dataset cannot be produced because the service has no study "
            "key set up. Tell the service administrator."
        )
    if isinstance(error, OperationalError | InterfaceError):
        return _(
            "The database could not be reached while the report was produced. Try again "
            "later; if it keeps happening, tell the service administrator."
        )
    return _(
        "Something went wrong while the report was produced (reference: report run "
        "%(run)s). Try again; if it fails again, tell the service administrator and give "
        "them this reference."
    ) % {"run": run_id}


def log_failure(what: str, error: Exception) -> None:
    """The exception's class and where it happened (file, line, function); never its message
    or source lines, which may hold personal data. `what`: e.g. "report run 12"."""
    where = "; ".join(
        f"{frame.filename}:{frame.lineno} in {frame.name}"
        for frame in traceback.extract_tb(error.__traceback__)[-4:]
    )
    logger.error("%s failed: %s at %s", what, error.__class__.__name__, where)


def report_execute(run_id: int, *, final_attempt: bool = True) -> Outcome:
    """Carry out run `run_id` if it is ready to be claimed; safe to call any number of times.

    Transient database errors: on the final attempt the run fails with a reason; otherwise
    it goes back to the queue and the error is raised again for the task to retry.
    """
    token = _claim(run_id)
    if token is None:
        return _not_claimed(run_id)
    run = ReportRun.objects.get(pk=run_id)
    try:
        with translation.override(run.language):

            def step(percent, text):
                _progress(run_id, token, percent, str(text))

            scope = scope_for(run)
            if run.scope_team_ids is not None and not scope.team_ids:
                raise ReportError(
                    _("None of the teams in this report is one you may report on any more.")
                )
            step(2, _("Starting"))
            if run.kind == ReportKind.EVALUATION_DATASET:
                outputs = _dataset_outputs(run, scope, step)
            else:
                outputs = _evaluation_outputs(run, scope, step)
            step(97, _("Saving the files"))
            _finish(run_id, token, _save(run_id, token, outputs))
        _remove_other_attempts(run_id, token)
        logger.info("report run %s succeeded", run_id)
        return Outcome("succeeded")
    except LostClaim:
        _remove_attempt(run_id, token)
        logger.warning("report run %s: claimed by another worker; this attempt stopped", run_id)
        return Outcome("lost")
    except (OperationalError, InterfaceError) as error:
        _remove_attempt(run_id, token)
        log_failure(f"report run {run_id}", error)
        if not final_attempt:
            # If the database is still unreachable, the run is picked up once it is stale.
            with contextlib.suppress(OperationalError, InterfaceError):
                _release(run_id, token)
            raise
        with translation.override(run.language):
            _fail(run_id, token, _readable(error, run_id))
        return Outcome("failed")
    except Exception as error:  # noqa: BLE001 - every failure is shown to the requester
        _remove_attempt(run_id, token)
        log_failure(f"report run {run_id}", error)
        with translation.override(run.language):
            _fail(run_id, token, _readable(error, run_id))
        return Outcome("failed")


# --- Housekeeping -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Housekeeping:
    requeued: int
    given_up: int
    files_deleted: int


def report_housekeeping(*, now=None) -> Housekeeping:
    """Re-queue runs whose worker died (running, no progress for ECM_REPORT_STUCK_MINUTES)
    or whose message was lost (queued that long), give up on runs out of attempts, and
    delete output files past their `expires_at` (ECM_REPORT_RETENTION_DAYS after finishing).
    """
    now = now or timezone.now()
    cutoff = now - _stuck_after()
    given_up = ReportRun.objects.filter(
        status=RunStatus.RUNNING, heartbeat_at__lt=cutoff, attempts__gte=MAX_ATTEMPTS
    ).update(
        status=RunStatus.FAILED, finished_at=now, claim_token="", error_message=_attempts_message()
    )
    stuck = list(
        ReportRun.objects.filter(
            Q(status=RunStatus.RUNNING, heartbeat_at__lt=cutoff)
            | Q(status=RunStatus.QUEUED, queued_at__lt=cutoff)
        ).values_list("pk", flat=True)
    )
    requeued = []
    for run_id in stuck:
        # Conditional on still being stuck, so a run that moved on meanwhile is left alone.
        if ReportRun.objects.filter(
            Q(status=RunStatus.RUNNING, heartbeat_at__lt=cutoff)
            | Q(status=RunStatus.QUEUED, queued_at__lt=cutoff),
            pk=run_id,
        ).update(
            status=RunStatus.QUEUED,
            claim_token="",
            queued_at=now,
            progress_text=str(gettext_lazy("Interrupted; queued again")),
        ):
            requeued.append(run_id)
    for run_id in requeued:
        logger.info("report run %s re-queued", run_id)
        transaction.on_commit(lambda run_id=run_id: _enqueue(run_id))

    expired = list(
        ReportFile.objects.filter(run__expires_at__lte=now).values_list("run_id", "file")
    )
    _delete_stored(name for _run_id, name in expired)
    run_ids = {run_id for run_id, _name in expired}
    ReportFile.objects.filter(run_id__in=run_ids).delete()
    ReportRun.objects.filter(pk__in=run_ids).update(files_deleted_at=now)
    for run_id in run_ids:
        _remove_other_attempts(run_id, token="")
        _remove_empty_folder(_run_folder(run_id))
    return Housekeeping(len(requeued), given_up, len(expired))
