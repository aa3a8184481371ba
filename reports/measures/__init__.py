"""The evaluation measures (DESIGN.md section 7): importing this package registers them all.

`REGISTRY` maps each measure id to its label, plain-language definition, aggregation of the
per-young-person facts and how it is published (reports.measures.base.Measure);
`compute_all(scope)` works out the facts once and every measure from them, overall and per
team.
"""

from collections.abc import Iterable

from ..facts import person_facts
from . import (  # noqa: F401
    compliance,
    cost,
    distance,
    engagement,
    fidelity,
    funnel,
    meetings,
    outcomes,
    partnership,
    profile,
    reasons,
    supervised,
    training,
    trm,
)
from .aggregations import Run
from .base import (
    GROUP_LABELS,
    KIND_LABELS,
    OVERALL,
    REGISTRY,
    Measure,
    Result,
    Scope,
    in_design_order,
)

__all__ = [
    "GROUP_LABELS",
    "KIND_LABELS",
    "OVERALL",
    "REGISTRY",
    "Measure",
    "Result",
    "Scope",
    "compute_all",
    "in_design_order",
    "with_requirements",
]


def with_requirements(measure_ids: Iterable[str]) -> list[str]:
    """`measure_ids` and every measure they read the results of (`Aggregation.requires`),
    however indirectly, in the registry's order (which works each out after what it reads).
    An unknown id is a KeyError."""
    wanted, waiting = set(), list(measure_ids)
    while waiting:
        measure_id = waiting.pop()
        if measure_id not in wanted:
            wanted.add(measure_id)
            waiting += REGISTRY[measure_id].value.requires()
    return [measure_id for measure_id in REGISTRY if measure_id in wanted]


def compute_all(
    scope: Scope, *, progress=None, only: Iterable[str] | None = None
) -> dict[str, Result]:
    """Every measure for `scope` (or those in `only`, with the measures they read), from one
    set of per-young-person facts: one grouped query for every count, rate and mean, then
    one for each median, breakdown and measure of events. `progress(done, total)` is called
    as each measure is finished."""
    measures = {
        measure_id: REGISTRY[measure_id]
        for measure_id in (REGISTRY if only is None else with_requirements(only))
    }
    wanted = None  # every fact
    if only is not None:
        reads = [measure.value.facts() for measure in measures.values()]
        if None not in reads:
            wanted = set().union(*reads)
    with person_facts(scope, wanted=wanted) as facts:
        shared, owner = {}, {}
        for index, (measure_id, measure) in enumerate(measures.items()):
            for name, aggregate in measure.value.aggregates().items():
                shared[f"m{index}_{name}"] = aggregate
                owner[f"m{index}_{name}"] = (measure_id, name)
        # {measure id: {team code: {aggregate name: value}}}, split from the one query's rows
        per_measure = {measure_id: {} for measure_id in measures}
        if shared:
            for row in facts.order_by().values("team_code").annotate(**shared):
                for alias, (measure_id, name) in owner.items():
                    per_measure[measure_id].setdefault(row["team_code"], {})[name] = row[alias]
        results = {}
        total = len(measures)
        for done, (measure_id, measure) in enumerate(measures.items(), start=1):
            run = Run(scope, facts, per_measure[measure_id], results)
            results[measure_id] = measure.value.result(run)
            if progress is not None:
                progress(done, total)
    return results
