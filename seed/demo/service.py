"""What the evaluator and the administrator find on their home pages in the demonstration: a
finished evaluation report (with targets for a few measures, set by the administrator), and a
username locked out after five mistyped passwords."""

from decimal import Decimal

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from accounts.models import Team, User
from cases.models import YoungPerson
from reports.models import MeasureTarget, ReportKind, ReportRun
from reports.services.requests import report_request
from reports.targets import target_save
from reports.tasks import run_report_task

#: Someone who tried their name instead of their username (not a demonstration account, so
#: the lockout stops no one trying the demonstration).
LOCKED_USERNAME = "rhian.evans"


#: measure id, team code (None: national), direction, value (a percentage for a rate)
TARGETS = [
    ("attendance_rate", None, "higher", 75),
    ("attendance_rate", "flintshire", "higher", 80),
    ("fidelity_practitioner_trained_rate", None, "higher", 90),
    ("reoffending_rate", None, "lower", 40),
    ("median_days_start_to_first_formulation", None, "lower", 42),
]


def seed_targets(administrator: User) -> int:
    """The administrator's targets for a few measures, set through the service like real
    ones (once: the number set)."""
    if MeasureTarget.objects.exists():
        return 0
    teams = {team.code: team for team in Team.objects.all()}
    for measure_id, team_code, direction, value in TARGETS:
        target_save(
            values={
                "measure_id": measure_id,
                "team": teams[team_code] if team_code else None,
                "period_start": None,
                "period_end": None,
                "direction": direction,
                "value": Decimal(value),
            },
            by=administrator,
        )
    return len(TARGETS)


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
