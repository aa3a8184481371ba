"""The criteria function at every boundary, and its monotonic properties."""

from dataclasses import replace
from datetime import date, timedelta

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from eligibility.rules import Facts, OrderFact, PolicyParameters, describe, evaluate

ECM_2015 = PolicyParameters(5, 12, 3, True, False)
ECM_2016 = PolicyParameters(5, 24, 3, True, True)
WIDENED = PolicyParameters(0, 12, 3, False, True)
REFERRAL = date(2016, 3, 1)
NEEDS = (
    ("substance_misuse", "Substance misuse", date(2016, 1, 5)),
    ("mental_health", "Mental health", date(2016, 1, 5)),
    ("neglect", "Neglect", date(2016, 2, 1)),
)
REFERRAL_ORDER = OrderFact("referral_order", date(2016, 1, 10), date(2016, 10, 9), True)


def facts(**changes):
    base = Facts(
        referral_date=REFERRAL,
        offence_dates=(date(2016, 1, 1),) * 5,
        needs=NEEDS,
        orders=(REFERRAL_ORDER,),
    )
    return replace(base, **changes)


def criterion(result, code):
    return next(c for c in result.criteria if c.code == code)


def test_exactly_the_minimum_offences_is_enough():
    assert evaluate(ECM_2015, facts()).eligible


def test_one_offence_short_is_not_eligible():
    result = evaluate(ECM_2015, facts(offence_dates=(date(2016, 1, 1),) * 4))
    assert not result.eligible
    assert criterion(result, "offences").evidence.startswith("4 offences between 1 March 2015")


def test_offence_on_the_first_day_of_the_window_counts():
    inside = (date(2015, 3, 1),) + (date(2016, 1, 1),) * 4
    assert criterion(evaluate(ECM_2015, facts(offence_dates=inside)), "offences").met


def test_offence_one_day_before_the_window_does_not_count():
    outside = (date(2015, 2, 28),) + (date(2016, 1, 1),) * 4
    assert not criterion(evaluate(ECM_2015, facts(offence_dates=outside)), "offences").met


def test_offence_on_the_referral_date_counts_and_one_after_does_not():
    on_day = (REFERRAL,) + (date(2016, 1, 1),) * 4
    after = (REFERRAL + timedelta(days=1),) + (date(2016, 1, 1),) * 4
    assert criterion(evaluate(ECM_2015, facts(offence_dates=on_day)), "offences").met
    assert not criterion(evaluate(ECM_2015, facts(offence_dates=after)), "offences").met


def test_window_is_calendar_months_from_the_end_of_a_month():
    # 24 months before 31 March 2016 is 31 March 2014; 12 months before 29 Feb 2016 is 28 Feb 2015.
    result = evaluate(ECM_2016, facts(referral_date=date(2016, 3, 31)))
    assert "between 31 March 2014 and 31 March 2016" in criterion(result, "offences").evidence
    result = evaluate(ECM_2015, facts(referral_date=date(2016, 2, 29)))
    assert criterion(result, "offences").values["start"] == "2015-02-28"
    assert "between 28 February 2015 and 29 February 2016" in criterion(result, "offences").evidence


def test_the_2016_policy_counts_offences_over_24_months():
    older = (date(2014, 6, 1),) * 3 + (date(2016, 1, 1),) * 2
    assert not evaluate(ECM_2015, facts(offence_dates=older)).eligible
    assert evaluate(ECM_2016, facts(offence_dates=older)).eligible


def test_needs_recorded_after_the_referral_date_are_not_counted():
    late = NEEDS[:2] + (("neglect", "Neglect", REFERRAL + timedelta(days=1)),)
    result = evaluate(ECM_2015, facts(needs=late))
    assert not criterion(result, "needs").met
    assert criterion(result, "needs").evidence.startswith(
        "2 need categories recorded by 1 March 2016"
    )


def test_the_same_need_twice_counts_once():
    doubled = NEEDS[:2] + (NEEDS[0],)
    assert not criterion(evaluate(ECM_2015, facts(needs=doubled)), "needs").met


def test_need_evidence_names_the_categories():
    evidence = criterion(evaluate(ECM_2015, facts()), "needs").evidence
    assert "Mental health, Neglect, Substance misuse" in evidence


def test_order_ending_on_the_referral_date_was_in_force():
    ending = replace(REFERRAL_ORDER, end_date=REFERRAL)
    result = evaluate(ECM_2015, facts(orders=(ending,)))
    assert criterion(result, "order").met
    assert criterion(result, "order").evidence == (
        "On a referral order from 10 January 2016 to 1 March 2016"
    )


def test_order_ending_the_day_before_referral_was_not_in_force():
    ended = replace(REFERRAL_ORDER, end_date=REFERRAL - timedelta(days=1))
    assert not criterion(evaluate(ECM_2015, facts(orders=(ended,))), "order").met


def test_out_of_court_disposal_is_not_a_statutory_order():
    caution = OrderFact("youth_caution", date(2016, 1, 1), None, False)
    assert not criterion(evaluate(ECM_2015, facts(orders=(caution,))), "order").met


def test_voluntary_participation_only_where_the_policy_allows_it():
    volunteer = facts(orders=(), voluntary_participation=True)
    assert not evaluate(ECM_2015, volunteer).eligible
    result = evaluate(ECM_2016, volunteer)
    assert result.eligible
    assert criterion(result, "order").evidence == "Voluntary participation"


def test_widened_policy_needs_no_offences_and_no_order():
    result = evaluate(WIDENED, facts(offence_dates=(), orders=()))
    assert result.eligible


def test_a_criterion_stores_values_not_a_sentence():
    stored = criterion(evaluate(ECM_2015, facts()), "order").stored()
    assert stored == {
        "code": "order",
        "met": True,
        "values": {
            "outcome": "on_order",
            "order_type": "referral_order",
            "start": "2016-01-10",
            "end": "2016-10-09",
        },
    }


def test_the_evidence_is_written_in_the_readers_language():
    stored = [c.stored() for c in evaluate(ECM_2015, facts()).criteria]
    welsh_needs = {"mental_health": "Iechyd meddwl"}
    with translation.override("cy"):
        sentences = [describe(c["code"], c["values"], welsh_needs) for c in stored]
    assert sentences[0].startswith("5 trosedd rhwng 1 Mawrth 2015 a 1 Mawrth 2016")
    assert "Iechyd meddwl" in sentences[1]
    assert "gorchymyn atgyfeirio" in sentences[2]
    assert "Ionawr" in sentences[2]
    with translation.override("en-gb"):
        assert describe(stored[2]["code"], stored[2]["values"]) == (
            "On a referral order from 10 January 2016 to 9 October 2016"
        )


# --- Properties ---------------------------------------------------------------------------------

days = st.integers(min_value=-900, max_value=30).map(lambda n: REFERRAL + timedelta(days=n))
policies = st.builds(
    PolicyParameters,
    minimum_offences=st.integers(0, 8),
    window_months=st.integers(1, 36),
    minimum_need_categories=st.integers(0, 5),
    statutory_order_required=st.booleans(),
    voluntary_participation_allowed=st.booleans(),
)
need_codes = st.sampled_from(["a", "b", "c", "d", "e"])
fact_sets = st.builds(
    Facts,
    referral_date=st.just(REFERRAL),
    offence_dates=st.lists(days, max_size=10).map(tuple),
    needs=st.lists(st.tuples(need_codes, need_codes, days), max_size=6).map(tuple),
    orders=st.lists(
        st.builds(
            OrderFact,
            order_type=st.just("referral_order"),
            start_date=days,
            end_date=st.none() | days,
            statutory=st.booleans(),
        ),
        max_size=2,
    ).map(tuple),
    voluntary_participation=st.booleans(),
)


@given(policy=policies, base=fact_sets, months_back=st.integers(0, 36), day=st.integers(0, 27))
def test_adding_an_offence_inside_the_window_never_makes_eligible_ineligible(
    policy, base, months_back, day
):
    from eligibility.rules import window_start

    start = window_start(base.referral_date, policy.window_months)
    offence = start + timedelta(days=min(day + months_back * 28, (base.referral_date - start).days))
    more = replace(base, offence_dates=base.offence_dates + (offence,))
    if evaluate(policy, base).eligible:
        assert evaluate(policy, more).eligible


@given(
    policy=policies, base=fact_sets, lower_offences=st.integers(0, 8), lower_needs=st.integers(0, 5)
)
def test_lowering_a_minimum_never_makes_eligible_ineligible(
    policy, base, lower_offences, lower_needs
):
    lowered = replace(
        policy,
        minimum_offences=min(policy.minimum_offences, lower_offences),
        minimum_need_categories=min(policy.minimum_need_categories, lower_needs),
    )
    if evaluate(policy, base).eligible:
        assert evaluate(lowered, base).eligible
