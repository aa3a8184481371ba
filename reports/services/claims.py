"""The claim protocol: a report run is carried out at most once to success.

Claiming sets a fresh `claim_token` in one conditional UPDATE (only a queued run, or a
running one whose progress stopped longer than ECM_REPORT_STUCK_MINUTES ago, can be
claimed); every later write — progress, the files, the final status — checks the token, so
a worker that lost its claim stops without writing. A run is given up after `MAX_ATTEMPTS`.
"""

import contextvars
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ..models import ReportFile, ReportRun, RunStatus

#: A run is given up after this many claims (each a worker starting it).
MAX_ATTEMPTS = 5


class LostClaim(Exception):
    """Another worker owns the run now (this one was taken to be dead): stop quietly."""


@dataclass(frozen=True)
class Outcome:
    """What `report_execute` did: "succeeded", "failed", "lost" (another worker took over),
    "done" (already finished: nothing to do), "busy" (another worker is on it; look again in
    `retry_in` seconds), "missing" (no such run), or "released" (transient error: retry)."""

    state: str
    retry_in: float = 0


def stuck_after() -> timedelta:
    """How long a run may go without progress before its worker is taken to be dead."""
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


def claim(run_id: int) -> str | None:
    """The new claim token if this worker may carry the run out now, else None."""
    now = timezone.now()
    token = uuid.uuid4().hex
    claimable = Q(status=RunStatus.QUEUED) | Q(
        status=RunStatus.RUNNING, heartbeat_at__lt=now - stuck_after()
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


def not_claimed(run_id: int) -> Outcome:
    """Why `claim` refused the run (and, once it is out of attempts, fail it)."""
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
            error_message=attempts_message(),
        )
        return Outcome("failed" if updated else "done")
    # Running, and its worker wrote progress recently: look again once it would be stale.
    stale_at = (run.heartbeat_at or timezone.now()) + stuck_after()
    return Outcome("busy", retry_in=max(1.0, (stale_at - timezone.now()).total_seconds() + 1))


def attempts_message() -> str:
    """The reason given on a run that was interrupted `MAX_ATTEMPTS` times."""
    return str(
        gettext_lazy(
            "The report was interrupted %(count)s times and has been stopped. Request it "
            "again; if it fails again, tell the service administrator."
        )
        % {"count": MAX_ATTEMPTS}
    )


def progress(run_id: int, token: str, percent: int, text: str) -> None:
    """Record progress (and that the worker is alive); LostClaim if the claim has gone."""
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


def finish(run_id: int, token: str, files: list[ReportFile]) -> None:
    """Mark the run succeeded and list its files, in one transaction; LostClaim if the claim
    has gone."""
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


def fail(run_id: int, token: str, message: str) -> None:
    """Mark the run failed with `message`, if this worker still holds the claim."""
    ReportRun.objects.filter(pk=run_id, claim_token=token).update(
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        error_message=message,
        claim_token="",
    )


def release(run_id: int, token: str) -> None:
    """Give a claimed run back to the queue (a transient error; the task will retry)."""
    ReportRun.objects.filter(pk=run_id, claim_token=token).update(
        status=RunStatus.QUEUED,
        claim_token="",
        queued_at=timezone.now(),
        progress_text=str(gettext_lazy("Interrupted by a temporary problem; will try again")),
    )
