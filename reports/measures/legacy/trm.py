"""TRM measures: where the cohort started on the Trauma Recovery Model and where they are."""

from collections import Counter

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils.translation import gettext

from cases.models import TRMAssessment

from ..base import Result
from .registry import from_team_rows, grouped, legacy

GROUP = "trm"


def _stage(order):
    return Subquery(
        TRMAssessment.objects.filter(young_person=OuterRef("pk"), archived_at__isnull=True)
        .order_by(*order)
        .values("stage__number")[:1]
    )


def with_stages(queryset):
    return queryset.annotate(
        first_stage=_stage(("assessed_on", "id")),
        latest_stage=_stage(("-assessed_on", "-id")),
        assessments=Subquery(
            TRMAssessment.objects.filter(young_person=OuterRef("pk"), archived_at__isnull=True)
            .order_by()
            .values("young_person")
            .annotate(n=Count("id"))
            .values("n")[:1]
        ),
    )


def _distribution(scope, key):
    by_team = {code: {} for code in scope.team_codes}
    overall = Counter()
    rows = (
        with_stages(scope.cohort())
        .filter(**{f"{key}__isnull": False})
        .order_by()
        .values("team__code", key)
        .annotate(n=Count("id"))
    )
    for row in rows:
        by_team[row["team__code"]][str(row[key])] = row["n"]
        overall[str(row[key])] += row["n"]
    return Result(_by_stage(overall), {code: _by_stage(values) for code, values in by_team.items()})


def _by_stage(values):
    return dict(sorted(values.items(), key=lambda item: int(item[0])))


def stage_label(key: str) -> str:
    """A TRM stage number as the report and its chart show it ("Stage 3")."""
    return gettext("Stage %(number)s") % {"number": key} if key.isdigit() else key


@legacy("trm_first_stage")
def trm_first_stage(scope):
    return _distribution(scope, "first_stage")


@legacy("trm_latest_stage")
def trm_latest_stage(scope):
    return _distribution(scope, "latest_stage")


def _movement(scope, condition):
    people = with_stages(scope.cohort()).filter(assessments__gte=2)
    rows = grouped(people, n=Count("id", filter=condition))
    return from_team_rows(scope, rows, lambda row: row["n"] if row else 0)


@legacy("trm_moved_up")
def trm_moved_up(scope):
    return _movement(scope, Q(latest_stage__gt=F("first_stage")))


@legacy("trm_same")
def trm_same(scope):
    return _movement(scope, Q(latest_stage=F("first_stage")))


@legacy("trm_moved_down")
def trm_moved_down(scope):
    return _movement(scope, Q(latest_stage__lt=F("first_stage")))
