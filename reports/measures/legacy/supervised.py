"""Supervision measures: clinical supervision that reached the cohort's cases."""

from django.db.models import Count

from supervision.models import SupervisionSession

from ..base import Result
from .registry import from_team_rows, grouped, legacy

GROUP = "supervision"


@legacy("supervision_sessions")
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


@legacy("cases_discussed_in_supervision")
def cases_discussed_in_supervision(scope):
    rows = grouped(
        scope.cohort().filter(supervision_sessions__isnull=False), n=Count("id", distinct=True)
    )
    return from_team_rows(scope, rows, lambda row: row["n"] if row else 0)
