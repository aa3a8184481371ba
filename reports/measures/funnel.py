"""Funnel measures: everyone referred in the period (DESIGN.md section 7)."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from cases.models import ConsentDecision, ConsentParty, ConsentPurpose, EndReason
from cases.rules import latest_consent
from eligibility.selectors import latest_final_eligibility

from .base import Result, from_team_rows, grouped, measure, median_or_none

GROUP = "funnel"


def _count(scope, condition=None, queryset=None):
    queryset = queryset if queryset is not None else scope.referrals()
    rows = grouped(queryset, n=Count("id", filter=condition) if condition else Count("id"))
    return from_team_rows(scope, rows, lambda row: row["n"] if row else 0)


@measure(
    "referrals",
    group=GROUP,
    kind="count",
    label=_("Referrals"),
    definition=_("Young people referred to ECM with a referral date in the period."),
)
def referrals(scope):
    return _count(scope)


@measure(
    "eligible",
    group=GROUP,
    kind="count",
    label=_("Eligible"),
    definition=_(
        "Referrals whose latest eligibility decision is eligible, counting a manager's override."
    ),
)
def eligible(scope):
    queryset = scope.referrals().annotate(latest_eligible=latest_final_eligibility())
    return _count(scope, Q(latest_eligible=True), queryset)


@measure(
    "consented",
    group=GROUP,
    kind="count",
    label=_("Consented"),
    definition=_(
        "Referrals where the young person's consent to take part is currently "
        "given (their latest decision)."
    ),
)
def consented(scope):
    queryset = scope.referrals().annotate(
        participation=latest_consent(ConsentParty.YOUNG_PERSON, ConsentPurpose.PARTICIPATION)
    )
    return _count(scope, Q(participation=ConsentDecision.GIVEN), queryset)


@measure(
    "started",
    group=GROUP,
    kind="count",
    same_as="cohort_size",
    label=_("Started ECM"),
    definition=_("Referrals with an ECM start date."),
)
def started(scope):
    return _count(scope, Q(ecm_start_date__isnull=False))


@measure(
    "withdrawn",
    group=GROUP,
    kind="count",
    label=_("Withdrawn"),
    definition=_("Referrals whose ECM ended with the reason 'withdrawn'."),
)
def withdrawn(scope):
    return _count(scope, Q(end_reason=EndReason.WITHDRAWN))


@measure(
    "median_days_referral_to_start",
    group=GROUP,
    kind="median",
    base="started",
    label=_("Median days from referral to start"),
    definition=_(
        "The median number of days from referral to ECM start, over those who "
        "started. Empty when nobody started."
    ),
)
def median_days_referral_to_start(scope):
    waits: dict[str, list[int]] = {code: [] for code in scope.team_codes}
    for code, referred, started_on in scope.cohort().values_list(
        "team__code", "referral_date", "ecm_start_date"
    ):
        waits[code].append((started_on - referred).days)
    return Result(
        median_or_none([days for values in waits.values() for days in values]),
        {code: median_or_none(values) for code, values in waits.items()},
    )
