"""What the evaluator and the administrator find on their home pages in the demonstration: a
finished evaluation report, and a username locked out after five mistyped passwords."""

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cases.models import YoungPerson
from reports.models import ReportKind, ReportRun
from reports.services.requests import report_request
from reports.tasks import run_report_task

#: Someone who tried their name instead of their username (not a demonstration account, so
#: the lockout stops no one trying the demonstration).
LOCKED_USERNAME = "rhian.evans"


def seed_report_run(evaluator: User) -> bool:
    """The evaluator's report on every team, from the first referral to today, run now
    in-process as a worker would (once: True if it ran)."""
    if ReportRun.objects.filter(requested_by=evaluator).exists():
        return False
    first = YoungPerson.objects.aggregate(first=Min("referral_date"))["first"]
    today = timezone.localdate()
    run = report_request(
        by=evaluator,
        kind=ReportKind.EVALUATION,
        parameters={"date_from": first or today, "date_to": today},
        enqueue=False,
    )
    run_report_task.apply(args=(run.pk,), throw=True)
    return True


def seed_lockout() -> None:
    """Five failed sign-ins for one username this morning: locked until the cool-off ends
    (AXES_COOLOFF_TIME after loading the demonstration) or an administrator lifts it."""
    AccessAttempt.objects.update_or_create(
        username=LOCKED_USERNAME,
        ip_address="127.0.0.1",
        user_agent="Demonstration",
        defaults={
            "failures_since_start": settings.AXES_FAILURE_LIMIT,
            "attempt_time": timezone.now(),
            "get_data": "",
            "post_data": "username=" + LOCKED_USERNAME,
            "http_accept": "text/html",
            "path_info": reverse("accounts:login"),
        },
    )
