"""One young person and all their records, decided pathway first.

The pathway (started or not, and why not) is drawn before anything else; the records are
then made to fit it. Each young person has a `random.Random` of their own, seeded with the
run's seed and their number, so their records never depend on who else is generated; the
steps below draw from it in turn, so their order is part of what keeps a seed's data the same.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import time as clock
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from accounts.models import Team
from cases import rules
from cases.models import (
    MINIMUM_AGE_AT_REFERRAL,
    ConsentParty,
    ConsentPurpose,
    EndReason,
    YoungPerson,
)
from seed.demo.vocabulary import FAMILY_NAMES
from seed.scale import appointments, case_records, consents, decisions, formulation
from seed.scale.staff import Staff
from seed.scale.vocabulary import (
    ENDING_CHOICES,
    ETHNICITY_CHOICES,
    FEMALE_NAMES,
    GENDER_CHOICES,
    HISTORY_DAYS,
    MALE_NAMES,
    NEED_EVIDENCE,
    NOT_STARTED_CHOICES,
    START_RATE,
    WITHDRAWAL_NOTES,
    reference,
)


@dataclass
class PersonRecords:
    """One young person's records, waiting for the person's primary key."""

    person: YoungPerson
    rows: dict  # Table key -> list of row tuples (first value: the instance to resolve)


def young_person_records(
    generator, number: int, team: Team, practitioner: int, staff: Staff
) -> PersonRecords:
    rng = random.Random(f"{generator.seed}:{number}")  # noqa: S311 - reproducible fiction
    person, born, tenth = _young_person(generator, rng, number, team, practitioner)
    referral = person.referral_date
    manager = staff.managers[number % len(staff.managers)]
    rows = defaultdict(list)
    record = (practitioner, generator.at(referral))

    # The pathway first: everything below is made to fit it.
    wants_to_start, blocker, gap = _pathway(rng, person.parent_consent_required)
    start = referral + timedelta(days=gap)
    needs = _needs(generator, rows, rng, person, record, born)
    why = _why_ineligible(rng, wants_to_start, blocker)
    offence_dates = case_records.offence_dates(
        rng, referral, tenth, short_of_offences=why == "offences"
    )
    orders, statutory = case_records.orders(
        generator, rng, person, tenth, why=why, practitioner=practitioner
    )
    decision, eligible = decisions.decide(
        generator,
        rows,
        rng,
        person,
        gap=gap,
        offence_dates=offence_dates,
        needs=needs,
        orders=orders,
        voluntary=not statutory and why != "order",
        wants_to_start=wants_to_start,
        blocker=blocker,
        manager=manager,
        practitioner=practitioner,
    )
    participation, consent_on = consents.initial_consents(
        generator, rows, rng, person, record, gap=gap, blocker=blocker
    )
    # ECM starts only with participation consent given on the start day, as the services ask.
    started = (
        wants_to_start
        and start <= generator.today
        and decision is not None
        and eligible
        and rules.consent_given(
            participation if consent_on <= start else {}, person.parent_consent_required
        )
    )
    main_order = orders[0]
    if started:
        _on_ecm(
            generator, rows, rng, person, record, staff, start, offence_dates, main_order, statutory
        )
    else:
        if statutory and rng.random() < 0.05:
            case_records.breach(
                generator, rows, rng, person, record, main_order, referral, generator.today
            )
        case_records.offence_rows(generator, rows, rng, person, record, offence_dates)
    if decision is not None:
        rows["decision"].append(decision)
    rows["order"].extend(orders)
    return PersonRecords(person, rows)


def _young_person(generator, rng, number, team, practitioner):
    """Aged 10 (the age of criminal responsibility) to 17 at referral; returns (the unsaved
    young person, birth date, tenth birthday)."""
    referral = generator.today - timedelta(days=rng.randint(0, HISTORY_DAYS))
    age = rng.randint(MINIMUM_AGE_AT_REFERRAL, 17)
    youngest = referral - relativedelta(years=age)  # the birthday is the referral date
    oldest = referral - relativedelta(years=age + 1) + timedelta(days=1)
    born = oldest + timedelta(days=rng.randint(0, (youngest - oldest).days))
    tenth = born + relativedelta(years=MINIMUM_AGE_AT_REFERRAL)
    gender = rng.choices(*GENDER_CHOICES)[0]
    names = {"male": MALE_NAMES, "female": FEMALE_NAMES}.get(gender, MALE_NAMES + FEMALE_NAMES)
    person = YoungPerson(
        team=team,
        reference=reference(generator.seed, number),
        given_name=rng.choice(names),
        family_name=rng.choice(FAMILY_NAMES),
        date_of_birth=born,
        gender=gender,
        ethnicity=rng.choices(*ETHNICITY_CHOICES)[0],
        practitioner_id=practitioner,
        referral_date=referral,
        parent_consent_required=rules.parent_consent_required_by_default(born, referral),
        created_at=generator.at(referral, clock(10, 0)),
        created_by_id=practitioner,
    )
    return person, born, tenth


def _pathway(rng, parent_required: bool):
    """Whether the young person is to start and, if not, what stops them (the parent's
    refusal only when their consent is required); returns (wants to start, blocker, days to
    the start)."""
    wants_to_start = rng.random() < START_RATE
    blocker = "" if wants_to_start else rng.choices(*NOT_STARTED_CHOICES)[0]
    if blocker == "parent_refused" and ConsentParty.PARENT_CARER not in rules.consent_parties(
        parent_required
    ):
        blocker = "young_person_refused"
    return wants_to_start, blocker, rng.randint(2, 60)


def _needs(generator, rows, rng, person, record, born) -> list:
    """Three to seven need categories, all recorded by the referral date; returns them as
    (code, label, recorded on) for the eligibility rules."""
    referral = person.referral_date
    categories, cum = generator.need_choices
    chosen: dict[int, tuple] = {}
    wanted = min(rng.randint(3, 7), len(categories))
    while len(chosen) < wanted:
        category = rng.choices(categories, cum_weights=cum)[0]
        chosen.setdefault(category[0], category)
    needs = []
    for category_id, code, label in chosen.values():
        recorded_on = max(referral - timedelta(days=rng.randint(0, 90)), born)
        needs.append((code, label, recorded_on))
        rows["need"].append((person, category_id, recorded_on, rng.choice(NEED_EVIDENCE), *record))
    return needs


def _why_ineligible(rng, wants_to_start: bool, blocker: str) -> str:
    """Why someone is ineligible: too few offences, no statutory order (and not taking part
    voluntarily), or a manager's override of criteria that were met. A few who start had too
    few offences and were let in by an override."""
    why = rng.choices(["offences", "order", "override"], [55, 35, 10])[0]
    if blocker != "ineligible":
        why = "offences" if wants_to_start and rng.random() < 0.05 else ""
    return why


def _on_ecm(
    generator, rows, rng, person, record, staff, start, offence_dates, main_order, statutory
):
    """The start, perhaps an end, and everything that happens in between."""
    practitioner = record[0]
    end = _start_and_end(generator, rows, rng, person, practitioner, start)
    last_day = end or generator.today
    days_on = (last_day - start).days + 1
    consents.evaluation_withdrawal(
        generator, rows, rng, person, practitioner, start, last_day, days_on
    )
    _reoffending_breaches_and_custody(
        generator,
        rows,
        rng,
        person,
        record,
        start,
        end,
        last_day,
        offence_dates,
        main_order,
        statutory,
    )
    formulation.trm_and_formulation(
        generator, rows, rng, person, practitioner, staff, start, end, last_day
    )
    appointments.appointment_rows(generator, rows, rng, person, practitioner, start, end, days_on)


def _start_and_end(generator, rows, rng, person, practitioner, start):
    """Sets the start and, once it has come, the end with its reason (a withdrawal with what
    was said); returns the end, or None while the case is open."""
    person.ecm_start_date = start
    reason, shortest, longest = rng.choices(*ENDING_CHOICES)[0]
    end = start + timedelta(days=rng.randint(shortest, longest))
    if end > generator.today:
        return None
    person.ecm_end_date = end
    person.end_reason = reason
    if reason == EndReason.WITHDRAWN:
        person.end_note = rng.choice(WITHDRAWAL_NOTES)
        consents.withdrawal(
            generator,
            rows,
            person,
            ConsentPurpose.PARTICIPATION,
            end,
            person.end_note,
            practitioner,
        )
    return end


def _reoffending_breaches_and_custody(
    generator, rows, rng, person, record, start, end, last_day, offence_dates, main_order, statutory
):
    """Offences after the start, breaches of a statutory order, and custody: at the end for a
    case that ends in custody, else sometimes a short remand."""
    days_on = (last_day - start).days + 1
    for _ in range(rng.choices([0, 1, 2, 3], weights=[50, 25, 15, 10])[0]):
        offence_dates.append(start + timedelta(days=rng.randint(0, days_on - 1)))
    case_records.offence_rows(generator, rows, rng, person, record, offence_dates)
    if statutory and rng.random() < 0.18:
        for _ in range(rng.randint(1, 2)):
            case_records.breach(generator, rows, rng, person, record, main_order, start, last_day)
    if end is not None and person.end_reason == EndReason.CUSTODY:
        custody_start = max(end - timedelta(days=rng.randint(0, 7)), start)
        case_records.custody(
            generator, rows, rng, person, record, custody_start, rng.randint(60, 540)
        )
    elif rng.random() < 0.05:  # a short remand
        custody_start = start + timedelta(days=rng.randint(0, days_on - 1))
        case_records.custody(
            generator, rows, rng, person, record, custody_start, rng.randint(3, 45)
        )
