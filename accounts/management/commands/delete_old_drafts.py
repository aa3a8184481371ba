"""Delete drafts of long forms that nobody has touched for ``ECM_DRAFT_KEEP_DAYS`` days.

A draft is text someone typed and never saved; kept longer, it is a copy of case notes that
nobody is going to finish. Run it daily (cron or a scheduler); running it twice is harmless.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.management.base import AccessLoggedCommand
from accounts.models import Draft


def delete_old_drafts(*, days: int | None = None) -> int:
    """Delete the drafts last kept more than `days` (default ``ECM_DRAFT_KEEP_DAYS``) ago."""
    days = settings.ECM_DRAFT_KEEP_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _rows = Draft.objects.filter(updated_at__lt=cutoff).delete()
    return deleted


class Command(AccessLoggedCommand):
    help = "Delete drafts of long forms last kept more than ECM_DRAFT_KEEP_DAYS days ago."

    def handle(self, *args, **options):
        deleted = delete_old_drafts()
        self.stdout.write(
            f"Deleted {deleted} draft(s) older than {settings.ECM_DRAFT_KEEP_DAYS} days."
        )
