"""Reads for eligibility: decisions, the referral funnel and the policy what-if."""

from dataclasses import dataclass
from datetime import date
from statistics import median

from django.db.models import BooleanField, Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncMonth

from accounts.models import in_current_language
from cases.models import ConsentDecision, ConsentParty, ConsentPurpose, EndReason, YoungPerson
from cases.rules import latest_consent

from . import rules
from .models import EligibilityDecision, EligibilityPolicy
from .services import facts_for_many


def decisions_for(young_person) -> QuerySet:
    return (
        EligibilityDecision.objects.filter(young_person=young_person)
        .select_related("policy", "made_by", "eligibility_override__made_by")
        .order_by("-decided_on", "-id")
    )


def young_person_id_of_decision(decision_pk) -> int | None:
    """Whose decision this is (``None`` if there is no such decision)."""
    return (
        EligibilityDecision.objects.filter(pk=decision_pk)
        .values_list("young_person_id", flat=True)
        .first()
    )


def latest_final_eligibility() -> Subquery:
    """For a young person (OuterRef "pk"): the latest decision's result, override included."""
    return Subquery(
        EligibilityDecision.objects.filter(young_person=OuterRef("pk"))
        .order_by("-decided_on", "-id")
        .annotate(final=Coalesce("eligibility_override__eligible", "eligible"))
        .values("final")[:1],
        output_field=BooleanField(),
    )


def with_funnel_facts(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        latest_eligible=latest_final_eligibility(),
        participation_consent=latest_consent(
            ConsentParty.YOUNG_PERSON, ConsentPurpose.PARTICIPATION
        ),
    )


@dataclass
class FunnelRow:
    month: date | None
    team_code: str
    team_name: str
    referred: int
    eligible: int
    consented: int
    started: int
    withdrawn: int


def funnel(young_people: QuerySet, *, date_from: date, date_to: date) -> tuple[list, dict]:
    """Referred → eligible → consented → started → withdrawn, by month and team, with totals.

    `young_people` must already be scoped to what the user may see. Counts are database
    aggregates; the median days from referral to start is taken over a list of integers.
    """
    scoped = with_funnel_facts(
        young_people.filter(referral_date__gte=date_from, referral_date__lte=date_to)
    )
    counts = {
        "referred": Count("id"),
        "eligible": Count("id", filter=Q(latest_eligible=True)),
        "consented": Count("id", filter=Q(participation_consent=ConsentDecision.GIVEN)),
        "started": Count("id", filter=Q(ecm_start_date__isnull=False)),
        "withdrawn": Count("id", filter=Q(end_reason=EndReason.WITHDRAWN)),
    }
    rows = [
        FunnelRow(
            month=row["month"] if not hasattr(row["month"], "date") else row["month"].date(),
            team_code=row["team__code"],
            team_name=in_current_language(row["team__name"], row["team__name_cy"]),
            **{key: row[key] for key in counts},
        )
        for row in scoped.annotate(month=TruncMonth("referral_date"))
        .values("month", "team__code", "team__name", "team__name_cy")
        .annotate(**counts)
        .order_by("month", "team__name")
    ]
    totals = scoped.aggregate(**counts)
    waits = [
        (started - referred).days
        for referred, started in scoped.filter(ecm_start_date__isnull=False).values_list(
            "referral_date", "ecm_start_date"
        )
    ]
    totals["median_days_referral_to_start"] = median(waits) if waits else None
    return rows, totals


@dataclass
class WhatIfChange:
    young_person: YoungPerson
    current_policy: EligibilityPolicy | None
    current: bool | None
    proposed: bool


def what_if(
    young_people: QuerySet, *, draft: EligibilityPolicy, date_from: date, date_to: date
) -> dict:
    """How the referrals in a period would fare under `draft` versus their actual judgement.

    "Actual" is each referral's latest decision (override included) where there is one, else
    the criteria of the policy in force on its referral date. Facts are loaded in bulk.
    """
    people = list(
        young_people.filter(referral_date__gte=date_from, referral_date__lte=date_to)
        .annotate(
            latest_eligible=latest_final_eligibility(),
            latest_policy_id=Subquery(
                EligibilityDecision.objects.filter(young_person=OuterRef("pk"))
                .order_by("-decided_on", "-id")
                .values("policy_id")[:1]
            ),
        )
        .select_related("team")
        .order_by("referral_date", "id")
    )
    policies = {policy.pk: policy for policy in EligibilityPolicy.objects.all()}
    facts = facts_for_many(people)
    changes, current_count, proposed_count = [], 0, 0
    for person in people:
        proposed = rules.evaluate(draft.parameters, facts[person.pk]).eligible
        current = person.latest_eligible
        current_policy = policies.get(person.latest_policy_id)
        if current is None:
            in_force = _policy_in_force(policies.values(), person.referral_date)
            current_policy = in_force
            current = (
                rules.evaluate(in_force.parameters, facts[person.pk]).eligible if in_force else None
            )
        current_count += bool(current)
        proposed_count += proposed
        if bool(current) != proposed:
            changes.append(WhatIfChange(person, current_policy, current, proposed))
    return {
        "referrals": len(people),
        "eligible_now": current_count,
        "eligible_under_draft": proposed_count,
        "changes": changes,
    }


def _policy_in_force(policies, day):
    active = [p for p in policies if p.status == "active" and p.in_force_on(day)]
    return max(active, key=lambda p: (p.effective_from, p.version), default=None)
