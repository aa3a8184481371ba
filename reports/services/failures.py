"""Why a report run failed: the reason its requester reads, and the log line (also written
for exchange imports) that names the work and the exception's class, never its message, the
parameters, personal data or the study key.
"""

import logging
import traceback

from django.core.exceptions import ImproperlyConfigured
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class ReportError(Exception):
    """A failure whose message the requester can read and act on."""


def readable_message(error: Exception, run_id: int) -> str:
    """What the requester is told about `error`, in the active language."""
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
