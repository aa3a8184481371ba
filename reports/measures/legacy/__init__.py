"""The measures as they were worked out before the per-young-person facts (reports.facts):
one set of queries per measure, each with its own pass over the records.

Kept only so that tests/reports/test_facts_agree.py can show, on generated cohorts, that
every measure and the dataset give the same results from the facts; remove this package and
that test together once the facts have been trusted through a release.
"""

from . import engagement, fidelity, funnel, meetings, outcomes, profile, supervised, trm  # noqa: F401
from .dataset import dataset_rows
from .registry import LEGACY

__all__ = ["LEGACY", "compute_all", "dataset_rows"]


def compute_all(scope):
    return {measure_id: compute(scope) for measure_id, compute in LEGACY.items()}
