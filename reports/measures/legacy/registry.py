"""measure id → its former implementation (reports.measures.legacy), and the helpers those
implementations shared."""

from django.db.models import QuerySet

from ..base import Result, Scope, mean

LEGACY = {}


def legacy(measure_id: str):
    def register(compute):
        LEGACY[measure_id] = compute
        return compute

    return register


def grouped(queryset: QuerySet, **aggregates) -> dict[str, dict]:
    """One grouped query: {team code: {name: value}} for every aggregate."""
    rows = queryset.order_by().values("team__code").annotate(**aggregates)
    return {row["team__code"]: row for row in rows}


def from_team_rows(scope: Scope, rows: dict[str, dict], value, combine=None) -> Result:
    """Build a Result from grouped rows: `value(row_or_None)` per team; overall by `combine`.

    For counts, the overall value is the sum over teams; rates and means pass a `combine`
    that sums numerators and denominators first.
    """
    by_team = {code: value(rows.get(code)) for code in scope.team_codes}
    if combine is None:
        overall = sum(v or 0 for v in by_team.values())
    else:
        overall = combine([row for row in rows.values() if row["team__code"] in by_team])
    return Result(overall, by_team)


def summed(rows, name):
    return sum(row[name] or 0 for row in rows)


def mean_from_team_rows(scope: Scope, rows: dict[str, dict]) -> Result:
    """A mean per team from grouped rows of `total` and `n`; overall, the sum of the totals
    over the sum of the counts (not the mean of the teams' means)."""
    return from_team_rows(
        scope,
        rows,
        lambda row: mean(row["total"], row["n"]) if row else None,
        lambda all_rows: mean(summed(all_rows, "total"), summed(all_rows, "n")),
    )
