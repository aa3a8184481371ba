"""Where a run's files are kept: one folder per run, one sub-folder per attempt (named by its
claim token), so that files an interrupted attempt wrote can be told apart and removed.
"""

import contextlib
import logging
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from .. import exports
from ..models import ReportFile
from .outputs import Output

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "zip": "application/zip",
}


def run_folder(run_id: int) -> str:
    return f"reports/{run_id}"


def save(run_id: int, token: str, outputs: list[Output]) -> list[ReportFile]:
    """Store the attempt's files; returns their (unsaved) `ReportFile` rows."""
    files = []
    for output in outputs:
        extension = output.name.rsplit(".", 1)[-1]
        stored = default_storage.save(
            f"{run_folder(run_id)}/{token}/{output.kind}.{extension}", ContentFile(output.data)
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


def delete_stored(names) -> None:
    """Delete stored files by name; one that cannot be deleted is logged and skipped."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("report files: could not delete a file")


def remove_attempt(run_id: int, token: str) -> None:
    """Every file one attempt wrote, and its folder."""
    folder = f"{run_folder(run_id)}/{token}"
    try:
        _subfolders, written = default_storage.listdir(folder)
    except (NotImplementedError, OSError):
        return
    delete_stored(f"{folder}/{name}" for name in written)
    remove_empty_folder(folder)


def remove_other_attempts(run_id: int, token: str) -> None:
    """Files interrupted attempts left behind (never listed in the database)."""
    try:
        attempts, _files = default_storage.listdir(run_folder(run_id))
    except (NotImplementedError, OSError):
        return
    for name in attempts:
        if name != token:
            remove_attempt(run_id, name)


def remove_empty_folder(name: str) -> None:
    with contextlib.suppress(NotImplementedError, OSError):
        Path(default_storage.path(name)).rmdir()
