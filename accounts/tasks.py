"""Periodic housekeeping of accounts (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .drafts import delete_old_drafts


@shared_task
def delete_old_drafts_task() -> int:
    """Daily: delete drafts of long forms left alone for ``ECM_DRAFT_KEEP_DAYS`` days."""
    return delete_old_drafts()
