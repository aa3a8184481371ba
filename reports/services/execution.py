"""Carrying a report run out: `report_execute` is the whole job (the Celery task is a thin
wrapper): claim the run, compute every measure (recording progress on the row after each),
store the files, mark it succeeded — or failed with a reason the requester can read.
"""

import contextlib
import logging

from django.db import InterfaceError, OperationalError
from django.utils import translation
from django.utils.translation import gettext as _

from ..models import ReportKind, ReportRun
from . import claims, outputs, storage
from .claims import LostClaim, Outcome
from .failures import ReportError, log_failure, readable_message

logger = logging.getLogger(__name__)


def report_execute(run_id: int, *, final_attempt: bool = True) -> Outcome:
    """Carry out run `run_id` if it is ready to be claimed; safe to call any number of times.

    Transient database errors: on the final attempt the run fails with a reason; otherwise
    it goes back to the queue and the error is raised again for the task to retry.
    """
    token = claims.claim(run_id)
    if token is None:
        return claims.not_claimed(run_id)
    run = ReportRun.objects.get(pk=run_id)
    try:
        with translation.override(run.language):

            def step(percent, text):
                claims.progress(run_id, token, percent, str(text))

            step(2, _("Starting"))
            if run.kind == ReportKind.SUBJECT_ACCESS:
                files = outputs.subject_access_outputs(run, step)
            else:
                scope = outputs.scope_for(run)
                if run.scope_team_ids is not None and not scope.team_ids:
                    raise ReportError(
                        _("None of the teams in this report is one you may report on any more.")
                    )
                files = outputs.run_outputs(run, scope, step)
            step(97, _("Saving the files"))
            claims.finish(run_id, token, storage.save(run_id, token, files))
        storage.remove_other_attempts(run_id, token)
        logger.info("report run %s succeeded", run_id)
        return Outcome("succeeded")
    except LostClaim:
        storage.remove_attempt(run_id, token)
        logger.warning("report run %s: claimed by another worker; this attempt stopped", run_id)
        return Outcome("lost")
    except (OperationalError, InterfaceError) as error:
        storage.remove_attempt(run_id, token)
        log_failure(f"report run {run_id}", error)
        if not final_attempt:
            # If the database is still unreachable, the run is picked up once it is stale.
            with contextlib.suppress(OperationalError, InterfaceError):
                claims.release(run_id, token)
            raise
        with translation.override(run.language):
            claims.fail(run_id, token, readable_message(error, run_id))
        return Outcome("failed")
    except Exception as error:  # noqa: BLE001 - every failure is shown to the requester
        storage.remove_attempt(run_id, token)
        log_failure(f"report run {run_id}", error)
        with translation.override(run.language):
            claims.fail(run_id, token, readable_message(error, run_id))
        return Outcome("failed")
