"""Funnel measures: everyone referred in the period (DESIGN.md section 7)."""

from django.db.models import Count, Q

from cases.models import ConsentDecision, ConsentParty, ConsentPurpose, EndReason
from cases.rules import latest_consent
from eligibility.selectors import latest_final_eligibility

from ..base import Result, median_or_none
from .registry import from_team_rows, grouped, legacy

GROUP = "funnel"


def _count(scope, condition=None, queryset=None):
    queryset = queryset if queryset is not None else scope.referrals()
    rows = grouped(queryset, n=Count("id", filter=condition) if condition else Count("id"))
    return from_team_rows(scope, rows, lambda row: row["n"] if row else 0)


@legacy("referrals")
def referrals(scope):
    return _count(scope)


@legacy("eligible")
def eligible(scope):
    queryset = scope.referrals().annotate(latest_eligible=latest_final_eligibility())
    return _count(scope, Q(latest_eligible=True), queryset)


@legacy("consented")
def consented(scope):
    queryset = scope.referrals().annotate(
        participation=latest_consent(ConsentParty.YOUNG_PERSON, ConsentPurpose.PARTICIPATION)
    )
    return _count(scope, Q(participation=ConsentDecision.GIVEN), queryset)


@legacy("started")
def started(scope):
    return _count(scope, Q(ecm_start_date__isnull=False))


@legacy("withdrawn")
def withdrawn(scope):
    return _count(scope, Q(end_reason=EndReason.WITHDRAWN))


@legacy("median_days_referral_to_start")
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
