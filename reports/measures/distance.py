"""Distance travelled (issue 15; the softer improvements of the evaluation's 3.17: resilience
to chaotic family life, self-confidence, anger management, emotional resilience).

Each cohort member's first and latest rating of a domain are those at their earliest and
latest formulation meetings (by date) with a rating of it; the change is latest minus first,
on the 1–5 scale, for the young person's own rating and the practitioner's.
"""

from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from formulation.models import DistanceRating

from .aggregations import Grouped, Run
from .base import Result, as_recorded, mean, measure

GROUP = "outcomes"
RATERS = ("self_rating", "practitioner_rating")


def _changes(run: Run) -> dict:
    """{(team code, young person, domain code): (first ratings, latest ratings)} for the
    cohort's domains rated at two or more meetings, from one query."""
    rows = (
        DistanceRating.objects.filter(
            run.scope.cohort_filter("formulation__meeting__young_person__"),
            formulation__meeting__held_on__lte=run.scope.as_of,
        )
        .order_by("formulation__meeting__held_on", "formulation__meeting_id")
        .values_list(
            run.scope.team_code_at_end("formulation__meeting__young_person__"),
            "formulation__meeting__young_person_id",
            "domain__code",
            *RATERS,
        )
    )
    first, latest, times = {}, {}, defaultdict(int)
    for team, person, domain, *ratings in rows:
        key = (team, person, domain)
        first.setdefault(key, ratings)
        latest[key] = ratings
        times[key] += 1
    return {key: (first[key], latest[key]) for key in first if times[key] > 1}


def rated_twice(run: Run) -> Result:
    people = defaultdict(set)
    for team, person, _domain in _changes(run):
        people[team].add(person)
    by_team = {code: len(people.get(code, ())) for code in run.scope.team_codes}
    return Result(sum(by_team.values()), by_team)


def _mean_change(rater: int):
    def compute(run: Run) -> Result:
        totals = defaultdict(lambda: [0, 0])  # (team or None, domain) -> [sum, people]
        for (team, _person, domain), (first, latest) in _changes(run).items():
            for where in (team, None):
                totals[(where, domain)][0] += latest[rater] - first[rater]
                totals[(where, domain)][1] += 1

        def means(where):
            return {
                domain: mean(total, people)
                for (team, domain), (total, people) in sorted(totals.items(), key=str)
                if team == where
            }

        return Result(means(None), {code: means(code) for code in run.scope.team_codes})

    return compute


measure(
    "distance_rated_twice",
    group=GROUP,
    kind="count",
    label=_("Distance travelled: rated at two or more meetings"),
    definition=_(
        "Cohort members with at least one distance-travelled domain rated at two or more "
        "formulation meetings (the initial formulation and a review, or two reviews)."
    ),
    value=Grouped(rated_twice),
)
measure(
    "distance_change_self",
    group=GROUP,
    kind="distribution",
    base="distance_rated_twice",
    category_kind="mean",
    category_label=as_recorded,
    label=_("Distance travelled: mean change in the young person's own rating"),
    definition=_(
        "For each domain code, over the cohort members rated on it at two or more meetings, "
        "the mean of their latest own rating minus their first (on the 1 to 5 scale, to 2 "
        "decimal places; above 0 means they rate themselves higher now)."
    ),
    value=Grouped(_mean_change(0)),
)
measure(
    "distance_change_practitioner",
    group=GROUP,
    kind="distribution",
    base="distance_rated_twice",
    category_kind="mean",
    category_label=as_recorded,
    label=_("Distance travelled: mean change in the practitioner's rating"),
    definition=_(
        "For each domain code, over the cohort members rated on it at two or more meetings, "
        "the mean of the practitioner's latest rating minus their first (on the 1 to 5 "
        "scale, to 2 decimal places; above 0 means the practitioner sees improvement)."
    ),
    value=Grouped(_mean_change(1)),
)
