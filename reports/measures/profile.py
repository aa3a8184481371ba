"""Profile measures: who the cohort are (DESIGN.md section 7)."""

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from cases.models import Gender, Need, NeedCategory

from ..facts import COHORT
from .aggregations import BreakdownOf, CountOf, Grouped, MeanOf, Run, TopOf
from .base import Result, as_recorded, measure

GROUP = "profile"


def gender_label(key: str) -> str:
    """A recorded gender as the report shows it: its label in the reader's language."""
    return str(dict(Gender.choices).get(key, key))


def need_counts(run: Run) -> Result:
    """{need code: young people with it} per team, from one grouped pass over needs, grouped
    by the team's and the category's ids and named afterwards (grouping by their codes sorts
    text: about twice as long at national scale, docs/benchmarks.md, tenth round)."""
    scope = run.scope
    rows = (
        Need.objects.filter(scope.cohort_filter("young_person__"), archived_at__isnull=True)
        .order_by()
        .values("category_id", team=scope.team_at_end("young_person__"))
        .annotate(people=Count("young_person", distinct=True))
    )
    categories = dict(NeedCategory.objects.values_list("pk", "code"))
    by_team = {code: {} for code in scope.team_codes}
    overall = {}
    for row in rows:
        code, need = scope.team_code_by_id[row["team"]], categories[row["category_id"]]
        by_team[code][need] = row["people"]
        overall[need] = overall.get(need, 0) + row["people"]
    return Result(
        dict(sorted(overall.items())),
        {code: dict(sorted(values.items())) for code, values in by_team.items()},
    )


measure(
    "cohort_size",
    group=GROUP,
    kind="count",
    label=_("Cohort size"),
    definition=_("Young people referred in the period who started ECM."),
    value=CountOf(COHORT),
)
measure(
    "mean_age_at_start",
    group=GROUP,
    kind="mean",
    base="cohort_size",
    label=_("Mean age at start"),
    definition=_(
        "The mean of the cohort's ages in completed years on their ECM start "
        "date, to 1 decimal place."
    ),
    value=MeanOf(Sum("age_at_start", filter=COHORT), Count("pk", filter=COHORT), places=1),
)
measure(
    "gender",
    group=GROUP,
    kind="distribution",
    category_kind="count",
    category_label=gender_label,
    adds_up_to="cohort_size",
    label=_("Gender"),
    definition=_("The number of cohort members of each recorded gender."),
    value=BreakdownOf("gender", COHORT),
)
measure(
    "need_counts",
    group=GROUP,
    kind="distribution",
    category_kind="count",
    category_label=as_recorded,
    label=_("Needs"),
    definition=_("For each need category, the number of cohort members with it recorded."),
    value=Grouped(need_counts),
)
measure(
    "mean_needs_per_person",
    group=GROUP,
    kind="mean",
    base="cohort_size",
    mean_of="need_counts",
    label=_("Mean needs per person"),
    definition=_(
        "The mean number of different need categories recorded per cohort "
        "member, to 2 decimal places."
    ),
    value=MeanOf(Sum("needs", filter=COHORT), Count("pk", filter=COHORT)),
)
measure(
    "top_needs",
    group=GROUP,
    kind="list",
    base="cohort_size",
    label=_("Most common needs"),
    definition=_("The three most common need categories in the cohort (ties broken by code)."),
    value=TopOf("need_counts"),
)
measure(
    "mean_offences_12m_before_start",
    group=GROUP,
    kind="mean",
    base="cohort_size",
    label=_("Mean offences in the 12 months before start"),
    definition=_(
        "Offences committed from 12 months before the ECM start date up to the "
        "day before it, per cohort member, to 2 decimal places."
    ),
    value=MeanOf(Sum("offences_12m_before_start", filter=COHORT), Count("pk", filter=COHORT)),
)
