"""The measure registry and what measures share (DESIGN.md section 7).

A measure has an id, a label, a plain-language definition (shown in the measure catalogue)
and how it is worked out: an aggregation of the per-young-person facts (reports.facts,
reports.measures.aggregations), in the database, overall and per team, in a fixed number of
queries whatever the number of young people or teams.

A measure also says how it is published, so that suppression (reports.suppression), the
report page, its charts and every export read it from the measure instead of guessing from
its id: what kind of value it is, the count of young people it describes (its suppression
base), what each category of a breakdown holds and how its keys read, and how its counts
add up with other measures'.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from django.utils.translation import gettext_lazy

from ..scope import AddMonths, AgeInYears, Scope, sqlite_add_months  # noqa: F401

OVERALL = "__all__"


@dataclass(frozen=True)
class Result:
    """A measure's value overall and per team code."""

    overall: object
    by_team: dict[str, object]


#: The measure groups in the order DESIGN.md section 7 lists them (and the report shows them).
GROUP_LABELS = {
    "funnel": gettext_lazy("Referral funnel"),
    "profile": gettext_lazy("Who the cohort are"),
    "engagement": gettext_lazy("Engagement"),
    "formulation": gettext_lazy("Formulation"),
    "supervision": gettext_lazy("Clinical supervision"),
    "trm": gettext_lazy("Trauma Recovery Model stages"),
    "outcomes": gettext_lazy("Outcomes"),
    "fidelity": gettext_lazy("Fidelity to the model"),
    "training": gettext_lazy("Training and dedicated roles"),
    "cost": gettext_lazy("Time and cost"),
    "partnership": gettext_lazy("Partner agencies"),
}

#: What a measure's value can be, as the measure catalogue and the spreadsheet's Definitions
#: sheet say it.
KIND_LABELS = {
    "count": gettext_lazy("Count of young people or events"),
    "rate": gettext_lazy("Rate: a share from 0 to 1"),
    "mean": gettext_lazy("Mean"),
    "median": gettext_lazy("Median"),
    "distribution": gettext_lazy("Breakdown by category"),
    "list": gettext_lazy("List of codes"),
}
KINDS = tuple(KIND_LABELS)
#: What each category of a distribution holds.
CATEGORY_KINDS = ("count", "rate", "mean")


def as_recorded(key: str) -> str:
    """A category key shown as it is recorded (need, agency and meeting-number codes)."""
    return key


@dataclass(frozen=True)
class Measure:
    """A registered measure and how it is published.

    * `value`: how it is worked out from the per-young-person facts (an Aggregation below).
    * `kind`: one of KINDS. A rate (0–1) is shown as a percentage.
    * `base`: for every value that is not a count, the count measure of the young people it
      describes. Suppression hides the value where that count is small or hidden.
    * `category_kind` and `category_label` (distributions only): what each category holds
      (one of CATEGORY_KINDS) and how a category key reads on the page and in the PDF.
    * How its counts add up with other measures', which suppression must not let a reader
      use to work out a hidden count: `adds_up_to` (a distribution of counts whose
      categories add up to that count), `same_as` (a count always equal to that one) and
      `mean_of` (a mean of that distribution's total per young person of `base`, so the
      mean and the base give the total away).
    """

    id: str
    group: str
    label: object  # lazily translated
    definition: object  # lazily translated
    kind: str
    value: object  # how it is worked out: a reports.measures.aggregations.Aggregation
    base: str | None = None
    category_kind: str | None = None
    category_label: Callable[[str], str] | None = None
    adds_up_to: str | None = None
    same_as: str | None = None
    mean_of: str | None = None

    @property
    def percent(self) -> bool:
        """Whether its numbers read as percentages: rates, and breakdowns of rates."""
        return self.kind == "rate" or self.category_kind == "rate"


REGISTRY: dict[str, Measure] = {}


def measure(id: str, *, group: str, label, definition, kind: str, value, **published) -> Measure:
    """Register measure `id` (see Measure for what `published` may say)."""
    if id in REGISTRY:
        raise ValueError(f"measure {id} registered twice")
    REGISTRY[id] = Measure(id, group, label, definition, kind, value, **published)
    return REGISTRY[id]


def in_design_order(measure_ids) -> list[str]:
    """Measures in the order DESIGN.md section 7 lists them: by group, then as registered."""
    groups = list(GROUP_LABELS)
    registered = list(REGISTRY)

    def position(measure_id):
        measure = REGISTRY.get(measure_id)
        group = groups.index(measure.group) if measure and measure.group in groups else 99
        return (group, registered.index(measure_id) if measure else 0, measure_id)

    return sorted(measure_ids, key=position)


# --- Helpers ------------------------------------------------------------------------------------


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
