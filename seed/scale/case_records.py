"""Offences, orders, breaches and custody: the case records an eligibility decision reads and
the ones a case gathers while on ECM (reoffending, breaches of the order, custody)."""

from datetime import timedelta

from cases.models import Order, OrderType
from seed.scale.vocabulary import (
    BREACH_NOTES,
    OFFENCE_CHOICES,
    OUT_OF_COURT_CHOICES,
    STATUTORY_CHOICES,
)


def offence_dates(rng, referral, tenth, *, short_of_offences: bool) -> list:
    """Several offences in the 24 months before the referral (fewer for one ineligible for
    too few), never before the tenth birthday, and perhaps some earlier ones."""
    in_window = rng.randint(1, 4) if short_of_offences else rng.randint(5, 9)
    earliest = max(referral - timedelta(days=729), tenth)
    dates = []
    for _ in range(in_window):
        dates.append(referral - timedelta(days=rng.randint(0, (referral - earliest).days)))
    before_window = (referral - timedelta(days=730) - tenth).days
    if before_window > 0:
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            dates.append(tenth + timedelta(days=rng.randint(0, before_window)))
    return dates


def orders(generator, rng, person, tenth, *, why: str, practitioner) -> tuple[list, bool]:
    """Mostly a statutory order in force on the referral date (never for one ineligible for
    want of an order), sometimes an earlier finished one; returns (orders, statutory), the
    main order first."""
    referral = person.referral_date
    statutory = why != "order" and rng.random() < 0.88
    if statutory:
        order_start = max(referral - timedelta(days=rng.randint(0, 90)), tenth)
        main_order = order(
            generator,
            person,
            rng.choices(*STATUTORY_CHOICES)[0],
            order_start,
            referral + timedelta(days=rng.randint(60, 540)),
            practitioner,
        )
    else:
        order_type = rng.choices(*OUT_OF_COURT_CHOICES)[0]
        order_start = max(referral - timedelta(days=rng.randint(0, 60)), tenth)
        ends = order_type == OrderType.YOUTH_CONDITIONAL_CAUTION
        main_order = order(
            generator,
            person,
            order_type,
            order_start,
            order_start + timedelta(days=rng.randint(28, 180)) if ends else None,
            practitioner,
        )
    made = [main_order]
    if rng.random() < 0.35:  # an earlier, finished order
        earlier_end = referral - timedelta(days=rng.randint(30, 400))
        earlier_start = earlier_end - timedelta(days=rng.randint(60, 365))
        if earlier_start >= tenth:
            made.append(
                order(
                    generator,
                    person,
                    rng.choice([OrderType.REFERRAL_ORDER, OrderType.YOUTH_CAUTION]),
                    earlier_start,
                    earlier_end,
                    practitioner,
                )
            )
    return made, statutory


def order(generator, person, order_type, start, end, practitioner) -> Order:
    return Order(
        young_person=person,
        order_type=order_type,
        start_date=start,
        end_date=end,
        recorded_by_id=practitioner,
        recorded_at=generator.at(start),
    )


def offence_rows(generator, rows, rng, person, record, offence_dates):
    for committed_on, (description, gravity) in zip(
        offence_dates, rng.choices(*OFFENCE_CHOICES, k=len(offence_dates)), strict=True
    ):
        proven_on = committed_on + timedelta(days=rng.randint(7, 120))
        if proven_on > generator.today or rng.random() < 0.08:
            proven_on = None
        rows["offence"].append(
            (
                person,
                committed_on,
                description,
                gravity,
                proven_on,
                record[0],
                generator.at(max(committed_on, person.referral_date)),
            )
        )


def breach(generator, rows, rng, person, record, order, earliest, latest):
    first = max(order.start_date, earliest)
    last = min(order.end_date or generator.today, latest, generator.today)
    if last < first:
        return
    breach_on = first + timedelta(days=rng.randint(0, (last - first).days))
    rows["breach"].append(
        (person, order, breach_on, rng.choice(BREACH_NOTES), record[0], generator.at(breach_on))
    )


def custody(generator, rows, rng, person, record, start, length):
    end = start + timedelta(days=length)
    rows["custody"].append(
        (person, start, end if end <= generator.today else None, record[0], generator.at(start))
    )
