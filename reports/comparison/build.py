"""The comparison report (issue 16, "Attribution"): the ECM cohort against eligible
referrals who did not start ECM, matched on what was recorded at the index date, with a
difference-in-differences on offences, their seriousness and breaches.

Who is in it, from the young people referred in the report's period and teams:
* the ECM cohort: those with an ECM start date whose follow-up months have all passed by the
  as-of date (the outcome measures' follow-up cohort); index date: the ECM start;
* the comparison group: those with no ECM start whose latest eligibility decision found them
  eligible (a manager's override counts), made early enough for its follow-up months to have
  passed; index date: that decision's date.
The windows are the outcome measures' (reports.measures.outcomes): before, the follow-up
months up to the day before the index date; after, the index date to the index date plus
the follow-up months, both inclusive. The factors matched on are those at the index date:
age, gender, need categories recorded by then, and offences and their highest gravity in
the 12 months before it.

Young people referred before ECM started in their team cannot be a second comparison group:
the records do not say when a team started ECM. The document says so.

Reading is four queries whatever the number of young people (the people with their index
dates, and the offences, breaches and needs of the young people referred in the scope, as
flat lists of numbers); the rest is numpy (reports.comparison.maths).
"""

from datetime import date

import numpy
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Value, When

from cases.models import Breach, Need, Offence
from eligibility.models import EligibilityDecision

from ..facts import DaysSince
from ..scope import Scope
from ..suppression import SUPPRESSED
from . import maths

EPOCH = date(1970, 1, 1)
CONFIDENCE = 0.95

#: The bands each factor is coarsened into for matching (lower edges of bands after the first).
BANDS = {
    "age": (14, 16, 18),
    "needs": (2, 4, 6),
    "offences_12m": (1, 3, 6, 10),
    "gravity_12m": (1, 3, 5),
}
#: The outcomes compared, in the order they are shown.
OUTCOMES = ("offences", "gravity", "breaches")
#: The factors of the balance table, in the order they are shown (gender as a share each).
GENDERS = ("female", "male", "other", "not_stated")
FACTORS = (
    "age",
    *(f"gender_{gender}" for gender in GENDERS),
    "needs",
    "offences_12m",
    "gravity_12m",
)


def _days(expression):
    return DaysSince(expression, Value(EPOCH))


def _latest_decision():
    return EligibilityDecision.objects.filter(young_person=OuterRef("pk")).order_by(
        "-decided_on", "-id"
    )


def _people(scope: Scope) -> numpy.ndarray:
    """One row per young person referred in the scope: id, born, ECM start, latest decision
    date, whether it found them eligible (day numbers; -1 for none), gender code."""
    final = Case(
        When(eligibility_override__eligible=True, then=Value(1)),
        When(eligibility_override__eligible=False, then=Value(0)),
        When(eligible=True, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = (
        scope.referrals()
        .order_by("id")
        .annotate(
            latest_on=Subquery(_latest_decision().values("decided_on")[:1]),
            latest_eligible=Subquery(_latest_decision().annotate(final=final).values("final")[:1]),
        )
        .values_list(
            "id",
            _days(F("date_of_birth")),
            _days(F("ecm_start_date")),
            _days(F("latest_on")),
            "latest_eligible",
            Case(
                *(When(gender=code, then=Value(index)) for index, code in enumerate(GENDERS)),
                default=Value(len(GENDERS) - 1),
                output_field=IntegerField(),
            ),
        )
    )
    table = numpy.array(list(rows), dtype=float).reshape(-1, 6)
    return numpy.nan_to_num(table, nan=-1).astype(numpy.int64)


def _events(model, scope: Scope, date_field: str, *columns: str) -> numpy.ndarray:
    """The model's current records of the young people referred in the scope: young person
    id, day number, then `columns`."""
    rows = (
        model.objects.filter(scope.referral_filter("young_person__"), archived_at__isnull=True)
        .order_by()
        .values_list("young_person_id", _days(F(date_field)), *columns)
    )
    return numpy.array(list(rows), dtype=numpy.int64).reshape(-1, 2 + len(columns))


def comparison_arrays(scope: Scope) -> dict[str, numpy.ndarray]:
    """Per young person in either group: whether in the ECM cohort, the factors at the index
    date and the outcomes in each window."""
    people = _people(scope)
    ids, born, start, decided, eligible, gender = people.T
    cutoff = (scope.followup_cutoff - EPOCH).days
    in_ecm = (start >= 0) & (start <= cutoff)
    comparison = (start < 0) & (eligible == 1) & (decided >= 0) & (decided <= cutoff)
    chosen = in_ecm | comparison
    ids, born, gender, in_ecm = ids[chosen], born[chosen], gender[chosen], in_ecm[chosen]
    index = numpy.where(in_ecm, start[chosen], decided[chosen])
    size = len(ids)
    months = scope.follow_up_months
    before_from = maths.add_months(index, -months)
    after_to = maths.add_months(index, months)
    year_before = maths.add_months(index, -12)

    def owned(events: numpy.ndarray):
        """The events of chosen young people, with each one's position in `ids`."""
        position = numpy.searchsorted(ids, events[:, 0])
        position = numpy.minimum(position, max(size - 1, 0))
        mine = (ids[position] == events[:, 0]) if size else numpy.zeros(len(events), bool)
        return position[mine], events[mine]

    owner, offences = owned(_events(Offence, scope, "committed_on", "gravity"))
    dated, gravity = offences[:, 1], offences[:, 2]
    breach_owner, breaches = owned(_events(Breach, scope, "breach_date"))
    need_owner, needs = owned(_events(Need, scope, "recorded_on", "category_id"))

    def windows(who, when):
        return (
            maths.in_window(who, when, before_from, index - 1),
            maths.in_window(who, when, index, after_to),
        )

    offence_before, offence_after = windows(owner, dated)
    breach_before, breach_after = windows(breach_owner, breaches[:, 1])
    last_year = maths.in_window(owner, dated, year_before, index - 1)
    recorded = needs[:, 1] <= index[need_owner]
    distinct_needs = numpy.unique(
        numpy.column_stack([need_owner[recorded], needs[recorded, 2]]), axis=0
    ).reshape(-1, 2)
    return {
        "in_ecm": in_ecm,
        "age": maths.age_in_years(born, index),
        "gender": gender,
        "needs": maths.per_person(distinct_needs[:, 0], size),
        "offences_12m": maths.per_person(owner[last_year], size),
        "gravity_12m": maths.highest_per_person(owner[last_year], gravity[last_year], size),
        "offences_before": maths.per_person(owner[offence_before], size),
        "offences_after": maths.per_person(owner[offence_after], size),
        "gravity_before": maths.highest_per_person(
            owner[offence_before], gravity[offence_before], size
        ),
        "gravity_after": maths.highest_per_person(
            owner[offence_after], gravity[offence_after], size
        ),
        "breaches_before": maths.per_person(breach_owner[breach_before], size),
        "breaches_after": maths.per_person(breach_owner[breach_after], size),
    }


def _factor_values(arrays: dict) -> dict[str, numpy.ndarray]:
    values = {name: arrays[name].astype(float) for name in ("age", "needs", "offences_12m")}
    values["gravity_12m"] = arrays["gravity_12m"].astype(float)
    for index, gender in enumerate(GENDERS):
        values[f"gender_{gender}"] = (arrays["gender"] == index).astype(float)
    return {name: values[name] for name in FACTORS}


def _rounded(value, places=3):
    return None if value is None else round(float(value), places)


def _balance(arrays: dict, matching: maths.Matching) -> list[dict]:
    treated = arrays["in_ecm"]
    everyone = numpy.ones(len(treated))
    rows = []
    for factor, values in _factor_values(arrays).items():
        scale = maths.pooled_sd(values, treated)
        sides = {}
        for side, weights in (("before", everyone), ("after", matching.weights)):
            ecm, comparison, difference = maths.standardised_mean_difference(
                values, treated, weights, scale
            )
            sides[side] = {
                "ecm": _rounded(ecm),
                "comparison": _rounded(comparison),
                "smd": _rounded(difference),
            }
        rows.append({"factor": factor, **sides})
    return rows


def _estimates(arrays: dict, matching: maths.Matching) -> list[dict]:
    treated = arrays["in_ecm"]
    rows = []
    for outcome in OUTCOMES:
        before, after = arrays[f"{outcome}_before"], arrays[f"{outcome}_after"]
        result = maths.difference_in_differences(
            before, after, treated, matching.weights, confidence=CONFIDENCE
        )
        means = {
            f"{group}_{window}": _rounded(maths.weighted_mean(values[mask], matching.weights[mask]))
            for group, mask in (("ecm", treated), ("comparison", ~treated))
            for window, values in (("before", before), ("after", after))
        }
        rows.append(
            {
                "outcome": outcome,
                **means,
                "estimate": _rounded(result and result.estimate),
                "low": _rounded(result and result.low),
                "high": _rounded(result and result.high),
            }
        )
    return rows


def comparison_document(scope: Scope, *, threshold: int | None = None) -> dict:
    """The comparison as the report's JSON holds it (under "comparison"). With `threshold`
    (suppression on), a group of fewer young people than that hides its size and every
    figure worked out from it."""
    arrays = comparison_arrays(scope)
    treated = arrays["in_ecm"]
    coarsened = numpy.column_stack(
        [maths.bands(arrays[name], edges) for name, edges in BANDS.items()] + [arrays["gender"]]
    )
    matching = maths.coarsened_exact_matching(treated, coarsened)
    sizes = {
        "ecm": {"eligible": int(treated.sum()), "matched": int((matching.matched & treated).sum())},
        "comparison": {
            "eligible": int((~treated).sum()),
            "matched": int((matching.matched & ~treated).sum()),
        },
    }
    counts = [count for group in sizes.values() for count in group.values()]
    too_small = threshold is not None and any(count < threshold for count in counts)
    document = {
        "method": "coarsened_exact_matching",
        "follow_up_months": scope.follow_up_months,
        "confidence": CONFIDENCE,
        "referred_before_ecm": "not_recorded",
        "strata_matched": matching.strata,
        "groups": sizes,
        "balance": _balance(arrays, matching),
        "estimates": _estimates(arrays, matching),
        "status": "shown",
    }
    if too_small:
        document.update(
            status=SUPPRESSED,
            strata_matched=SUPPRESSED,
            groups={
                group: {
                    key: SUPPRESSED if count < threshold else count for key, count in each.items()
                }
                for group, each in sizes.items()
            },
            balance=[],
            estimates=[],
        )
    elif threshold is not None:
        for each in document["groups"].values():
            if 0 < each["eligible"] - each["matched"] < threshold:
                # The number left unmatched would be a small count worked out by subtraction.
                each["matched"] = SUPPRESSED
    if document["status"] == "shown" and any(
        row["estimate"] is None for row in document["estimates"]
    ):
        document["status"] = "too_few"
    return document


def comparison_for_run(scope: Scope, parameters: dict) -> dict:
    """The comparison for a report run with these parameters (its suppression setting)."""
    threshold = parameters.get("suppression_threshold") if parameters.get("suppression") else None
    return comparison_document(scope, threshold=threshold)
