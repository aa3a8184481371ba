"""`python manage.py send_reminders`: the daily reminders without Celery beat (run from cron
each morning). Beat runs the same job at 06:30 (CELERY_BEAT_SCHEDULE)."""

from accounts.management.base import AccessLoggedCommand
from work import reminders


class Command(AccessLoggedCommand):
    help = "Write today's reminders (once each) and email the people who asked for them."

    def handle(self, *args, **options):
        result = reminders.run()
        total = sum(result["notifications"].values())
        self.stdout.write(f"New notifications: {total}; emails sent: {result['emails']}")
