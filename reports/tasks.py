"""Celery tasks for reports: thin wrappers over the services (STYLE.md "Tasks are thin").

`run_report_task` takes only the run id; everything else is on the `ReportRun` row, which
the requester's page polls. It is acknowledged late and rejected if its worker is lost, so a
message whose worker died is delivered again; `report_execute` is idempotent for the run id
(a succeeded run is never produced twice). Transient database errors are retried with
backoff on a worker; in-process they fail the run at once. Without a broker
(`CELERY_TASK_ALWAYS_EAGER`) both tasks run in-process, through the same code.

The services queue these tasks by name (`reports.queue`) instead of importing this module,
which imports them.
"""

from celery import shared_task
from celery.signals import worker_process_init
from django.db import InterfaceError, OperationalError

from . import exports
from .exchange import jobs
from .services.execution import report_execute
from .services.housekeeping import report_housekeeping

TRANSIENT = (OperationalError, InterfaceError)
#: Work whose row says how far it got: acknowledged late and rejected if its worker is lost
#: (so the message is delivered again), transient database errors retried with backoff.
REDELIVERED = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 3,
}


@worker_process_init.connect(dispatch_uid="reports_warm_up")
def _warm_up(**_kwargs):
    # The first report after a worker starts would wait about a second for the PDF and chart
    # libraries to load; the worker pays it once, before it takes any work.
    exports.warm_up()


def _final_attempt(task) -> bool:
    # In-process (no broker, or the command line) there is no queue to wait in: a transient
    # error fails the work at once, with its reason, rather than raising into the caller.
    return task.request.is_eager or task.request.retries >= task.max_retries


@shared_task(**REDELIVERED)
def run_report_task(self, run_id: int) -> str:
    outcome = report_execute(run_id, final_attempt=_final_attempt(self))
    if outcome.state == "busy" and not self.request.is_eager:
        # Another worker is on it, or died moments ago: look again once its run would be
        # stale. A fresh message, so it does not use up the transient-error retries.
        run_report_task.apply_async((run_id,), countdown=outcome.retry_in)
    return outcome.state


@shared_task(acks_late=True)
def report_housekeeping_task() -> dict:
    """Periodic (CELERY_BEAT_SCHEDULE): re-queue stuck runs and exchange imports, delete
    expired files."""
    result = report_housekeeping()
    imports = jobs.exchange_import_housekeeping()
    return {
        "requeued": result.requeued,
        "given_up": result.given_up,
        "files_deleted": result.files_deleted,
        "exchange_imports_sent_again": imports.requeued,
        "exchange_problem_lists_cleared": imports.problems_cleared,
    }


@shared_task(**REDELIVERED)
def run_exchange_import_task(self, import_id: int) -> str:
    """Check (and import) an uploaded exchange file (`reports.exchange.jobs`)."""
    return jobs.exchange_import_execute(import_id, final_attempt=_final_attempt(self))
