"""Small-number suppression cannot be undone (issue 11).

Each test publishes a report with suppression on, then attacks it the way a determined reader
would: every suppressed count is an unknown whole number of at least 1 (zeros are never
hidden), everything shown is known, and the reader knows how the report's numbers add up —
the all-teams figure is the sum of the teams', a distribution adds up to its total, two
counts are the same number, and the mean needs per person times the cohort is the number of
needs. A mixed-integer solver then finds the smallest and largest value each suppressed count
can take. If the two are equal, the report gave that count away.

The reader's relations are written out here, independently of reports.suppression.
"""

import random
from datetime import date

import pytest
from django.core.management import call_command
from scipy.optimize import linprog

from reports import exports, suppression
from reports.measures import REGISTRY, Scope, compute_all

SUPPRESSED = "suppressed"

#: What the reader knows about how the report adds up, besides the all-teams sums.
DISTRIBUTION_TOTALS = {
    "gender": "cohort_size",
    "trm_first_stage": "fidelity_trm_assessed",
    "trm_latest_stage": "fidelity_trm_assessed",
}
SAME_NUMBER = [
    ("started", "cohort_size"),
    ("fidelity_supervised", "cases_discussed_in_supervision"),
]


def _counts(values: dict) -> dict:
    """{(measure id, category or None): value} for a column's counts, as published or raw."""
    counts = {}
    for measure_id, value in values.items():
        measure = REGISTRY.get(measure_id)
        if measure is None:
            continue
        if measure.kind == "count" and value is not None:
            counts[measure_id, None] = value
        elif measure.kind == "distribution" and isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, int) or item == SUPPRESSED:
                    counts[measure_id, key] = item
    return counts


def _columns(document):
    return {"": _counts(document["measures"])} | {
        code: _counts(values) for code, values in document["by_team"].items()
    }


def reader_relations(raw: dict) -> list[tuple[list, list]]:
    """(cells added, cells subtracted) = 0, for every relation that holds in the raw report.

    A category missing from a column is a zero the reader can see; it is left out of sums.
    """
    columns = _columns(raw)
    teams = [code for code in columns if code]
    relations = []
    for row in columns[""]:
        if teams:
            relations.append(
                ([(code, *row) for code in teams if row in columns[code]], [("", *row)])
            )
    for column, counts in columns.items():
        for measure_id, total_id in DISTRIBUTION_TOTALS.items():
            parts = [(column, *row) for row in counts if row[0] == measure_id]
            if (total_id, None) in counts:
                relations.append((parts, [(column, total_id, None)]))
        for one, other in SAME_NUMBER:
            if (one, None) in counts and (other, None) in counts:
                relations.append(([(column, one, None)], [(column, other, None)]))

    def value(cell):
        return columns[cell[0]].get(cell[1:], 0)

    return [
        (plus, minus)
        for plus, minus in relations
        if sum(map(value, plus)) == sum(map(value, minus))
    ]


def recovered(raw: dict, published: dict) -> dict:
    """{suppressed cell: its value} for every suppressed count the reader can work out."""
    shown = {
        (column, *row): value
        for column, counts in _columns(published).items()
        for row, value in counts.items()
    }
    unknowns = sorted(cell for cell, value in shown.items() if value == SUPPRESSED)
    index = {cell: position for position, cell in enumerate(unknowns)}
    rows, right = [], []
    bands = []  # (cells, low, high): the needs, known from the mean to within rounding
    for plus, minus in reader_relations(raw):
        row = [0] * len(unknowns)
        constant = 0
        for sign, cells in ((1, plus), (-1, minus)):
            for cell in cells:
                if cell in index:
                    row[index[cell]] += sign
                else:
                    constant -= sign * shown.get(cell, 0)
        if any(row):
            rows.append(row)
            right.append(constant)
    for column, values in {"": published["measures"], **published["by_team"]}.items():
        mean, cohort = values.get("mean_needs_per_person"), values.get("cohort_size")
        needs = values.get("need_counts")
        if isinstance(mean, float) and isinstance(cohort, int) and isinstance(needs, dict):
            hidden = [(column, "need_counts", key) for key in needs if needs[key] == SUPPRESSED]
            known = sum(item for item in needs.values() if isinstance(item, int))
            low, high = (mean - 0.005) * cohort - known, (mean + 0.005) * cohort - known
            if hidden:
                bands.append((hidden, low, high))
    inequalities, limits = [], []
    for cells, low, high in bands:
        row = [0] * len(unknowns)
        for cell in cells:
            row[index[cell]] = 1
        inequalities += [row, [-item for item in row]]
        limits += [high, -low]

    def solve(objective, presolve=True):
        return linprog(
            objective,
            A_ub=inequalities or None,
            b_ub=limits or None,
            A_eq=rows or None,
            b_eq=right or None,
            bounds=[(1, None)] * len(unknowns),
            integrality=[1] * len(unknowns),
            method="highs",
            options={"presolve": presolve},
        )

    found = {}
    for cell, position in index.items():
        ends = []
        for sign in (1, -1):
            objective = [0] * len(unknowns)
            objective[position] = sign
            result = solve(objective)
            if result.status == 4:  # "infeasible or unbounded" from presolve: tell them apart
                result = solve(objective, presolve=False)
            if result.status == 3:  # unbounded: the reader cannot pin it
                break
            assert result.status == 0, (cell, result.message)
            ends.append(sign * result.fun)
        if len(ends) == 2 and round(ends[0]) == round(ends[1]):
            found[cell] = round(ends[0])
    return found


def published(raw: dict, threshold: int) -> dict:
    document = suppression.suppress(raw, threshold)
    assert exports.json_bytes(document)  # publishable as it stands
    return document


# --- The example -------------------------------------------------------------------------


def table(overall: dict, **teams: dict) -> dict:
    return {"parameters": {}, "measures": overall, "by_team": teams}


def test_a_hidden_cell_cannot_be_read_off_the_total():
    raw = table({"consented": 18}, a={"consented": 6}, b={"consented": 4}, c={"consented": 8})
    document = published(raw, 5)
    assert document["by_team"]["b"]["consented"] == SUPPRESSED
    # Hiding b alone would leave 18 − 6 − 8 = 4: one more team is hidden with it.
    assert [document["by_team"][code]["consented"] for code in "ac"].count(SUPPRESSED) == 1
    assert document["measures"]["consented"] == 18
    assert recovered(raw, document) == {}


def test_the_attack_finds_what_small_number_suppression_alone_gives_away():
    """The attacker is real: on the issue's example, hiding small counts only gives 4 away."""
    raw = table({"consented": 18}, a={"consented": 6}, b={"consented": 4}, c={"consented": 8})
    primary_only = table(
        {"consented": 18}, a={"consented": 6}, b={"consented": SUPPRESSED}, c={"consented": 8}
    )
    assert recovered(raw, primary_only) == {("b", "consented", None): 4}


def test_a_small_team_cannot_be_read_off_the_total_when_the_others_show_zero():
    raw = table({"withdrawn": 3}, a={"withdrawn": 0}, b={"withdrawn": 3}, c={"withdrawn": 0})
    document = published(raw, 5)
    assert document["measures"]["withdrawn"] == SUPPRESSED
    assert document["by_team"]["a"]["withdrawn"] == 0
    assert recovered(raw, document) == {}


def test_zeros_and_counts_at_the_threshold_are_shown_when_nothing_depends_on_them():
    raw = table({"referrals": 12}, a={"referrals": 0}, b={"referrals": 5}, c={"referrals": 7})
    assert published(raw, 5) == raw


def test_a_rate_about_a_hidden_count_is_hidden():
    raw = table(
        {"cohort_size": 18, "mean_age_at_start": 15.0},
        a={"cohort_size": 6, "mean_age_at_start": 15.5},
        b={"cohort_size": 4, "mean_age_at_start": 14.0},
        c={"cohort_size": 8, "mean_age_at_start": 15.0},
    )
    document = published(raw, 5)
    for code in "abc":
        hidden = document["by_team"][code]["cohort_size"] == SUPPRESSED
        assert (document["by_team"][code]["mean_age_at_start"] == SUPPRESSED) == hidden


# --- Generated cohorts ---------------------------------------------------------------------------


def generated_report(seed: int) -> tuple[dict, int]:
    """A report's counts for random teams, adding up the way real reports do."""
    chance = random.Random(seed)
    threshold = chance.choice([3, 5, 10])
    teams = {}
    for number in range(chance.randint(1, 8)):
        cohort = chance.choice([0, 1, 2, 3, 4, 6, 9, 15, 30])
        referrals = cohort + chance.randint(0, 6)
        female = chance.randint(0, cohort)
        assessed = chance.randint(0, cohort)
        first = chance.randint(0, assessed)
        latest = chance.randint(0, assessed)
        needs = {code: chance.randint(0, cohort) for code in chance.sample(["A", "B", "C", "D"], 2)}
        needs = {code: count for code, count in needs.items() if count}
        discussed = chance.randint(0, cohort)
        teams[f"t{number}"] = {
            "referrals": referrals,
            "consented": chance.randint(cohort, referrals),
            "started": cohort,
            "withdrawn": chance.randint(0, cohort),
            "cohort_size": cohort,
            "gender": {
                key: count
                for key, count in (("female", female), ("male", cohort - female))
                if count
            },
            "need_counts": dict(sorted(needs.items())),
            "mean_needs_per_person": round(sum(needs.values()) / cohort, 2) if cohort else None,
            "fidelity_trm_assessed": assessed,
            "trm_first_stage": {
                key: count for key, count in (("1", first), ("2", assessed - first)) if count
            },
            "trm_latest_stage": {
                key: count for key, count in (("2", latest), ("3", assessed - latest)) if count
            },
            "cases_discussed_in_supervision": discussed,
            "fidelity_supervised": discussed,
            "mean_age_at_start": 15.0 if cohort else None,
        }
    overall = {}
    for values in teams.values():
        for measure_id, value in values.items():
            if isinstance(value, int):
                overall[measure_id] = overall.get(measure_id, 0) + value
            elif isinstance(value, dict):
                total = overall.setdefault(measure_id, {})
                for key, count in value.items():
                    total[key] = total.get(key, 0) + count
    for measure_id in ("gender", "need_counts", "trm_first_stage", "trm_latest_stage"):
        overall[measure_id] = dict(sorted(overall.get(measure_id, {}).items()))
    cohort = overall.get("cohort_size", 0)
    overall["mean_needs_per_person"] = (
        round(sum(overall["need_counts"].values()) / cohort, 2) if cohort else None
    )
    overall["mean_age_at_start"] = 15.0 if cohort else None
    return {"parameters": {}, "measures": overall, "by_team": teams}, threshold


@pytest.mark.parametrize("seed", range(150))
def test_no_suppressed_count_of_a_generated_report_can_be_worked_out(seed):
    raw, threshold = generated_report(seed)
    document = published(raw, threshold)
    assert recovered(raw, document) == {}
    # Only small counts and their complements are hidden; shown counts are the true ones.
    for column, counts in _columns(document).items():
        for row, value in counts.items():
            if value != SUPPRESSED:
                assert value == _columns(raw)[column][row]
            else:
                assert _columns(raw)[column][row] > 0


# --- The demonstration data, through the real measures -------------------------------------------


@pytest.mark.django_db
def test_no_suppressed_count_of_the_demo_report_can_be_worked_out():
    call_command("seed_demo", "--force")
    scope = Scope(date_from=date(2000, 1, 1), date_to=date(2100, 1, 1))
    raw = exports.evaluation_document({}, compute_all(scope))
    document = published(raw, 5)
    assert list(suppression.hidden_in(document)), "the demo report has small numbers to hide"
    assert recovered(raw, document) == {}
