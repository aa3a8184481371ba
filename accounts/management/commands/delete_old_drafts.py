"""Delete drafts of long forms that nobody has touched for ``ECM_DRAFT_KEEP_DAYS`` days.

A draft is text someone typed and never saved; kept longer, it is a copy of case notes that
nobody is going to finish. Celery beat runs the same daily (``accounts.tasks``); without
beat, run this from cron. Running it twice is harmless.
"""

from django.conf import settings

from accounts.drafts import delete_old_drafts
from accounts.management.base import AccessLoggedCommand


class Command(AccessLoggedCommand):
    help = "Delete drafts of long forms last kept more than ECM_DRAFT_KEEP_DAYS days ago."

    def handle(self, *args, **options):
        deleted = delete_old_drafts()
        self.stdout.write(
            f"Deleted {deleted} draft(s) older than {settings.ECM_DRAFT_KEEP_DAYS} days."
        )
