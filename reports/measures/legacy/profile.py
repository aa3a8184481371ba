"""Profile measures: who the cohort are (DESIGN.md section 7)."""

from collections import Counter

from django.db.models import Count, F, Sum

from cases.models import Gender, Need, Offence

from ..base import AddMonths, AgeInYears, Result, mean
from .registry import from_team_rows, grouped, legacy, summed

GROUP = "profile"


@legacy("cohort_size")
def cohort_size(scope):
    rows = grouped(scope.cohort(), n=Count("id"))
    return from_team_rows(scope, rows, lambda row: row["n"] if row else 0)


@legacy("mean_age_at_start")
def mean_age_at_start(scope):
    rows = grouped(
        scope.cohort(),
        total=Sum(AgeInYears(F("date_of_birth"), F("ecm_start_date"))),
        n=Count("id"),
    )
    return from_team_rows(
        scope,
        rows,
        lambda row: mean(row["total"], row["n"], 1) if row else None,
        lambda all_rows: mean(summed(all_rows, "total"), summed(all_rows, "n"), 1),
    )


def gender_label(key: str) -> str:
    """A recorded gender as the report shows it: its label in the reader's language."""
    return str(dict(Gender.choices).get(key, key))


def _distribution(scope, queryset, key):
    """{team: {value: count}} and overall from one grouped query."""
    by_team = {code: {} for code in scope.team_codes}
    overall = Counter()
    for row in queryset.order_by().values("team__code", key).annotate(n=Count("id")):
        if row[key] is None:
            continue
        by_team[row["team__code"]][str(row[key])] = row["n"]
        overall[str(row[key])] += row["n"]
    return Result(
        dict(sorted(overall.items())),
        {code: dict(sorted(values.items())) for code, values in by_team.items()},
    )


@legacy("gender")
def gender(scope):
    return _distribution(scope, scope.cohort(), "gender")


def _need_pairs(scope):
    """Distinct (team, young person, need code) for the cohort's recorded needs."""
    return (
        Need.objects.filter(young_person__in=scope.cohort(), archived_at__isnull=True)
        .order_by()
        .values("young_person__team__code", "category__code")
        .annotate(people=Count("young_person", distinct=True))
    )


@legacy("need_counts")
def need_counts(scope):
    by_team = {code: {} for code in scope.team_codes}
    overall = Counter()
    for row in _need_pairs(scope):
        by_team[row["young_person__team__code"]][row["category__code"]] = row["people"]
        overall[row["category__code"]] += row["people"]
    return Result(
        dict(sorted(overall.items())),
        {code: dict(sorted(values.items())) for code, values in by_team.items()},
    )


@legacy("mean_needs_per_person")
def mean_needs_per_person(scope):
    rows = grouped(scope.cohort(), n=Count("id"))
    # Sum of distinct (person, category) pairs per team, over the team's cohort size.
    pairs = Counter()
    for row in _need_pairs(scope):
        pairs[row["young_person__team__code"]] += row["people"]
    return from_team_rows(
        scope,
        rows,
        lambda row: mean(pairs[row["team__code"]], row["n"]) if row else None,
        lambda all_rows: mean(
            sum(pairs[row["team__code"]] for row in all_rows), summed(all_rows, "n")
        ),
    )


@legacy("top_needs")
def top_needs(scope):
    counts = need_counts(scope)

    def top(values):
        return [
            code for code, _n in sorted(values.items(), key=lambda item: (-item[1], item[0]))[:3]
        ]

    return Result(
        top(counts.overall), {code: top(values) for code, values in counts.by_team.items()}
    )


@legacy("mean_offences_12m_before_start")
def mean_offences_12m_before_start(scope):
    people = grouped(scope.cohort(), n=Count("id"))
    offences = (
        Offence.objects.filter(young_person__in=scope.cohort(), archived_at__isnull=True)
        .filter(
            committed_on__gte=AddMonths(F("young_person__ecm_start_date"), -12),
            committed_on__lt=F("young_person__ecm_start_date"),
        )
        .order_by()
        .values("young_person__team__code")
        .annotate(n=Count("id"))
    )
    totals = {row["young_person__team__code"]: row["n"] for row in offences}
    return from_team_rows(
        scope,
        people,
        lambda row: mean(totals.get(row["team__code"], 0), row["n"]) if row else None,
        lambda all_rows: mean(
            sum(totals.get(row["team__code"], 0) for row in all_rows), summed(all_rows, "n")
        ),
    )
