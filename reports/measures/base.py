"""The measure registry and what measures share (DESIGN.md section 7).

A measure has an id, a label, a plain-language definition (shown in the measure catalogue)
and one implementation. Every implementation runs as database aggregates — never a Python
loop over model instances — and returns the value overall and per team in a fixed number of
queries, whatever the number of young people.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from statistics import median

from dateutil.relativedelta import relativedelta
from django.db.models import DateField, F, Func, IntegerField, QuerySet, Value
from django.utils import timezone

from cases.models import YoungPerson

OVERALL = "__all__"


@dataclass(frozen=True)
class Scope:
    """The parameters of a report run (DESIGN.md section 7)."""

    date_from: date
    date_to: date
    team_ids: tuple[int, ...] | None = None  # None: all teams
    follow_up_months: int = 12
    as_of: date = field(default_factory=timezone.localdate)
    fidelity_window_days: int = 56

    @cached_property
    def team_codes(self) -> list[str]:
        """Every team in scope, so per-team results list teams with nothing to count too."""
        from accounts.models import Team

        teams = Team.objects.all()
        if self.team_ids is not None:
            teams = teams.filter(pk__in=self.team_ids)
        return list(teams.order_by("code").values_list("code", flat=True))

    def referrals(self) -> QuerySet:
        """Young people referred in the period (funnel measures)."""
        queryset = YoungPerson.objects.filter(
            archived_at__isnull=True,
            referral_date__gte=self.date_from,
            referral_date__lte=self.date_to,
        )
        if self.team_ids is not None:
            queryset = queryset.filter(team_id__in=self.team_ids)
        return queryset

    def cohort(self) -> QuerySet:
        """The cohort: those referred in the period with an ECM start date."""
        return self.referrals().filter(ecm_start_date__isnull=False)

    def followup_cohort(self) -> QuerySet:
        """Cohort members whose start + follow-up months is on or before the as-of date."""
        return self.cohort().filter(
            ecm_start_date__lte=self.as_of - relativedelta(months=self.follow_up_months)
        )


@dataclass(frozen=True)
class Result:
    """A measure's value overall and per team code."""

    overall: object
    by_team: dict[str, object]


@dataclass(frozen=True)
class Measure:
    id: str
    group: str
    label: object  # lazily translated
    definition: object  # lazily translated
    kind: str  # count | rate | mean | median | distribution
    compute: Callable[[Scope], Result]


REGISTRY: dict[str, Measure] = {}


def measure(id: str, *, group: str, label, definition, kind: str):
    """Register the decorated function as the implementation of measure `id`."""

    def register(compute):
        if id in REGISTRY:
            raise ValueError(f"measure {id} registered twice")
        REGISTRY[id] = Measure(id, group, label, definition, kind, compute)
        return compute

    return register


# --- Helpers ------------------------------------------------------------------------------------


class AddMonths(Func):
    """`date + n calendar months` in the database (31 January + 1 month = 28/29 February).

    PostgreSQL's interval arithmetic clamps to the month's last day; SQLite's does not, so
    on SQLite this calls `ecm_add_months`, registered on each connection (reports.apps).
    """

    output_field = DateField()

    def __init__(self, expression, months: int, **extra):
        super().__init__(expression, Value(int(months)), **extra)

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="ecm_add_months", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        months_sql, months_params = compiler.compile(self.source_expressions[1])
        sql = f"(({date_sql}) + make_interval(months => {months_sql}))::date"
        return sql, (*date_params, *months_params)


def sqlite_add_months(value, months):
    """The SQLite side of AddMonths (dates arrive and leave as ISO text)."""
    if value is None or months is None:
        return None
    return (date.fromisoformat(str(value)[:10]) + relativedelta(months=int(months))).isoformat()


def start_plus(months: int, field_name: str = "ecm_start_date"):
    return AddMonths(F(field_name), months)


def rate(numerator, denominator):
    """A share in 0–1 to 3 dp; null (not 0) when the denominator is empty."""
    if not denominator:
        return None
    return round_half_up(numerator / denominator, 3)


def mean(total, count, places=2):
    if not count or total is None:
        return None
    return round_half_up(total / count, places)


def round_half_up(value, places):
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def median_or_none(values):
    values = [value for value in values if value is not None]
    if not values:
        return None
    middle = median(values)
    return int(middle) if float(middle).is_integer() else round_half_up(middle, 1)


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


class AgeInYears(Func):
    """Completed years from `born` to `on` (an age on a date), in the database."""

    output_field = IntegerField()

    def __init__(self, born, on, **extra):
        super().__init__(born, on, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        born, born_params = compiler.compile(self.source_expressions[0])
        on, on_params = compiler.compile(self.source_expressions[1])
        sql = (
            f"(CAST(strftime('%%Y', {on}) AS INTEGER) - CAST(strftime('%%Y', {born}) AS INTEGER)"
            f" - (strftime('%%m-%%d', {on}) < strftime('%%m-%%d', {born})))"
        )
        return sql, (*on_params, *born_params, *on_params, *born_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        born, born_params = compiler.compile(self.source_expressions[0])
        on, on_params = compiler.compile(self.source_expressions[1])
        return f"date_part('year', age({on}, {born}))::integer", (*on_params, *born_params)
