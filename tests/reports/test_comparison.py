"""The comparison report (issue 16, "Attribution"): the arithmetic on generated cohorts with
and without a planted effect, the database reading on generated young people, suppression,
query counts, and what the report page, JSON and XLSX show."""

import json
from datetime import date, timedelta

import numpy
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import summary
from cases.models import Breach, Offence, YoungPerson
from eligibility.models import EligibilityDecision, EligibilityPolicy
from eligibility.reference_data import ensure_default_policies
from reports.comparison import maths
from reports.comparison.build import comparison_document
from reports.measures import Scope
from reports.models import FileKind
from reports.suppression import SUPPRESSED
from tests.conftest import client_for
from tests.reports.test_exports import cells_of_row, content, sheet_names
from tests.reports.test_measures import cohort  # noqa: F401 - the worked cohort fixture
from tests.reports.test_report_pages import media_root, produced, quick_pdf  # noqa: F401

SCOPE = Scope(
    date_from=date(2024, 1, 1),
    date_to=date(2024, 12, 31),
    as_of=date(2026, 6, 30),
    follow_up_months=12,
)

# --- The arithmetic on generated arrays ---------------------------------------------------------


def simulated(rng, *, people=600, effect=0.0):
    """A cohort where the ECM cohort offends more to begin with (confounding on a recorded
    factor), both groups' offending falls by the same amount over time, and the ECM cohort's
    falls by `effect` more."""
    treated = rng.random(people) < 0.4
    risk = rng.integers(0, 4, people) + treated  # higher-risk young people start ECM more
    before = rng.poisson(1.0 + risk)
    after = rng.poisson(numpy.maximum(0.5 + risk + effect * treated, 0))
    coarsened = risk.reshape(-1, 1)
    return before, after, treated, maths.coarsened_exact_matching(treated, coarsened)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_planted_effect_is_recovered_within_its_interval(seed):
    before, after, treated, matching = simulated(
        numpy.random.default_rng(seed), people=4000, effect=-0.8
    )
    result = maths.difference_in_differences(before, after, treated, matching.weights)
    assert result.low <= -0.8 <= result.high
    assert result.high < 0  # and it is told apart from no effect


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_with_no_effect_the_interval_contains_zero(seed):
    before, after, treated, matching = simulated(numpy.random.default_rng(seed), people=4000)
    result = maths.difference_in_differences(before, after, treated, matching.weights)
    assert result.low <= 0 <= result.high
    assert result.high - result.low < 0.5


def test_the_95_percent_interval_covers_the_planted_effect_about_95_times_in_100():
    rng = numpy.random.default_rng(16)
    covered = 0
    for _ in range(400):
        before, after, treated, matching = simulated(rng, people=300, effect=-0.5)
        result = maths.difference_in_differences(before, after, treated, matching.weights)
        covered += result.low <= -0.5 <= result.high
    assert 0.92 <= covered / 400 <= 0.98


def test_the_interval_matches_a_hand_worked_cluster_robust_example():
    # Two per group, equal weights: the DiD is the difference of the mean changes
    # (ECM changes -1 and -3, comparison 0 and 2: (-2) - 1 = -3); with a young person's two
    # rows as one cluster, the variance is the sum of each group's variance of the mean
    # change (1/2 + 1/2 = 1 unscaled), times G/(G-1) × (N-1)/(N-K) = 4/3 × 7/4.
    result = maths.difference_in_differences(
        numpy.array([3, 5, 2, 2]),
        numpy.array([2, 2, 2, 4]),
        numpy.array([True, True, False, False]),
        numpy.ones(4),
    )
    assert result.estimate == pytest.approx(-3)
    assert result.standard_error == pytest.approx((4 / 3 * 7 / 4) ** 0.5)
    assert result.high - result.estimate == pytest.approx(3.182446 * result.standard_error)


def test_matching_keeps_strata_with_both_groups_and_weights_to_the_ecm_mix():
    treated = numpy.array([True, True, True, False, False, False, False, False])
    strata = numpy.array([[0], [0], [1], [0], [1], [1], [1], [2]])
    matching = maths.coarsened_exact_matching(treated, strata)
    assert matching.matched.tolist() == [True] * 7 + [False]
    # 2 of 3 ECM young people are in stratum 0, so the comparison's weights there add up to
    # 2/3 of theirs.
    weights = matching.weights[~treated]
    assert weights[0] / weights[:4].sum() == pytest.approx(2 / 3)
    assert weights.sum() == pytest.approx(4)  # the comparison matched keep their number
    assert matching.strata == 2


# --- Reading generated young people from the database ----------------------------------------


def generated(team, *, ecm, comparison, effect=0.0, seed=0):
    """Young people referred in 2024: `ecm` who started ECM 20 days after referral and
    `comparison` found eligible 10 days after it who never started. Offences: Poisson(2)
    in the 12 months before the index date; after it Poisson(1.5), less `effect` for the
    ECM cohort. Bulk-created (then their stored facts worked out, as every bulk writer
    does): the reading is what is tested."""
    ensure_default_policies(EligibilityPolicy)
    policy = EligibilityPolicy.objects.first()
    rng = numpy.random.default_rng(seed)
    people, index_dates = [], []
    for number in range(ecm + comparison):
        referral = date(2024, 1, 1) + timedelta(int(rng.integers(0, 360)))
        starts = number < ecm
        index_dates.append(referral + timedelta(20 if starts else 10))
        people.append(
            YoungPerson(
                team=team,
                reference=f"GEN{seed}-{number}",
                given_name="Generated",
                family_name="Person",
                date_of_birth=referral - timedelta(int(rng.integers(12 * 365, 17 * 365))),
                gender=rng.choice(["male", "female"]),
                referral_date=referral,
                ecm_start_date=index_dates[-1] if starts else None,
                parent_consent_required=False,
            )
        )
    people = YoungPerson.objects.bulk_create(people)
    EligibilityDecision.objects.bulk_create(
        EligibilityDecision(
            young_person=person, policy=policy, decided_on=day, eligible=True, criteria=[]
        )
        for person, day in zip(people[ecm:], index_dates[ecm:], strict=True)
    )
    offences, breaches = [], []
    for number, (person, day) in enumerate(zip(people, index_dates, strict=True)):
        mean_after = 1.5 + (effect if number < ecm else 0)
        for count, sign in ((rng.poisson(2), -1), (rng.poisson(max(mean_after, 0)), 1)):
            for _ in range(count):
                offset = int(rng.integers(1, 330)) * sign
                offences.append(
                    Offence(
                        young_person=person,
                        committed_on=day + timedelta(offset),
                        description="Generated",
                        gravity=int(rng.integers(1, 9)),
                    )
                )
        if rng.random() < 0.3:
            breaches.append(Breach(young_person=person, breach_date=day - timedelta(40), note="-"))
    Offence.objects.bulk_create(offences)
    Breach.objects.bulk_create(breaches)
    summary.refresh(person.pk for person in people)
    return people


def test_a_planted_effect_in_the_records_is_recovered_within_its_interval(team_a):
    generated(team_a, ecm=150, comparison=150, effect=-1.0, seed=7)
    document = comparison_document(SCOPE)
    assert document["status"] == "shown"
    assert document["groups"]["ecm"]["before_matching"] == 150
    assert document["groups"]["comparison"]["before_matching"] == 150
    offences = next(row for row in document["estimates"] if row["outcome"] == "offences")
    assert offences["low"] <= -1.0 <= offences["high"]
    assert offences["high"] < 0
    breaches = next(row for row in document["estimates"] if row["outcome"] == "breaches")
    assert breaches["low"] <= 0 <= breaches["high"]  # none planted


def test_with_no_effect_in_the_records_every_interval_contains_zero(team_a):
    generated(team_a, ecm=120, comparison=120, seed=8)
    document = comparison_document(SCOPE)
    for row in document["estimates"]:
        assert row["low"] <= 0 <= row["high"], row


def test_balance_table_has_every_factor_before_and_after_matching(team_a):
    generated(team_a, ecm=60, comparison=60, seed=9)
    document = comparison_document(SCOPE)
    factors = [row["factor"] for row in document["balance"]]
    assert factors == [
        "age",
        "gender_female",
        "gender_male",
        "gender_other",
        "gender_not_stated",
        "needs",
        "offences_12m",
        "gravity_12m",
    ]
    offences = document["balance"][factors.index("offences_12m")]
    # Matching on bands of the factor brings the groups closer on it.
    assert abs(offences["after"]["smd"]) <= abs(offences["before"]["smd"]) + 0.05
    assert document["groups"]["ecm"]["matched"] <= 60


def test_a_group_below_the_threshold_suppresses_the_comparison(team_a):
    generated(team_a, ecm=30, comparison=4, seed=10)
    document = comparison_document(SCOPE, threshold=5)
    assert document["status"] == SUPPRESSED
    assert document["groups"]["comparison"]["before_matching"] == SUPPRESSED
    assert document["groups"]["ecm"]["before_matching"] == 30
    assert document["estimates"] == [] and document["balance"] == []
    assert comparison_document(SCOPE, threshold=3)["status"] != SUPPRESSED


def test_an_empty_group_is_shown_as_none_not_suppressed(team_a):
    generated(team_a, ecm=30, comparison=0, seed=17)
    document = comparison_document(SCOPE, threshold=5)
    assert document["status"] == "too_few"
    assert document["groups"]["comparison"] == {"before_matching": 0, "matched": 0}


def test_a_small_number_left_unmatched_hides_the_matched_count(team_a):
    generated(team_a, ecm=40, comparison=40, seed=15)
    shown = comparison_document(SCOPE)["groups"]["ecm"]
    left_out = shown["before_matching"] - shown["matched"]
    assert left_out > 0  # the generated cohort has young people no stratum matches
    document = comparison_document(SCOPE, threshold=left_out + 1)
    assert document["groups"]["ecm"] == {"before_matching": 40, "matched": SUPPRESSED}
    assert document["estimates"]  # worked out from at least the threshold, so shown


def test_the_report_page_says_a_suppressed_comparison_is_suppressed(team_a, evaluator):
    generated(team_a, ecm=30, comparison=3, seed=16)
    run = produced(evaluator, suppression=True, suppression_threshold=5)
    html = client_for(evaluator).get(reverse("reports:run-detail", kwargs={"pk": run.pk}))
    html = html.content.decode()
    assert "The comparison is suppressed" in html
    groups = html.split('id="comparison-groups"', 1)[1].split("</table>", 1)[0]
    assert "Suppressed" in groups and ">3<" not in groups
    assert ">30<" in groups  # the ECM cohort before matching is shown
    assert 'id="comparison-estimates"' not in html


def test_young_people_outside_the_groups_are_left_out(team_a):
    people = generated(team_a, ecm=3, comparison=3, seed=11)
    # Started too late for the follow-up; found not eligible; never checked.
    YoungPerson.objects.filter(pk=people[0].pk).update(ecm_start_date=date(2025, 12, 1))
    EligibilityDecision.objects.filter(young_person=people[3]).update(eligible=False)
    EligibilityDecision.objects.filter(young_person=people[4]).delete()
    summary.refresh(person.pk for person in people)  # queryset writes send no signals
    document = comparison_document(SCOPE)
    assert document["groups"]["ecm"]["before_matching"] == 2
    assert document["groups"]["comparison"]["before_matching"] == 1
    assert document["status"] == "too_few"


def test_query_count_does_not_grow_with_the_cohort(team_a):
    generated(team_a, ecm=3, comparison=3, seed=12)
    with CaptureQueriesContext(connection) as small:
        comparison_document(SCOPE)
    generated(team_a, ecm=60, comparison=60, seed=13)
    with CaptureQueriesContext(connection) as large:
        comparison_document(SCOPE)
    # One statement; on PostgreSQL also the run settings read, set and put back, inside a
    # savepoint.
    assert len(large.captured_queries) == len(small.captured_queries) <= 6


# --- In the report -------------------------------------------------------------------------------


def test_report_json_page_and_xlsx_carry_the_comparison(cohort, evaluator):  # noqa: F811
    run = produced(evaluator)
    client = client_for(evaluator)
    response = client.get(reverse("reports:run-download", kwargs={"pk": run.pk, "kind": "json"}))
    comparison = json.loads(b"".join(response.streaming_content))["comparison"]
    # The worked cohort: P1–P3 in the follow-up cohort, P4 eligible and never started.
    assert comparison["groups"]["ecm"]["before_matching"] == 3
    assert comparison["groups"]["comparison"]["before_matching"] == 1
    html = client.get(reverse("reports:run-detail", kwargs={"pk": run.pk})).content.decode()
    assert 'id="report-comparison"' in html
    assert "An association, not proof" in html
    assert "Too few young people were matched" in html
    data = content(run, FileKind.XLSX)
    assert sheet_names(data)[-1] == "Comparison"
    sheet = len(sheet_names(data))
    assert cells_of_row(data, sheet, row=5) == ["Group sizes"]
    assert cells_of_row(data, sheet, row=6) == ["Group", "Before matching", "Matched"]
    assert cells_of_row(data, sheet, row=7) == ["ECM cohort"]  # then its numbers, as numbers


def test_report_page_shows_the_comparison_in_welsh(team_a, evaluator):
    generated(team_a, ecm=40, comparison=40, seed=14)
    run = produced(evaluator)
    client = client_for(evaluator)
    client.post(reverse("set_language"), {"language": "cy", "next": "/"})
    html = client.get(reverse("reports:run-detail", kwargs={"pk": run.pk})).content.decode()
    assert "Cysylltiad, nid prawf" in html
    assert "Gwahaniaeth-mewn-gwahaniaethau" in html
    assert "Carfan ECM" in html
