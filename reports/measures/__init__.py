"""The evaluation measures (DESIGN.md section 7): importing this package registers them all.

`REGISTRY` maps each measure id to its label, plain-language definition, aggregation of the
per-young-person facts and how it is published (reports.measures.base.Measure);
`compute_all(scope)` works out the facts once and every measure from them, overall and per
team.
"""

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
]


def compute_all(scope: Scope, *, progress=None) -> dict[str, Result]:
    """Every measure for `scope`, from one set of per-young-person facts: one grouped query
    for every count, rate and mean, then one for each median, breakdown and measure of
    events. `progress(done, total)` is called as each measure is finished."""
    with person_facts(scope) as facts:
        shared, owner = {}, {}
        for index, (measure_id, measure) in enumerate(REGISTRY.items()):
            for name, aggregate in measure.value.aggregates().items():
                shared[f"m{index}_{name}"] = aggregate
                owner[f"m{index}_{name}"] = (measure_id, name)
        # {measure id: {team code: {aggregate name: value}}}, split from the one query's rows
        per_measure = {measure_id: {} for measure_id in REGISTRY}
        for row in facts.order_by().values("team_code").annotate(**shared):
            for alias, (measure_id, name) in owner.items():
                per_measure[measure_id].setdefault(row["team_code"], {})[name] = row[alias]
        results = {}
        total = len(REGISTRY)
        for done, (measure_id, measure) in enumerate(REGISTRY.items(), start=1):
            run = Run(scope, facts, per_measure[measure_id], results)
            results[measure_id] = measure.value.result(run)
            if progress is not None:
                progress(done, total)
    return results
