"""Report runs through a real Celery worker on Redis against PostgreSQL (`make test-services`).

The second test kills the worker in the middle of a run and shows the run completing exactly
once after a new worker starts: the task is acknowledged late, so Redis hands its message
out again once the visibility timeout passes (10 seconds here), and the new worker takes
over the run because its progress stopped (ECM_REPORT_STUCK_MINUTES, 6 seconds here). The
run is slowed down only here, by ECM_REPORT_TEST_DELAY_SECONDS in the workers' environment.
"""

import json
import time
from datetime import date

import pytest

from reports.models import ReportRun, RunStatus
from reports.services.requests import report_request
from tests.reports.test_measures import cohort  # noqa: F401 - the worked cohort fixture

pytestmark = pytest.mark.services

PERIOD = {
    "date_from": date(2024, 1, 1),
    "date_to": date(2024, 12, 31),
    "as_of": date(2026, 6, 30),
    "follow_up_months": 12,
    "fidelity_window_days": 56,
}


@pytest.fixture
def files_root(monkeypatch, settings, tmp_path):
    """Where the workers write the outputs (they read the environment, this process the
    settings), and the short timeouts that let a killed worker's run be picked up quickly."""
    root = tmp_path / "files"
    settings.MEDIA_ROOT = root
    monkeypatch.setenv("ECM_FILES_ROOT", str(root))
    monkeypatch.setenv("ECM_REPORT_STUCK_MINUTES", "0.1")
    monkeypatch.setenv("CELERY_BROKER_VISIBILITY_TIMEOUT", "10")
    from ecm.celery import app

    app.control.purge()  # nothing left over from an earlier run
    return root


def wait_for(run: ReportRun, condition, *, timeout: float, what: str) -> ReportRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if condition(run):
            return run
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}: {run.status} {run.progress}%")


def finished(run):
    return run.status in (RunStatus.SUCCEEDED, RunStatus.FAILED)


def test_a_requested_report_is_run_by_a_real_worker(
    celery_worker_process,
    files_root,
    cohort,  # noqa: F811
    evaluator,
):
    celery_worker_process("reports")
    run = report_request(by=evaluator, kind="evaluation", parameters=PERIOD)
    run = wait_for(run, finished, timeout=120, what="the worker to finish the report")
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    document = json.loads((files_root / run.files.get(kind="json").file.name).read_text())
    assert (document["measures"]["referrals"], document["by_team"]["b"]["referrals"]) == (5, 2)
    assert run.attempts == 1


def test_a_run_whose_worker_is_killed_completes_exactly_once_on_a_new_worker(
    celery_worker_process,
    files_root,
    monkeypatch,
    cohort,  # noqa: F811
    evaluator,
):
    monkeypatch.setenv("ECM_REPORT_TEST_DELAY_SECONDS", "0.3")
    doomed = celery_worker_process("doomed")
    run = report_request(by=evaluator, kind="evaluation", parameters=PERIOD)
    run = wait_for(
        run,
        lambda run: run.status == RunStatus.RUNNING and run.progress >= 10,
        timeout=60,
        what="the first worker to get into the run",
    )
    doomed.kill()
    killed_at = run.progress
    run.refresh_from_db()
    assert (run.status, run.attempts, run.files.count()) == (RunStatus.RUNNING, 1, 0)

    celery_worker_process("rescuer")
    run = wait_for(run, finished, timeout=180, what="the new worker to finish the run")
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert killed_at < 100
    assert run.attempts == 2

    # Exactly one set of outputs, in the database and on disk.
    time.sleep(3)  # any duplicate delivery still in flight finds the run finished
    run.refresh_from_db()
    assert (run.status, run.attempts) == (RunStatus.SUCCEEDED, 2)
    assert sorted(run.files.values_list("kind", flat=True)) == [
        "csv",
        "html",
        "json",
        "pdf",
        "xlsx",
    ]
    on_disk = sorted(
        path for path in (files_root / "reports" / str(run.pk)).rglob("*") if path.is_file()
    )
    assert on_disk == sorted(files_root / name for name in run.files.values_list("file", flat=True))
