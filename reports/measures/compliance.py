"""Compliance measures: how the cohort's missed appointments were responded to (the
evaluation's "more flexible approach to non-compliance … in light of extenuating
circumstances"). A non-compliance episode is an appointment the young person did not attend,
from their ECM start to the as-of date; its response is the practitioner's live compliance
decision (cases.compliance)."""

from collections import Counter, defaultdict

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import ComplianceDecision

from ..facts import COHORT
from . import engagement  # noqa: F401 - registered first: these follow it in its group
from .aggregations import Grouped, MeanOf, RateOf, Run, _median
from .base import Result, measure

GROUP = "engagement"


def days_to_decision(run: Run) -> Result:
    """The median, over decisions (not young people), of the days from each missed
    appointment to its decision: the same decisions as the facts' compliance pass."""
    scope = run.scope
    decisions = (
        ComplianceDecision.objects.filter(
            scope.cohort_filter("young_person__"),
            archived_at__isnull=True,
            appointment__archived_at__isnull=True,
            decided_on__lte=scope.as_of,
        )
        .order_by()
        .values_list(
            scope.team_code_at_end("young_person__"),
            "young_person__ecm_start_date",
            "decided_on",
            "appointment__starts_at",
        )
    )
    counts = defaultdict(Counter)
    for team_code, start, decided_on, missed_at in decisions.iterator():
        missed_on = timezone.localtime(missed_at).date()
        if missed_on < start:
            continue
        days = (decided_on - missed_on).days
        counts[team_code][days] += 1
        counts[None][days] += 1
    return Result(
        _median(counts[None]),
        {code: _median(counts.get(code, Counter())) for code in scope.team_codes},
    )


measure(
    "noncompliance_episodes_per_case",
    group=GROUP,
    kind="mean",
    base="cohort_size",
    label=_("Non-compliance episodes per case"),
    definition=_(
        "Appointments a cohort member did not attend, from their ECM start to the as-of "
        "date, per cohort member."
    ),
    value=MeanOf(Sum("did_not_attend", filter=COHORT), Count("pk", filter=COHORT)),
)
measure(
    "noncompliance_resolved_without_breach",
    group=GROUP,
    kind="rate",
    base="cohort_size",
    label=_("Non-compliance resolved without breach proceedings"),
    definition=_(
        "Of the compliance decisions on cohort members' missed appointments, the share "
        "that was not breach proceedings (acceptable absence, extenuating circumstances or "
        "a warning)."
    ),
    value=RateOf(
        Sum("compliance_without_breach", filter=COHORT),
        Sum("compliance_decisions", filter=COHORT),
    ),
)
measure(
    "median_days_missed_to_decision",
    group=GROUP,
    kind="median",
    base="cohort_size",
    label=_("Median days from a missed appointment to its decision"),
    definition=_(
        "Over the compliance decisions on cohort members' missed appointments, the median "
        "number of days from the missed appointment to the practitioner's decision."
    ),
    value=Grouped(days_to_decision),
)
