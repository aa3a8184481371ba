"""Consent rows: to take part and to the evaluation, the young person's and (where required)
the parent's or carer's, dated on or after the referral; a withdrawal always says why."""

from datetime import timedelta

from cases import rules
from cases.models import ConsentDecision, ConsentParty, ConsentPurpose
from seed.scale.vocabulary import (
    EVALUATION_GIVEN_RATE,
    EVALUATION_WITHDRAWAL_NOTES,
    REFUSAL_NOTES,
)


def initial_consents(generator, rows, rng, person, record, *, gap: int, blocker: str):
    """The decisions asked for before the start (for most, not all, found ineligible);
    returns (each party's participation decision recorded, the day they were asked): no
    decision when they were not asked or that day has not come."""
    referral = person.referral_date
    consent_on = referral + timedelta(days=rng.randint(0, gap))
    gives = {
        ConsentParty.YOUNG_PERSON: blocker != "young_person_refused",
        ConsentParty.PARENT_CARER: blocker != "parent_refused",
    }
    asked = blocker != "ineligible" or rng.random() < 0.6
    if not (asked and consent_on <= generator.today):
        return {}, consent_on
    participation = consent_rows(generator, rows, rng, person, record, referral, consent_on, gives)
    return participation, consent_on


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


def consent_rows(generator, rows, rng, person, record, referral, on, gives) -> dict:
    """The decisions of every party whose consent is required (`gives`: party -> whether
    they give participation consent) on one day; returns party -> participation decision."""
    practitioner = record[0]
    parties = rules.consent_parties(person.parent_consent_required)

    def add(party, purpose, decision, day, note=""):
        rows["consent"].append(
            (person, party, purpose, decision, day, note, practitioner, generator.at(day))
        )

    young_person = gives[ConsentParty.YOUNG_PERSON]
    if young_person and on > referral and rng.random() < 0.1:  # said no, then yes
        add(
            ConsentParty.YOUNG_PERSON,
            ConsentPurpose.PARTICIPATION,
            ConsentDecision.REFUSED,
            referral + timedelta(days=rng.randint(0, (on - referral).days - 1)),
            rng.choice(REFUSAL_NOTES),
        )
    participation = {}
    for party in parties:
        participation[party] = ConsentDecision.GIVEN if gives[party] else ConsentDecision.REFUSED
        # The young person's own refusal says why; a parent's or carer's is recorded as is.
        said = party == ConsentParty.YOUNG_PERSON and not gives[party]
        note = rng.choice(REFUSAL_NOTES) if said else ""
        add(party, ConsentPurpose.PARTICIPATION, participation[party], on, note)
    if young_person or rng.random() < 0.5:
        for party in parties:
            given = rng.random() < EVALUATION_GIVEN_RATE[party]
            add(
                party,
                ConsentPurpose.EVALUATION,
                ConsentDecision.GIVEN if given else ConsentDecision.REFUSED,
                on,
            )
    return participation
