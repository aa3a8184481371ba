"""Funnel measures: everyone referred in the period (DESIGN.md section 7)."""

from django.db.models import DurationField, ExpressionWrapper, F, Q
from django.utils.translation import gettext_lazy as _

from cases.models import ConsentDecision, EndReason

from ..facts import COHORT, REFERRALS
from .aggregations import CountOf, MedianOf
from .base import measure

GROUP = "funnel"

measure(
    "referrals",
    group=GROUP,
    kind="count",
    label=_("Referrals"),
    definition=_("Young people referred to ECM with a referral date in the period."),
    value=CountOf(REFERRALS),
)
measure(
    "eligible",
    group=GROUP,
    kind="count",
    label=_("Eligible"),
    definition=_(
        "Referrals whose latest eligibility decision is eligible, counting a manager's override."
    ),
    value=CountOf(Q(eligible_latest=1)),
)
measure(
    "consented",
    group=GROUP,
    kind="count",
    label=_("Consented"),
    definition=_(
        "Referrals where the young person's consent to take part is currently "
        "given (their latest decision)."
    ),
    value=CountOf(Q(participation=ConsentDecision.GIVEN)),
)
measure(
    "started",
    group=GROUP,
    kind="count",
    same_as="cohort_size",
    label=_("Started ECM"),
    definition=_("Referrals with an ECM start date."),
    value=CountOf(COHORT),
)
measure(
    "withdrawn",
    group=GROUP,
    kind="count",
    label=_("Withdrawn"),
    definition=_("Referrals whose ECM ended with the reason 'withdrawn'."),
    value=CountOf(Q(end_reason=EndReason.WITHDRAWN)),
)
measure(
    "median_days_referral_to_start",
    group=GROUP,
    kind="median",
    base="started",
    label=_("Median days from referral to start"),
    definition=_(
        "The median number of days from referral to ECM start, over those who "
        "started. Empty when nobody started."
    ),
    value=MedianOf(
        ExpressionWrapper(F("ecm_start_date") - F("referral_date"), output_field=DurationField()),
        COHORT,
    ),
)
