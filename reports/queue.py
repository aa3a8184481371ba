"""Sending work to the Celery worker once the transaction that created it commits.

Services name the task rather than import it, so `reports.tasks` (which calls the services)
and the services that queue its work do not import each other. The tasks are registered
with Celery when the app starts (`ReportsConfig.ready`).
"""

import logging

from celery import current_app
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

#: The Celery names of the tasks the services queue (their module and function in
#: `reports.tasks`; messages already on the broker carry these names).
RUN_REPORT = "reports.tasks.run_report_task"
RUN_EXCHANGE_IMPORT = "reports.tasks.run_exchange_import_task"


def send(task_name: str, object_id: int, what: str) -> None:
    """Queue the task for one row; if the broker is unreachable the row stays queued and
    housekeeping sends it again (in-process, without a broker, the error is raised)."""
    task = current_app.tasks[task_name]  # unregistered is a programming error: let it raise
    try:
        task.delay(object_id)
    except Exception as error:  # noqa: BLE001 - any broker failure: housekeeping re-sends it
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise
        logger.warning(
            "%s %s: could not enqueue (%s); housekeeping will retry",
            what,
            object_id,
            error.__class__.__name__,
        )


def send_on_commit(task_name: str, object_id: int, what: str) -> None:
    """`send` once the current transaction commits, so the worker finds the row it is given
    (and nothing is sent for a row that was rolled back)."""
    transaction.on_commit(lambda: send(task_name, object_id, what))


def send_report_run(run_id: int) -> None:
    """Queue the report run's task when the transaction commits."""
    send_on_commit(RUN_REPORT, run_id, "report run")


def send_exchange_import(import_id: int) -> None:
    """Queue the exchange import's check (and import) when the transaction commits."""
    send_on_commit(RUN_EXCHANGE_IMPORT, import_id, "exchange import")
