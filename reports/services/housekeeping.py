"""Housekeeping of report runs (periodic, and `manage.py requeue_stuck_reports`): runs whose
worker died or whose message was lost are queued again, and expired files are deleted.
"""

import logging
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .. import queue
from ..models import ReportFile, ReportRun, RunStatus
from . import storage
from .claims import MAX_ATTEMPTS, attempts_message, stuck_after

logger = logging.getLogger(__name__)


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
    cutoff = now - stuck_after()
    given_up = ReportRun.objects.filter(
        status=RunStatus.RUNNING, heartbeat_at__lt=cutoff, attempts__gte=MAX_ATTEMPTS
    ).update(
        status=RunStatus.FAILED, finished_at=now, claim_token="", error_message=attempts_message()
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
        queue.send_report_run(run_id)

    expired = list(
        ReportFile.objects.filter(run__expires_at__lte=now).values_list("run_id", "file")
    )
    storage.delete_stored(name for _run_id, name in expired)
    run_ids = {run_id for run_id, _name in expired}
    ReportFile.objects.filter(run_id__in=run_ids).delete()
    ReportRun.objects.filter(pk__in=run_ids).update(files_deleted_at=now)
    for run_id in run_ids:
        storage.remove_other_attempts(run_id, token="")
        storage.remove_empty_folder(storage.run_folder(run_id))
    return Housekeeping(len(requeued), given_up, len(expired))
