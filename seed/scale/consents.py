"""Consent rows: to take part and to the evaluation, the young person's and (where required)
the parent's or carer's, dated on or after the referral; a withdrawal always says why."""

from datetime import timedelta

from cases.models import ConsentDecision, ConsentParty, ConsentPurpose
from seed.scale.vocabulary import EVALUATION_WITHDRAWAL_NOTES, REFUSAL_NOTES


def initial_consents(generator, rows, rng, person, record, *, gap: int, blocker: str):
    """The decisions asked for before the start (for most, not all, found ineligible);
    returns (asked, the day they were asked)."""
    referral = person.referral_date
    consent_on = referral + timedelta(days=rng.randint(0, gap))
    young_person_gives = blocker != "young_person_refused"
    parent_gives = blocker != "parent_refused"
    asked = blocker != "ineligible" or rng.random() < 0.6
    if asked and consent_on <= generator.today:
        consent_rows(
            generator,
            rows,
            rng,
            person,
            record,
            referral,
            consent_on,
            young_person_gives,
            parent_gives,
        )
    return asked, consent_on


def withdrawal(generator, rows, person, purpose, day, note, practitioner) -> None:
    rows["consent"].append(
        (
            person,
            ConsentParty.YOUNG_PERSON,
            purpose,
            ConsentDecision.WITHDRAWN,
            day,
            note,
            practitioner,
            generator.at(day),
        )
    )


def evaluation_withdrawal(generator, rows, rng, person, practitioner, start, last_day, days_on):
    """For a few, consent to the evaluation withdrawn some time after the start."""
    if rng.random() < 0.05 and last_day > start:
        withdrawn_on = start + timedelta(days=rng.randint(1, days_on - 1))
        withdrawal(
            generator,
            rows,
            person,
            ConsentPurpose.EVALUATION,
            withdrawn_on,
            rng.choice(EVALUATION_WITHDRAWAL_NOTES),
            practitioner,
        )


def consent_rows(generator, rows, rng, person, record, referral, on, young_person, parent):
    practitioner = record[0]

    def add(party, purpose, decision, day, note=""):
        rows["consent"].append(
            (person, party, purpose, decision, day, note, practitioner, generator.at(day))
        )

    if young_person and on > referral and rng.random() < 0.1:  # said no, then yes
        add(
            ConsentParty.YOUNG_PERSON,
            ConsentPurpose.PARTICIPATION,
            ConsentDecision.REFUSED,
            referral + timedelta(days=rng.randint(0, (on - referral).days - 1)),
            rng.choice(REFUSAL_NOTES),
        )
    add(
        ConsentParty.YOUNG_PERSON,
        ConsentPurpose.PARTICIPATION,
        ConsentDecision.GIVEN if young_person else ConsentDecision.REFUSED,
        on,
        "" if young_person else rng.choice(REFUSAL_NOTES),
    )
    if person.parent_consent_required:
        add(
            ConsentParty.PARENT_CARER,
            ConsentPurpose.PARTICIPATION,
            ConsentDecision.GIVEN if parent else ConsentDecision.REFUSED,
            on,
        )
    if young_person or rng.random() < 0.5:
        add(
            ConsentParty.YOUNG_PERSON,
            ConsentPurpose.EVALUATION,
            ConsentDecision.GIVEN if rng.random() < 0.82 else ConsentDecision.REFUSED,
            on,
        )
        if person.parent_consent_required:
            add(
                ConsentParty.PARENT_CARER,
                ConsentPurpose.EVALUATION,
                ConsentDecision.GIVEN if rng.random() < 0.85 else ConsentDecision.REFUSED,
                on,
            )
