"""`python manage.py requeue_stuck_reports`: report housekeeping without Celery beat.

Re-queues report runs whose worker died (running with no progress for
ECM_REPORT_STUCK_MINUTES) or whose message was lost (queued that long), gives up on runs
interrupted too often, deletes output files older than ECM_REPORT_RETENTION_DAYS, sends
again the exchange imports stuck that long and clears their lists of problems after the
retention period (`reports.exchange.jobs`). Beat runs the same job every five minutes
(CELERY_BEAT_SCHEDULE); run this from cron otherwise.
"""

from accounts.management.base import AccessLoggedCommand
from reports.exchange import jobs
from reports.services.housekeeping import report_housekeeping


class Command(AccessLoggedCommand):
    help = "Re-queue stuck report runs and exchange imports; delete expired report files."

    def handle(self, *args, **options):
        result = report_housekeeping()
        imports = jobs.exchange_import_housekeeping()
        self.stdout.write(
            f"Re-queued {result.requeued} report run(s); gave up on {result.given_up}; "
            f"deleted {result.files_deleted} expired file(s); sent {imports.requeued} "
            f"exchange import(s) again; cleared {imports.problems_cleared} old list(s) of "
            "import problems."
        )
