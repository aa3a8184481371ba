"""Outcome measures over the follow-up cohort (DESIGN.md section 7, "Outcomes").

N is the follow-up months. The *before* window runs from the start date minus N calendar
months (inclusive) to the day before the start; the *after* window from the start date to
the start date plus N months, both inclusive. Only cohort members whose start + N months is
on or before the as-of date are counted, so every member has a complete after window.
"""

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from cases.models import Breach, CustodyEpisode, Offence

from ..base import AddMonths, rate
from .registry import from_team_rows, grouped, legacy, mean_from_team_rows, summed

GROUP = "outcomes"


def _window(scope, prefix: str, date_field: str, after: bool) -> Q:
    start = F(f"{prefix}ecm_start_date") if prefix else OuterRef("ecm_start_date")
    months = scope.follow_up_months
    if after:
        return Q(**{f"{date_field}__gte": start, f"{date_field}__lte": AddMonths(start, months)})
    return Q(**{f"{date_field}__gte": AddMonths(start, -months), f"{date_field}__lt": start})


def _events(scope, model, date_field, after):
    """The follow-up cohort's offences/breaches in a window, for grouping by team."""
    return model.objects.filter(
        _window(scope, "young_person__", date_field, after),
        young_person__in=scope.followup_cohort(),
        archived_at__isnull=True,
    )


def _count_events(scope, model, date_field, after):
    rows = {
        row["young_person__team__code"]: {**row, "team__code": row["young_person__team__code"]}
        for row in _events(scope, model, date_field, after)
        .order_by()
        .values("young_person__team__code")
        .annotate(n=Count("id"))
    }
    return from_team_rows(scope, rows, lambda row: row["n"] if row else 0)


@legacy("followup_cohort")
def followup_cohort(scope):
    rows = grouped(scope.followup_cohort(), n=Count("id"))
    return from_team_rows(scope, rows, lambda row: row["n"] if row else 0)


@legacy("offences_before")
def offences_before(scope):
    return _count_events(scope, Offence, "committed_on", after=False)


@legacy("offences_after")
def offences_after(scope):
    return _count_events(scope, Offence, "committed_on", after=True)


def _has(scope, model, date_field, after):
    return Exists(
        model.objects.filter(
            _window(scope, "", date_field, after),
            young_person=OuterRef("pk"),
            archived_at__isnull=True,
        )
    )


@legacy("reoffending_rate")
def reoffending_rate(scope):
    people = scope.followup_cohort().annotate(
        reoffended=_has(scope, Offence, "committed_on", after=True)
    )
    rows = grouped(people, n=Count("id"), reoffended_n=Count("id", filter=Q(reoffended=True)))
    return from_team_rows(
        scope,
        rows,
        lambda row: rate(row["reoffended_n"], row["n"]) if row else None,
        lambda all_rows: rate(summed(all_rows, "reoffended_n"), summed(all_rows, "n")),
    )


def _mean_gravity(scope, after):
    rows = {
        row["young_person__team__code"]: {**row, "team__code": row["young_person__team__code"]}
        for row in _events(scope, Offence, "committed_on", after)
        .order_by()
        .values("young_person__team__code")
        .annotate(total=Sum("gravity"), n=Count("id"))
    }
    return mean_from_team_rows(scope, rows)


@legacy("mean_gravity_before")
def mean_gravity_before(scope):
    return _mean_gravity(scope, after=False)


@legacy("mean_gravity_after")
def mean_gravity_after(scope):
    return _mean_gravity(scope, after=True)


def _highest(scope, after):
    return Subquery(
        Offence.objects.filter(
            _window(scope, "", "committed_on", after),
            young_person=OuterRef("pk"),
            archived_at__isnull=True,
        )
        .order_by()
        .values("young_person")
        .annotate(top=Max("gravity"))
        .values("top")[:1]
    )


@legacy("seriousness_increased")
def seriousness_increased(scope):
    people = scope.followup_cohort().annotate(
        highest_after=_highest(scope, after=True),
        highest_before=Coalesce(_highest(scope, after=False), Value(0)),
    )
    rows = grouped(people, n=Count("id", filter=Q(highest_after__gt=F("highest_before"))))
    return from_team_rows(scope, rows, lambda row: row["n"] if row else 0)


@legacy("breaches_before")
def breaches_before(scope):
    return _count_events(scope, Breach, "breach_date", after=False)


@legacy("breaches_after")
def breaches_after(scope):
    return _count_events(scope, Breach, "breach_date", after=True)


@legacy("custody_after")
def custody_after(scope):
    people = scope.followup_cohort().annotate(
        custody=_has(scope, CustodyEpisode, "start_date", after=True)
    )
    rows = grouped(people, n=Count("id", filter=Q(custody=True)))
    return from_team_rows(scope, rows, lambda row: row["n"] if row else 0)
