"""Supervision measures: clinical supervision that reached the cohort's cases."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from supervision.models import SupervisionSession

from .base import Result, from_team_rows, grouped, measure

GROUP = "supervision"


@measure(
    "supervision_sessions",
    group=GROUP,
    kind="count",
    label=_("Supervision sessions"),
    definition=_(
        "Clinical supervision sessions in which at least one cohort member was discussed."
    ),
)
def supervision_sessions(scope):
    sessions = SupervisionSession.objects.filter(cases__in=scope.cohort())
    rows = {
        row["cases__team__code"]: {**row, "team__code": row["cases__team__code"]}
        for row in sessions.order_by()
        .values("cases__team__code")
        .annotate(n=Count("id", distinct=True))
    }
    by_team = from_team_rows(scope, rows, lambda row: row["n"] if row else 0).by_team
    return Result(sessions.order_by().values("id").distinct().count(), by_team)


@measure(
    "cases_discussed_in_supervision",
    group=GROUP,
    kind="count",
    label=_("Cases discussed in supervision"),
    definition=_("Cohort members discussed in clinical supervision at least once."),
)
def cases_discussed_in_supervision(scope):
    rows = grouped(
        scope.cohort().filter(supervision_sessions__isnull=False), n=Count("id", distinct=True)
    )
    return from_team_rows(scope, rows, lambda row: row["n"] if row else 0)
