"""Eligibility decisions: computed with `eligibility.rules.evaluate` under the policy in force
on the referral date, and the team manager's override where the pathway needs one."""

from datetime import time as clock
from datetime import timedelta

from cases.models import STATUTORY_ORDER_TYPES
from eligibility import rules
from eligibility.models import EligibilityDecision
from seed.scale.vocabulary import OVERRIDE_IN, OVERRIDE_OUT


def decide(
    generator,
    rows,
    rng,
    person,
    *,
    gap,
    offence_dates,
    needs,
    orders,
    voluntary,
    wants_to_start,
    blocker,
    manager,
    practitioner,
):
    """The decision made before the start (none if no policy was in force or its day has not
    come); returns (decision, eligible after any override)."""
    referral = person.referral_date
    decided_on = referral + timedelta(days=rng.randint(0, min(10, gap - 1)))
    policy = generator.policy_on(referral)
    if policy is None or decided_on > generator.today:
        return None, False
    facts = rules.Facts(
        referral_date=referral,
        offence_dates=tuple(sorted(offence_dates)),
        needs=tuple(sorted(needs, key=lambda need: (need[2], need[0]))),
        orders=tuple(
            rules.OrderFact(
                order_type=order.order_type,
                start_date=order.start_date,
                end_date=order.end_date,
                statutory=order.order_type in STATUTORY_ORDER_TYPES,
            )
            for order in orders
        ),
        voluntary_participation=voluntary,
    )
    result = rules.evaluate(generator.parameters[policy.pk], facts)
    decision = EligibilityDecision(
        young_person=person,
        policy=policy,
        decided_on=decided_on,
        eligible=result.eligible,
        criteria=[criterion.stored() for criterion in result.criteria],
        voluntary_participation=voluntary,
        made_by_id=practitioner,
        made_at=generator.at(decided_on, clock(11, 0)),
    )
    eligible = _override(
        generator,
        rows,
        rng,
        decision,
        gap=gap,
        wants_to_start=wants_to_start,
        blocker=blocker,
        manager=manager,
    )
    return decision, eligible


def _override(generator, rows, rng, decision, *, gap, wants_to_start, blocker, manager) -> bool:
    """The manager lets in one who is to start but did not meet the criteria, or keeps out one
    found ineligible who did, before the start; returns the final answer."""
    referral = decision.young_person.referral_date
    decided_on = decision.decided_on
    override_on = decided_on + timedelta(
        days=rng.randint(0, gap - 1 - (decided_on - referral).days)
    )
    if wants_to_start and not decision.eligible:
        eligible = True
        reason = rng.choice(OVERRIDE_IN)
    elif blocker == "ineligible" and decision.eligible:
        eligible = False
        reason = rng.choice(OVERRIDE_OUT)
    else:
        return decision.eligible
    if override_on > generator.today:
        return decision.eligible
    rows["override"].append(
        (decision, eligible, reason, manager, generator.at(override_on, clock(12, 0)))
    )
    return eligible
