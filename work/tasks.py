"""Celery tasks of the working day."""

from celery import shared_task

from . import reminders


@shared_task(name="work.tasks.send_reminders_task")
def send_reminders_task() -> dict:
    """The daily reminders (run by beat each morning; see `ecm.settings`)."""
    return reminders.run()
