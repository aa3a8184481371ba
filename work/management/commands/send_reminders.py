from django.core.management.base import BaseCommand

from work import reminders


class Command(BaseCommand):
    help = "Write today's reminders (once each) and email the people who asked for them."

    def handle(self, *args, **options):
        result = reminders.run()
        total = sum(result["notifications"].values())
        self.stdout.write(f"New notifications: {total}; emails sent: {result['emails']}")
