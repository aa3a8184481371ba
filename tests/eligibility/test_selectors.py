from datetime import date

import pytest

from cases.models import YoungPerson
from eligibility import selectors, services
from seed import factories


def referral(team, when, *, offences=0, needs=0, order=True, **fields):
    person = factories.YoungPersonFactory(
        team=team, referral_date=when, date_of_birth=date(2000, 1, 1), **fields
    )
    for index in range(offences):
        factories.OffenceFactory(
            young_person=person, committed_on=date(when.year - 1, 1 + index, 1)
        )
    codes = ["substance_misuse", "mental_health", "neglect", "bereavement", "exploitation"]
    for code in codes[:needs]:
        factories.NeedFactory(
            young_person=person, category=factories.need_category(code), recorded_on=when
        )
    if order:
        factories.OrderFactory(young_person=person, start_date=when, end_date=None)
    return person


@pytest.fixture
def cohort(team_a, team_b, practitioner, manager, default_policies):
    eligible = referral(team_a, date(2016, 3, 1), offences=6, needs=3)
    services.eligibility_check(by=practitioner, young_person=eligible)
    factories.ConsentFactory(young_person=eligible)
    eligible.ecm_start_date = date(2016, 3, 21)
    eligible.save()
    not_eligible = referral(team_a, date(2016, 3, 15), offences=1, needs=4)
    services.eligibility_check(by=practitioner, young_person=not_eligible)
    overridden = referral(team_a, date(2016, 4, 2), offences=2, needs=1)
    decision = services.eligibility_check(by=practitioner, young_person=overridden)
    services.eligibility_override(by=manager, decision=decision, eligible=True, reason="Panel")
    factories.ConsentFactory(young_person=overridden)
    overridden.ecm_start_date = date(2016, 4, 12)
    overridden.ecm_end_date = date(2016, 8, 1)
    overridden.end_reason = "withdrawn"
    overridden.save()
    referral(team_b, date(2016, 3, 5), offences=5, needs=3)  # other team, never checked
    return {"eligible": eligible, "not_eligible": not_eligible, "overridden": overridden}


def test_funnel_counts_by_month_and_team_with_overrides(cohort, team_a):
    rows, totals = selectors.funnel(
        YoungPerson.objects.filter(team=team_a),
        date_from=date(2016, 1, 1),
        date_to=date(2016, 12, 31),
    )
    assert [
        (row.month, row.referred, row.eligible, row.consented, row.started, row.withdrawn)
        for row in rows
    ] == [
        (date(2016, 3, 1), 2, 1, 1, 1, 0),
        (date(2016, 4, 1), 1, 1, 1, 1, 1),
    ]
    assert totals["referred"] == 3
    assert totals["eligible"] == 2
    # 20 days and 10 days from referral to start: median 15.
    assert totals["median_days_referral_to_start"] == 15


def test_what_if_lists_the_young_people_whose_result_would_change(cohort, team_a, default_policies):
    result = selectors.what_if(
        YoungPerson.objects.filter(team=team_a),
        draft=default_policies["Widened"],
        date_from=date(2016, 1, 1),
        date_to=date(2016, 12, 31),
    )
    assert result["referrals"] == 3
    assert result["eligible_now"] == 2
    # Widened: 3+ needs only. not_eligible (4 needs) becomes eligible; overridden (1 need) not.
    changed = {change.young_person.pk: change.proposed for change in result["changes"]}
    assert changed == {cohort["not_eligible"].pk: True, cohort["overridden"].pk: False}
    assert result["eligible_under_draft"] == 2
