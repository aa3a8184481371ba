"""Supervision measures: clinical supervision that reached the cohort's cases."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from supervision.models import SupervisionSession

from ..facts import COHORT
from .aggregations import CountOf, Grouped, Run
from .base import Result, measure

GROUP = "supervision"


def sessions(run: Run) -> Result:
    """Sessions that discussed a cohort member: per team, and once each overall (a session
    may discuss young people of several teams), from the sessions' list of cases."""
    discussed = SupervisionSession.cases.through.objects.filter(
        run.scope.cohort_filter("youngperson__")
    ).order_by()
    distinct = Count("supervisionsession_id", distinct=True)
    per_team = dict(
        discussed.values(team=run.scope.team_at_end("youngperson__"))
        .annotate(n=distinct)
        .values_list("team", "n")
    )
    return Result(
        discussed.aggregate(n=distinct)["n"],
        {code: per_team.get(pk, 0) for pk, code in run.scope.team_code_by_id.items()},
    )


measure(
    "supervision_sessions",
    group=GROUP,
    kind="count",
    label=_("Supervision sessions"),
    definition=_(
        "Clinical supervision sessions in which at least one cohort member was discussed."
    ),
    value=Grouped(sessions),
)
measure(
    "cases_discussed_in_supervision",
    group=GROUP,
    kind="count",
    label=_("Cases discussed in supervision"),
    definition=_("Cohort members discussed in clinical supervision at least once."),
    value=CountOf(COHORT & Q(supervision_sessions__gt=0)),
)
measure(
    "cases_with_supervision_on_record",
    group=GROUP,
    kind="count",
    label=_("Cases whose supervision reached the record"),
    definition=_(
        "Cohort members with at least one note from clinical supervision on their case "
        "record (the evaluation's recommendation that supervision notes be added to case "
        "recording systems)."
    ),
    value=CountOf(COHORT & Q(supervision_notes__gt=0)),
)
measure(
    "cases_with_recent_oversight",
    group=GROUP,
    kind="count",
    label=_("Cases with management oversight in the last 3 months"),
    definition=_(
        "Cohort members with at least one management oversight entry in the 3 calendar "
        "months up to the as-of date."
    ),
    value=CountOf(COHORT & Q(oversight_in_last_3_months=1)),
)
