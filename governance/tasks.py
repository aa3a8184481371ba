"""Celery tasks of records governance."""

from celery import shared_task

from . import retention


@shared_task(name="governance.tasks.build_retention_review_task")
def build_retention_review_task() -> dict:
    """The nightly list of young people due under the retention rules (see `ecm.settings`);
    it waits for an administrator's approval and removes nothing itself."""
    review = retention.review_build()
    return {"review": review.pk, "due": review.items.count()}
