"""Fictional eligible referrals who did not start ECM, for the demonstration's comparison.

The evaluation report compares the ECM cohort with eligible referrals who did not start,
matched on what was recorded at the index date (reports.comparison). Each young person here
is referred 13 to 18 months before the day the demonstration is loaded, so their follow-up
months have passed; is judged by the eligibility policy in force, as every demo referral is;
and refuses to take part, so is left unallocated: on no practitioner's caseload (no
reminders), yet not archived, which would take it out of the comparison. Each resembles one
of the demo's ECM cohort members (a "twin"): the same gender and age at the index date, the
same needs, and the twin's offences of the 12 months before the ECM start, at the same
distance before the referral, so that coarsened exact matching pairs them. Offending after
the referral continues, as it would for someone who had no ECM, so the
difference-in-differences has figures to work out.

Written through the same services practitioners use; random choices come from a generator
per young person, so every run builds the same people, and a second run adds nothing.
"""

import random
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from accounts.models import Role, User
from cases import services
from cases.models import (
    ConsentDecision,
    ConsentParty,
    ConsentPurpose,
    OrderType,
    YoungPerson,
)
from seed.demo.vocabulary import FAMILY_NAMES, GIVEN_NAMES, OFFENCES
from seed.demo.young_people import (
    DEMO_REFERENCE_PREFIX,
    _decide_eligibility,
    _reason_given,
)

#: How many eligible referrals who did not start the demo has.
COMPARISON_COUNT = 10
COMPARISON_REFERENCE_PREFIX = f"{DEMO_REFERENCE_PREFIX}C"
#: The report's follow-up months (reports.scope.Scope): a twin's start must be this far back.
FOLLOW_UP_MONTHS = 12
#: Offences in the two years before the referral the policy in force asks for ("ECM 2016
#: revised": five); those beyond the twin's are placed 13 to 23 months back.
EARLIER_OFFENCES_UP_TO = 5


def _twins(today) -> list[YoungPerson]:
    """The demo's ECM cohort members whose follow-up months have passed, oldest start first."""
    cutoff = today - relativedelta(months=FOLLOW_UP_MONTHS)
    return list(
        YoungPerson.objects.filter(
            reference__startswith=DEMO_REFERENCE_PREFIX, ecm_start_date__lte=cutoff
        )
        .exclude(reference__startswith=COMPARISON_REFERENCE_PREFIX)
        .select_related("team", "practitioner")
        .order_by("ecm_start_date", "reference")
    )


def seed_comparison_group() -> int:
    """Create the demo's eligible referrals who did not start that do not exist yet; returns
    how many were created."""
    today = timezone.localdate()
    twins = _twins(today)
    created = 0
    for number in range(1, COMPARISON_COUNT + 1):
        reference = f"{COMPARISON_REFERENCE_PREFIX}{number:02d}"
        if not twins or YoungPerson.objects.filter(reference=reference).exists():
            continue
        rng = random.Random(f"comparison-{reference}")  # noqa: S311 - same story every run
        _build_referral(rng, number, reference, twins[(number - 1) % len(twins)], today)
        created += 1
    return created


def _build_referral(rng, number, reference, twin, today):
    team = twin.team
    practitioner = twin.practitioner
    manager = (
        User.objects.filter(memberships__team=team, memberships__role=Role.MANAGER).first()
        or practitioner
    )
    referral = today - timedelta(days=rng.randint(400, 540))
    person = services.young_person_refer(
        by=practitioner,
        team=team,
        reference=reference,
        given_name=GIVEN_NAMES[(number * 5 + 3) % len(GIVEN_NAMES)],
        family_name=FAMILY_NAMES[(number * 11 + 2) % len(FAMILY_NAMES)],
        # The twin's age in days at its ECM start, at this referral: the same age in years.
        date_of_birth=referral - (twin.ecm_start_date - twin.date_of_birth),
        gender=twin.gender,
        ethnicity=twin.ethnicity,
        referral_date=referral,
        # Not allocated: a referral who said no is on no practitioner's caseload, so it gives
        # nobody "no contact" reminders; it still counts in the comparison.
        practitioner=None,
    )
    _copy_needs(rng, person, practitioner, twin, referral)
    order = _copy_offences_and_order(rng, person, practitioner, twin, referral, today)
    _decide_eligibility(person, practitioner, manager, today)
    _refuse(rng, person, practitioner, referral, today)
    _offend_after(rng, person, practitioner, order, referral, today)


def _copy_needs(rng, person, practitioner, twin, referral):
    """The needs the twin had by its ECM start, identified around this referral."""
    needs = twin.need_set.filter(archived_at__isnull=True, recorded_on__lte=twin.ecm_start_date)
    for category in sorted({need.category for need in needs}, key=lambda each: each.code):
        services.need_record(
            by=practitioner,
            young_person=person,
            category=category,
            recorded_on=referral - timedelta(days=rng.randint(0, 40)),
            evidence="Identified in the AssetPlus assessment and partner reports.",
        )


def _copy_offences_and_order(rng, person, practitioner, twin, referral, today):
    """The twin's offences of the 12 months before its ECM start, as far before this
    referral; earlier ones, outside the windows compared, up to the policy's minimum; and a
    court order in force on the referral date. Returns the order."""
    year_before = twin.ecm_start_date - relativedelta(months=12)
    offences = twin.offence_set.filter(
        archived_at__isnull=True,
        committed_on__gte=year_before,
        committed_on__lt=twin.ecm_start_date,
    ).order_by("committed_on", "id")
    for offence in offences:
        _offence(
            rng,
            person,
            practitioner,
            referral - (twin.ecm_start_date - offence.committed_on),
            (offence.description, offence.gravity),
            today,
        )
    for _earlier in range(max(0, EARLIER_OFFENCES_UP_TO - len(offences))):
        committed = referral - timedelta(days=rng.randint(400, 700))
        _offence(rng, person, practitioner, committed, rng.choice(OFFENCES), today)
    twin_order = twin.order_set.filter(archived_at__isnull=True).first()
    order_start = referral - timedelta(days=rng.randint(0, 60))
    return services.order_record(
        by=practitioner,
        young_person=person,
        order_type=(
            twin_order.order_type
            if twin_order and twin_order.is_statutory
            else OrderType.REFERRAL_ORDER
        ),
        start_date=order_start,
        end_date=order_start + timedelta(days=365),
    )


def _offence(rng, person, practitioner, committed, offence, today):
    description, gravity = offence
    services.offence_record(
        by=practitioner,
        young_person=person,
        committed_on=committed,
        description=description,
        gravity=gravity,
        proven_on=min(committed + timedelta(days=rng.randint(20, 90)), today),
    )


def _refuse(rng, person, practitioner, referral, today):
    """The young person says no to ECM, with their reason and words (not started), and yes
    to their records being used in the evaluation."""
    decided_on = min(referral + timedelta(days=rng.randint(3, 14)), today)
    services.consent_record(
        by=practitioner,
        young_person=person,
        party=ConsentParty.YOUNG_PERSON,
        purpose=ConsentPurpose.PARTICIPATION,
        decision=ConsentDecision.REFUSED,
        decided_on=decided_on,
        note="Explained ECM with the young person and their carer; they said no.",
        **_reason_given(person),
    )
    services.consent_record(
        by=practitioner,
        young_person=person,
        party=ConsentParty.YOUNG_PERSON,
        purpose=ConsentPurpose.EVALUATION,
        decision=ConsentDecision.GIVEN,
        decided_on=decided_on,
    )


def _offend_after(rng, person, practitioner, order, referral, today):
    """Offending in the year after the referral, and for some a breach of the order."""
    for _after in range(rng.randint(1, 4)):
        committed = referral + timedelta(days=rng.randint(10, 350))
        _offence(rng, person, practitioner, committed, rng.choice(OFFENCES), today)
    if rng.random() < 0.4:
        services.breach_record(
            by=practitioner,
            young_person=person,
            order=order,
            breach_date=referral + timedelta(days=rng.randint(20, 200)),
            note="Missed three appointments in a row.",
        )
