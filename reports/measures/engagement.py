"""Engagement measures: the cohort's appointments from their ECM start to the as-of date."""

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from ..facts import COHORT
from .aggregations import CountOf, MeanOf, RateOf
from .base import measure

GROUP = "engagement"


def attendance_rate(attended: str, missed: str) -> RateOf:
    """Attended over attended plus did-not-attend (cancelled and rearranged left out)."""
    return RateOf(Sum(attended, filter=COHORT), Sum(F(attended) + F(missed), filter=COHORT))


def mean_engagement(rating: str) -> MeanOf:
    rated = COHORT & Q(**{f"{rating}__isnull": False})
    return MeanOf(Sum(rating, filter=rated), Count("pk", filter=rated))


measure(
    "appointments",
    group=GROUP,
    kind="count",
    label=_("Appointments"),
    definition=_(
        "Appointments of cohort members dated on or after their ECM start (up to "
        "the as-of date), whatever their attendance."
    ),
    value=CountOf(COHORT, total="appointments"),
)
measure(
    "attendance_rate",
    group=GROUP,
    kind="rate",
    base="cohort_size",
    label=_("Attendance rate"),
    definition=_(
        "Attended appointments divided by attended plus did-not-attend (cancelled "
        "and rearranged ones are left out)."
    ),
    value=attendance_rate("attended", "did_not_attend"),
)
measure(
    "attendance_rate_days_0_90",
    group=GROUP,
    kind="rate",
    base="cohort_size",
    label=_("Attendance rate, days 0–90"),
    definition=_("The attendance rate for appointments 0 to 90 days after the ECM start."),
    value=attendance_rate("attended_days_0_90", "did_not_attend_days_0_90"),
)
measure(
    "attendance_rate_days_91_180",
    group=GROUP,
    kind="rate",
    base="cohort_size",
    label=_("Attendance rate, days 91–180"),
    definition=_("The attendance rate for appointments 91 to 180 days after the ECM start."),
    value=attendance_rate("attended_days_91_180", "did_not_attend_days_91_180"),
)
measure(
    "mean_engagement_first",
    group=GROUP,
    kind="mean",
    base="cohort_size",
    label=_("Mean engagement at the first rated appointment"),
    definition=_(
        "Each cohort member's engagement rating (1–5) at their first rated "
        "appointment after the start, averaged."
    ),
    value=mean_engagement("engagement_first"),
)
measure(
    "mean_engagement_last",
    group=GROUP,
    kind="mean",
    base="cohort_size",
    label=_("Mean engagement at the last rated appointment"),
    definition=_(
        "Each cohort member's engagement rating (1–5) at their last rated "
        "appointment after the start (up to the as-of date), averaged."
    ),
    value=mean_engagement("engagement_last"),
)
