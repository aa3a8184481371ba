"""The evaluation measures (DESIGN.md section 7): importing this package registers them all.

`REGISTRY` maps each measure id to its label, plain-language definition, implementation and
how it is published (reports.measures.base.Measure);
`compute_all(scope)` runs every measure overall and per team.
"""

from . import engagement, fidelity, funnel, meetings, outcomes, profile, supervised, trm  # noqa: F401
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
    """Every measure for `scope`; `progress(done, total)` is called after each one."""
    results = {}
    total = len(REGISTRY)
    for done, (measure_id, measure) in enumerate(REGISTRY.items(), start=1):
        results[measure_id] = measure.compute(scope)
        if progress is not None:
            progress(done, total)
    return results
