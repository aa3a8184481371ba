"""The comparison's arithmetic on numpy arrays, one element per young person: coarsened
exact matching, balance, and a difference-in-differences with cluster-robust confidence
intervals. Nothing here reads the database.

Coarsened exact matching (Iacus, King and Porro): each factor recorded at the index date is
put into a few bands; young people with the same bands of every factor form a stratum. A
stratum with at least one of each group is matched; the others are left out. Each young
person of the ECM cohort has weight 1; each comparison young person has weight
(ECM in the stratum / comparison in the stratum) × (comparison matched / ECM matched), so
the comparison group stands for the ECM cohort's mix of strata. Grouping is a sort, never a
pairwise search, so it is O(n log n).

The difference-in-differences is the weighted least-squares regression of the outcome in a
window on: a constant, being in the ECM cohort, the after window, and both (the estimate),
two rows per young person, with standard errors robust to the two rows of one young person
being related (clustered by young person, with the usual small-sample factor
G/(G − 1) × (N − 1)/(N − K)) and a t interval on G − 1 degrees of freedom. It is the same
model statsmodels fits with `WLS(...).fit(cov_type="cluster")`, written out with numpy so
that it costs a few passes over the arrays.
"""

from dataclasses import dataclass

import numpy
from scipy import stats


def bands(values: numpy.ndarray, edges: tuple[int, ...]) -> numpy.ndarray:
    """The band of each value: 0 below edges[0], 1 from edges[0] below edges[1] …"""
    return numpy.searchsorted(numpy.asarray(edges), values, side="right")


@dataclass(frozen=True)
class Matching:
    weights: numpy.ndarray  # 0 for a young person left out
    matched: numpy.ndarray  # bool
    strata: int  # strata with both groups


def coarsened_exact_matching(treated: numpy.ndarray, coarsened: numpy.ndarray) -> Matching:
    """CEM weights for young people in `treated` (bool) or not, with the rows of
    `coarsened` (one column per coarsened factor, whole numbers from 0) as their strata."""
    size = len(treated)
    if size == 0:
        return Matching(numpy.zeros(0), numpy.zeros(0, dtype=bool), 0)
    # One whole number per combination of bands (mixed radix), so grouping is a 1-D sort.
    coarsened = coarsened.astype(numpy.int64)
    key = numpy.zeros(size, dtype=numpy.int64)
    for column in coarsened.T:
        key = key * (int(column.max()) + 1) + column
    _, stratum = numpy.unique(key, return_inverse=True)
    count = stratum.max() + 1
    treated_in = numpy.bincount(stratum, weights=treated, minlength=count)
    others_in = numpy.bincount(stratum, weights=~treated, minlength=count)
    both = (treated_in > 0) & (others_in > 0)
    matched = both[stratum]
    treated_matched = (matched & treated).sum()
    others_matched = (matched & ~treated).sum()
    weights = numpy.zeros(size)
    weights[matched & treated] = 1.0
    if treated_matched and others_matched:
        ratio = treated_in[stratum] / numpy.where(others_in[stratum] > 0, others_in[stratum], 1)
        others = matched & ~treated
        weights[others] = ratio[others] * others_matched / treated_matched
    return Matching(weights, matched, int(both.sum()))


def weighted_mean(values: numpy.ndarray, weights: numpy.ndarray) -> float | None:
    total = weights.sum()
    if total <= 0:
        return None
    return float((values * weights).sum() / total)


def standardised_mean_difference(
    values: numpy.ndarray,
    treated: numpy.ndarray,
    weights: numpy.ndarray,
    scale: float | None,
) -> tuple[float | None, float | None, float | None]:
    """(ECM mean, comparison mean, their difference over `scale`) with `weights`."""
    ecm = weighted_mean(values[treated], weights[treated])
    others = weighted_mean(values[~treated], weights[~treated])
    if ecm is None or others is None or not scale:
        return ecm, others, None
    return ecm, others, (ecm - others) / scale


def pooled_sd(values: numpy.ndarray, treated: numpy.ndarray) -> float | None:
    """sqrt((variance in the ECM cohort + variance in the comparison group) / 2), before
    matching: the same yardstick before and after, so the two SMDs compare."""
    if treated.sum() < 2 or (~treated).sum() < 2:
        return None
    pooled = numpy.sqrt((values[treated].var(ddof=1) + values[~treated].var(ddof=1)) / 2)
    return float(pooled) if pooled > 0 else None


@dataclass(frozen=True)
class Estimate:
    """A difference-in-differences and its interval."""

    estimate: float
    low: float
    high: float
    standard_error: float
    clusters: int


def difference_in_differences(
    before: numpy.ndarray,
    after: numpy.ndarray,
    treated: numpy.ndarray,
    weights: numpy.ndarray,
    *,
    confidence: float = 0.95,
) -> Estimate | None:
    """The weighted DiD of an outcome measured `before` and `after` per young person (see
    the module's docstring); None with fewer than two young people of weight in a group."""
    keep = weights > 0
    before, after, treated, weights = before[keep], after[keep], treated[keep], weights[keep]
    if treated.sum() < 2 or (~treated).sum() < 2:
        return None
    people = len(weights)
    in_ecm = treated.astype(float)
    # Two rows per young person: before (post = 0), then after (post = 1).
    outcome = numpy.concatenate([before, after]).astype(float)
    post = numpy.repeat([0.0, 1.0], people)
    ecm = numpy.tile(in_ecm, 2)
    design = numpy.column_stack([numpy.ones(2 * people), ecm, post, ecm * post])
    weight = numpy.tile(weights, 2)
    weighted = design * weight[:, None]
    bread = numpy.linalg.pinv(design.T @ weighted)
    beta = bread @ (weighted.T @ outcome)
    residual = outcome - design @ beta
    scores = weighted * residual[:, None]
    per_cluster = scores[:people] + scores[people:]  # a young person's two rows
    meat = per_cluster.T @ per_cluster
    rows, parameters = design.shape
    factor = people / (people - 1) * (rows - 1) / (rows - parameters)
    covariance = factor * bread @ meat @ bread
    error = float(numpy.sqrt(max(covariance[3, 3], 0.0)))
    quantile = stats.t.ppf(0.5 + confidence / 2, df=people - 1)
    estimate = float(beta[3])
    return Estimate(
        estimate, estimate - quantile * error, estimate + quantile * error, error, people
    )
