"""Queueing report runs and exchange imports by task name (`reports.queue`)."""

import logging
import subprocess
import sys
from pathlib import Path

import pytest
from celery import current_app

from reports import queue
from reports.tasks import run_exchange_import_task, run_report_task


def test_the_queue_names_the_report_and_exchange_import_tasks():
    assert run_report_task.name == queue.RUN_REPORT
    assert run_exchange_import_task.name == queue.RUN_EXCHANGE_IMPORT


def test_a_web_process_can_send_the_tasks_without_importing_them():
    """Only Django is set up, as in a web process: the app registers the tasks itself."""
    names = f"{queue.RUN_REPORT!r}, {queue.RUN_EXCHANGE_IMPORT!r}"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from celery import current_app; "
            f"print(all(name in current_app.tasks for name in ({names})))",
        ],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "True", result.stderr


@pytest.fixture
def unreachable_broker(monkeypatch):
    def refused(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(current_app.tasks[queue.RUN_REPORT], "delay", refused)


def test_an_unreachable_broker_is_logged_and_left_to_housekeeping(
    settings, unreachable_broker, caplog
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    with caplog.at_level(logging.WARNING, logger="reports.queue"):
        queue.send(queue.RUN_REPORT, 12, "report run")
    assert "report run 12: could not enqueue (ConnectionRefusedError)" in caplog.text


def test_without_a_broker_a_failure_to_send_is_raised(settings, unreachable_broker):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with pytest.raises(ConnectionRefusedError):
        queue.send(queue.RUN_REPORT, 12, "report run")


def test_nothing_is_sent_until_the_transaction_commits(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(queue, "send", lambda *args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue.send_exchange_import(7)
    assert sent == []
    callbacks[0]()
    assert sent == [(queue.RUN_EXCHANGE_IMPORT, 7, "exchange import")]
