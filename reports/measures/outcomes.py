"""Outcome measures over the follow-up cohort (DESIGN.md section 7, "Outcomes").

N is the follow-up months. The *before* window runs from the start date minus N calendar
months (inclusive) to the day before the start; the *after* window from the start date to
the start date plus N months, both inclusive (reports.facts counts the events in each).
Only cohort members whose start + N months is on or before the as-of date are counted, so
every member has a complete after window.
"""

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from ..facts import FOLLOWUP
from .aggregations import CountOf, MeanOf, RateOf
from .base import measure

GROUP = "outcomes"


def events(fact: str) -> CountOf:
    return CountOf(FOLLOWUP, total=fact)


def mean_gravity(window: str) -> MeanOf:
    """All the follow-up cohort's offences in the window, pooled."""
    return MeanOf(
        Sum(f"gravity_{window}", filter=FOLLOWUP), Sum(f"offences_{window}", filter=FOLLOWUP)
    )


measure(
    "followup_cohort",
    group=GROUP,
    kind="count",
    label=_("Follow-up cohort"),
    definition=_(
        "Cohort members whose ECM start plus the follow-up months is on or before the as-of date."
    ),
    value=CountOf(FOLLOWUP),
)
measure(
    "offences_before",
    group=GROUP,
    kind="count",
    label=_("Offences before"),
    definition=_(
        "Offences committed by the follow-up cohort in the follow-up months "
        "before their ECM start (up to the day before it)."
    ),
    value=events("offences_before"),
)
measure(
    "offences_after",
    group=GROUP,
    kind="count",
    label=_("Offences after"),
    definition=_(
        "Offences committed by the follow-up cohort from their ECM start date to "
        "the end of the follow-up months."
    ),
    value=events("offences_after"),
)
measure(
    "reoffending_rate",
    group=GROUP,
    kind="rate",
    base="followup_cohort",
    label=_("Reoffending rate"),
    definition=_(
        "The share of the follow-up cohort with at least one offence in the after window."
    ),
    value=RateOf(
        Count("pk", filter=FOLLOWUP & Q(offences_after__gt=0)), Count("pk", filter=FOLLOWUP)
    ),
)
measure(
    "mean_gravity_before",
    group=GROUP,
    kind="mean",
    base="followup_cohort",
    label=_("Mean gravity before"),
    definition=_(
        "The mean gravity score (1–8) of all the follow-up cohort's offences in "
        "the before window, pooled."
    ),
    value=mean_gravity("before"),
)
measure(
    "mean_gravity_after",
    group=GROUP,
    kind="mean",
    base="followup_cohort",
    label=_("Mean gravity after"),
    definition=_(
        "The mean gravity score (1–8) of all the follow-up cohort's offences in "
        "the after window, pooled."
    ),
    value=mean_gravity("after"),
)
measure(
    "seriousness_increased",
    group=GROUP,
    kind="count",
    label=_("Seriousness increased"),
    definition=_(
        "Follow-up cohort members whose most serious offence after the start is "
        "more serious than their most serious one before (none before counts as "
        "0)."
    ),
    value=CountOf(
        FOLLOWUP & Q(highest_gravity_after__gt=Coalesce("highest_gravity_before", Value(0)))
    ),
)
measure(
    "breaches_before",
    group=GROUP,
    kind="count",
    label=_("Breaches before"),
    definition=_("Breaches by the follow-up cohort in the before window."),
    value=events("breaches_before"),
)
measure(
    "breaches_after",
    group=GROUP,
    kind="count",
    label=_("Breaches after"),
    definition=_("Breaches by the follow-up cohort in the after window."),
    value=events("breaches_after"),
)
measure(
    "custody_after",
    group=GROUP,
    kind="count",
    label=_("Custody after"),
    definition=_("Follow-up cohort members with a custody episode starting in the after window."),
    value=CountOf(FOLLOWUP & Q(custody_after__gt=0)),
)
