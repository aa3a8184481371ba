"""The comparison's arithmetic on numpy arrays, one element per young person: calendar
months, coarsened exact matching, balance, and a difference-in-differences with
cluster-robust confidence intervals. Nothing here reads the database.

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

EPOCH = numpy.datetime64("1970-01-01", "D")


def add_months(days: numpy.ndarray, months: int) -> numpy.ndarray:
    """Day numbers (days since 1970-01-01) plus `months` calendar months, clamped to the
    month's last day (31 January + 1 month = 28/29 February), as reports.scope.AddMonths."""
    moments = EPOCH + days.astype("timedelta64[D]")
    month = moments.astype("datetime64[M]")
    day_of_month = (moments - month.astype("datetime64[D]")).astype(numpy.int64)
    target = month + numpy.timedelta64(months, "M")
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        numpy.int64
    )
    landed = target.astype("datetime64[D]") + numpy.minimum(day_of_month, length - 1)
    return (landed - EPOCH).astype(numpy.int64)


def _month_and_day(days: numpy.ndarray) -> numpy.ndarray:
    """month × 100 + day of the month, for comparing birthdays across leap years."""
    moments = EPOCH + days.astype("timedelta64[D]")
    month = moments.astype("datetime64[M]")
    day = (moments - month.astype("datetime64[D]")).astype(numpy.int64)
    return month.astype(numpy.int64) % 12 * 100 + day


def age_in_years(born: numpy.ndarray, on: numpy.ndarray) -> numpy.ndarray:
    """Completed years from the day numbers `born` to `on`, as reports.scope.AgeInYears."""
    year = lambda days: (EPOCH + days.astype("timedelta64[D]")).astype("datetime64[Y]")  # noqa: E731
    years = (year(on) - year(born)).astype(numpy.int64)
    return years - (_month_and_day(on) < _month_and_day(born))


def in_window(
    owner: numpy.ndarray, dated: numpy.ndarray, start: numpy.ndarray, end: numpy.ndarray
) -> numpy.ndarray:
    """Which events (of young person at position `owner`, on day `dated`) fall in their
    owner's window from `start` to `end` inclusive (day numbers per young person)."""
    return (dated >= start[owner]) & (dated <= end[owner])


def per_person(owner: numpy.ndarray, size: int, weights=None) -> numpy.ndarray:
    """How many events (or the sum of `weights`) each of `size` young people has."""
    return numpy.bincount(owner, weights=weights, minlength=size)[:size]


def highest_per_person(owner: numpy.ndarray, values: numpy.ndarray, size: int) -> numpy.ndarray:
    """The highest of `values` per young person; 0 for one with none."""
    highest = numpy.zeros(size, dtype=numpy.int64)
    numpy.maximum.at(highest, owner, values.astype(numpy.int64))
    return highest


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
    `coarsened` (one column per coarsened factor, whole numbers) as their strata."""
    size = len(treated)
    if size == 0:
        return Matching(numpy.zeros(0), numpy.zeros(0, dtype=bool), 0)
    _, stratum = numpy.unique(coarsened, axis=0, return_inverse=True)
    stratum = stratum.reshape(-1)
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
