"""How a measure is worked out from the per-young-person facts (reports.facts).

Each measure's `value` is one of these. Most are aggregates that `compute_all` gathers into
a single grouped query over the facts, one row per team; the overall value is worked out
from the teams' numerators and denominators (never a mean of the teams' means). Medians and
breakdowns by category each take one more grouped query; a few measures count events rather
than young people (`Grouped`) and read their own table once.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL

from .base import Result, Scope, mean, median_or_none, rate


@dataclass
class Run:
    """What an aggregation reads: the scope, the facts, this measure's values per team
    from the shared query, and the results of the measures before it."""

    scope: Scope
    facts: QuerySet
    team_rows: dict[str, dict]
    results: dict[str, Result] = field(default_factory=dict)

    def per_team(self, name: str) -> dict[str, object]:
        """{team code: this measure's aggregate `name`} for every team in scope (None for a
        team with nobody to count)."""
        return {
            code: (self.team_rows[code][name] if code in self.team_rows else None)
            for code in self.scope.team_codes
        }


def referenced(*expressions) -> set[str] | None:
    """The facts (reports.facts) that `expressions` (expressions and Q objects over the
    facts) read; None where that cannot be told (a subquery or raw SQL), which means all."""
    names, waiting = set(), list(expressions)
    while waiting:
        node = waiting.pop()
        if isinstance(node, Q):
            for child in node.children:
                if isinstance(child, tuple):
                    names.add(child[0].split("__")[0])
                    waiting.append(child[1])
                else:
                    waiting.append(child)
        elif isinstance(node, F):
            names.add(node.name.split("__")[0])
        elif isinstance(node, RawSQL) or getattr(node, "query", None) is not None:
            return None
        elif hasattr(node, "get_source_expressions"):
            waiting += node.get_source_expressions()
    return names


class Aggregation:
    def aggregates(self) -> dict:
        """Aggregate expressions over the facts, for the shared per-team query."""
        return {}

    def facts(self) -> set[str] | None:
        """The facts this measure reads (None: it may read any), so that a run of a few
        measures works out only those (`compute_all(only=...)`)."""
        return referenced(*self.aggregates().values())

    def requires(self) -> tuple[str, ...]:
        """The measures whose results this one reads (`Run.results`): they are worked out
        before it, also when only some measures are asked for (`compute_all(only=...)`)."""
        return ()

    def result(self, run: Run) -> Result:
        raise NotImplementedError


@dataclass(frozen=True)
class CountOf(Aggregation):
    """A count: of young people meeting `condition`, or the total of a count fact (`total`)."""

    condition: Q = field(default_factory=Q)
    total: str | None = None

    def aggregates(self):
        if self.total:
            return {"n": Sum(self.total, filter=self.condition)}
        return {"n": Count("pk", filter=self.condition)}

    def result(self, run):
        by_team = {code: value or 0 for code, value in run.per_team("n").items()}
        return Result(sum(by_team.values()), by_team)


@dataclass(frozen=True)
class RateOf(Aggregation):
    """numerator / denominator (two aggregates), 0–1 to 3 places; null where nothing to divide."""

    numerator: object
    denominator: object

    def aggregates(self):
        return {"numerator": self.numerator, "denominator": self.denominator}

    def result(self, run):
        return _ratio(run, rate)


@dataclass(frozen=True)
class MeanOf(Aggregation):
    """total / count (two aggregates) to `places` decimal places; null where the count is 0."""

    total: object
    count: object
    places: int = 2

    def aggregates(self):
        return {"numerator": self.total, "denominator": self.count}

    def result(self, run):
        return _ratio(run, lambda total, count: mean(total, count, self.places))


def _ratio(run, divide) -> Result:
    numerators, denominators = run.per_team("numerator"), run.per_team("denominator")
    by_team = {code: divide(numerators[code] or 0, denominators[code] or 0) for code in numerators}
    overall = divide(
        sum(value or 0 for value in numerators.values()),
        sum(value or 0 for value in denominators.values()),
    )
    return Result(overall, by_team)


@dataclass(frozen=True)
class MedianOf(Aggregation):
    """The median of `expression` over the young people meeting `condition` (days, where the
    expression is a span of time), from one query counting each value per team."""

    expression: object
    condition: Q = field(default_factory=Q)

    def facts(self):
        return referenced(self.expression, self.condition)

    def result(self, run):
        rows = (
            run.facts.filter(self.condition)
            .annotate(value=self.expression)
            .filter(value__isnull=False)
            .order_by()
            .values("team_code", "value")
            .annotate(n=Count("pk"))
        )
        counts = defaultdict(Counter)
        for row in rows:
            value = row["value"]
            value = value.days if isinstance(value, timedelta) else value
            counts[row["team_code"]][value] += row["n"]
            counts[None][value] += row["n"]
        return Result(
            _median(counts[None]),
            {code: _median(counts.get(code, Counter())) for code in run.scope.team_codes},
        )


def _median(counts: Counter):
    """The median (as median_or_none gives it) of a histogram {value: how many}."""
    total = sum(counts.values())
    positions = ((total - 1) // 2, total // 2)
    middle, seen = [], 0
    for value in sorted(counts):
        seen += counts[value]
        while len(middle) < 2 and positions[len(middle)] < seen:
            middle.append(value)
    return median_or_none(middle)


@dataclass(frozen=True)
class BreakdownOf(Aggregation):
    """How many young people meeting `condition` have each value of the fact `name`
    (young people with none left out); categories in `order`."""

    name: str
    condition: Q = field(default_factory=Q)
    order: Callable[[str], object] = str

    def facts(self):
        read = referenced(self.condition)
        return None if read is None else {self.name, *read}

    def result(self, run):
        rows = (
            run.facts.filter(self.condition, **{f"{self.name}__isnull": False})
            .order_by()
            .values("team_code", self.name)
            .annotate(n=Count("pk"))
        )
        by_team = {code: {} for code in run.scope.team_codes}
        overall = Counter()
        for row in rows:
            key = str(row[self.name])
            by_team[row["team_code"]][key] = row["n"]
            overall[key] += row["n"]
        return Result(self._sorted(overall), {code: self._sorted(v) for code, v in by_team.items()})

    def _sorted(self, values):
        return dict(sorted(values.items(), key=lambda item: self.order(item[0])))


@dataclass(frozen=True)
class TopOf(Aggregation):
    """The `n` largest categories of another (earlier) breakdown, ties broken by key."""

    measure_id: str
    n: int = 3

    def requires(self):
        return (self.measure_id,)

    def facts(self):
        return set()

    def result(self, run):
        counts = run.results[self.measure_id]

        def top(values):
            ranked = sorted(values.items(), key=lambda item: (-item[1], item[0]))
            return [key for key, _count in ranked[: self.n]]

        return Result(top(counts.overall), {code: top(v) for code, v in counts.by_team.items()})


@dataclass(frozen=True)
class Grouped(Aggregation):
    """A measure of events rather than young people: `compute(run)` reads the events of the
    young people in the facts in a fixed number of grouped queries. `after`: the measures
    whose results `compute` reads; `reads`: the facts it reads, where known (else all)."""

    compute: Callable[[Run], Result]
    after: tuple[str, ...] = ()
    reads: frozenset[str] | None = None

    def requires(self):
        return self.after

    def facts(self):
        return None if self.reads is None else set(self.reads)

    def result(self, run):
        return self.compute(run)
