"""Uploaded exchange files are checked and imported by a Celery task, not in the web request.

A 50 MB upload takes minutes to check and import, longer than a web request should be held
open (and than a proxy waits). The upload page stores the file and an `ExchangeImport` row,
and `run_exchange_import_task` (in-process when no broker is configured, as in `make run`)
does the work; the administrator watches the row on its page.

Exactly once, on PostgreSQL: the task holds an advisory lock on the import while it works,
so a second delivery of the same message finds it busy. The import and the row's outcome
are written in one transaction: a worker that dies part-way leaves nothing behind, its lock
goes with its connection, and the message delivered again (``acks_late``) or re-sent by
housekeeping starts again from the beginning. After `MAX_ATTEMPTS` starts it is given up.
"""

import logging
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import queue
from ..models import ExchangeImport, ImportStatus
from ..selectors import stuck_exchange_imports
from ..services.failures import log_failure
from .importer import ImportResult, import_exchange, summary_notes
from .source import from_zip

logger = logging.getLogger(__name__)

#: Starts before an import is given up (a file that kills its worker is not tried forever).
MAX_ATTEMPTS = 3
#: The page lists at most this many problems (the command line lists them all).
PROBLEMS_KEPT = 1000
#: First key of the PostgreSQL advisory locks taken here (the second is the import's id).
LOCK_SPACE = 0x45584348  # "EXCH"
FOLDER = "exchange-imports"


def exchange_import_request(*, by, upload, dry_run: bool, enqueue: bool = True):
    """Store the uploaded file and queue its check (and import); returns the `ExchangeImport`.

    The task is sent when the transaction commits; without a broker it runs then, in-process.
    """
    stored = default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}.zip", upload)
    try:
        with transaction.atomic():
            job = ExchangeImport.objects.create(
                file_name=upload.name[:255],
                upload=stored,
                size=upload.size,
                dry_run=dry_run,
                requested_by=by,
                language=translation.get_language() or settings.LANGUAGE_CODE,
                progress_text=str(gettext_lazy("Waiting to start")),
            )
            if enqueue:
                queue.send_exchange_import(job.pk)
    except BaseException:
        default_storage.delete(stored)
        raise
    return job


@contextmanager
def _worker_lock(job_id: int):
    """True if this worker alone may work on the import (always, off PostgreSQL: there the
    task runs in-process and SQLite lets one writer in at a time)."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_SPACE, job_id])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_SPACE, job_id])


def exchange_import_execute(job_id: int, *, final_attempt: bool = True) -> str:
    """Check (and import) `job_id` if nobody else is; safe to call any number of times.

    Returns "succeeded", "problems", "failed", "busy" (another worker holds it), "done"
    (already finished) or "missing". A transient database error on a final attempt fails
    the import with a reason; otherwise the import goes back to the queue and it is raised
    again for the task to retry.
    """
    with _worker_lock(job_id) as held:
        if not held:
            return "busy"
        claimed = ExchangeImport.objects.filter(
            pk=job_id,
            status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING),
            attempts__lt=MAX_ATTEMPTS,
        ).update(
            status=ImportStatus.RUNNING,
            attempts=F("attempts") + 1,
            started_at=timezone.now(),
            progress_text=str(gettext_lazy("Checking the file")),
        )
        if not claimed:
            return _not_claimed(job_id)
        job = ExchangeImport.objects.select_related("requested_by").get(pk=job_id)
        with translation.override(job.language):
            try:
                with transaction.atomic():
                    result = _run(job)
                    _record(job, result)
            except (OperationalError, InterfaceError) as error:
                log_failure(f"exchange import {job_id}", error)
                if not final_attempt:
                    ExchangeImport.objects.filter(pk=job_id).update(
                        status=ImportStatus.QUEUED, queued_at=timezone.now()
                    )
                    raise
                _fail(job, _unreachable_message())
            except Exception as error:  # noqa: BLE001 - every failure is shown to the uploader
                log_failure(f"exchange import {job_id}", error)
                _fail(job, _failed_message(job_id))
        _delete_upload(job)
        logger.info("exchange import %s: %s", job_id, job.status)
        return job.status


def _run(job: ExchangeImport) -> ImportResult:
    with default_storage.open(job.upload.name, "rb") as stored:
        return import_exchange(
            from_zip(stored, name=job.file_name), by=job.requested_by, dry_run=job.dry_run
        )


def _record(job: ExchangeImport, result: ImportResult) -> None:
    """Write the outcome onto the row, in the language the administrator asked in."""
    problems = [str(problem) for problem in result.problems]
    job.status = ImportStatus.SUCCEEDED if result.ok else ImportStatus.PROBLEMS
    job.problem_count = len(problems)
    job.problems = problems[:PROBLEMS_KEPT]
    job.rows, job.created, job.updated = result.rows, result.created, result.updated
    job.summary = (
        {
            "files": [
                [count.name, count.rows, count.created, count.updated, count.unchanged]
                for count in result.file_counts
            ],
            "notes": [str(note) for note in summary_notes(result)],
        }
        if result.ok
        else None
    )
    job.finished_at = timezone.now()
    job.progress_text = ""
    job.save()


def _fail(job: ExchangeImport, message: str) -> None:
    job.status = ImportStatus.FAILED
    job.error_message = message
    job.finished_at = timezone.now()
    job.progress_text = ""
    job.save(update_fields=["status", "error_message", "finished_at", "progress_text"])


def _not_claimed(job_id: int) -> str:
    job = ExchangeImport.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    if not job.is_active:
        return "done"
    # Out of attempts: each start before this one died with its worker.
    with translation.override(job.language):
        _fail(
            job,
            _(
                "Checking the file was interrupted %(count)s times and has been stopped. Upload "
                "it again; if it fails again, tell the service's support team."
            )
            % {"count": MAX_ATTEMPTS},
        )
    _delete_upload(job)
    return "failed"


def _unreachable_message() -> str:
    return _(
        "The database could not be reached while the file was checked. Nothing was imported. "
        "Upload it again later; if it keeps happening, tell the service's support team."
    )


def _failed_message(job_id: int) -> str:
    return _(
        "Something went wrong while the file was checked (reference: exchange import "
        "%(number)s). Nothing was imported. Upload it again; if it fails again, tell the "
        "service's support team and give them this reference."
    ) % {"number": job_id}


def _delete_upload(job: ExchangeImport) -> None:
    """The uploaded file holds personal data: it goes as soon as the task is done with it."""
    if not job.upload:
        return
    try:
        default_storage.delete(job.upload.name)
    except OSError:
        logger.warning("exchange import %s: the uploaded file could not be deleted", job.pk)
        return
    ExchangeImport.objects.filter(pk=job.pk).update(upload="")


@dataclass(frozen=True)
class Housekeeping:
    requeued: int
    problems_cleared: int


def exchange_import_housekeeping(*, now=None) -> Housekeeping:
    """Send again the imports whose message was lost or whose worker died (queued or running
    for ECM_REPORT_STUCK_MINUTES); the task finds a live one busy and leaves it alone.

    Problems quote the file's values, which may be personal data: the lists are cleared
    ECM_REPORT_RETENTION_DAYS after the check, as report outputs are deleted (the count stays).
    """
    now = now or timezone.now()
    cleared = (
        ExchangeImport.objects.filter(
            finished_at__lt=now - timedelta(days=settings.ECM_REPORT_RETENTION_DAYS)
        )
        .exclude(problems=[])
        .update(problems=[])
    )
    stuck = list(stuck_exchange_imports(now).values_list("pk", flat=True))
    ExchangeImport.objects.filter(pk__in=stuck, status=ImportStatus.QUEUED).update(queued_at=now)
    for job_id in stuck:
        logger.info("exchange import %s sent again", job_id)
        queue.send_exchange_import(job_id)
    return Housekeeping(len(stuck), cleared)
