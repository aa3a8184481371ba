"""Engagement measures: the cohort's appointments from their ECM start to the as-of date."""

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from cases.models import AppointmentPurpose

from ..facts import COHORT, purpose_counts
from .aggregations import CountOf, Grouped, MeanOf, RateOf, Run
from .base import Result, as_recorded, measure

GROUP = "engagement"


def attendance_rate(attended: str, missed: str) -> RateOf:
    """Attended over attended plus did-not-attend (cancelled and rearranged left out)."""
    return RateOf(Sum(attended, filter=COHORT), Sum(F(attended) + F(missed), filter=COHORT))


def mean_engagement(rating: str) -> MeanOf:
    rated = COHORT & Q(**{f"{rating}__isnull": False})
    return MeanOf(Sum(rating, filter=rated), Count("pk", filter=rated))


def appointments_by_purpose(run: Run) -> Result:
    """{purpose code: appointments} per team, over the same appointments as the measure
    "appointments" (each cohort member's, from their ECM start to the as-of date), grouped
    by the team's and the purpose's ids (named afterwards) in the database: most young
    people's from their stored counts by purpose (`reports.facts.purpose_counts`)."""
    scope = run.scope
    purposes = dict(AppointmentPurpose.objects.values_list("pk", "code"))
    by_team = {code: {} for code in scope.team_codes}
    overall: dict[str, int] = {}
    for row in purpose_counts(scope, team=scope.team_at_end("young_person__")):
        team, purpose = scope.team_code_by_id[row["team"]], purposes[row["category"]]
        by_team[team][purpose] = by_team[team].get(purpose, 0) + row["n"]
        overall[purpose] = overall.get(purpose, 0) + row["n"]

    def counted(values: dict[str, int]) -> dict[str, int]:
        return {purpose: n for purpose, n in sorted(values.items()) if n}

    return Result(counted(overall), {code: counted(values) for code, values in by_team.items()})


measure(
    "appointments",
    group=GROUP,
    kind="count",
    label=_("Appointments"),
    definition=_(
        "Appointments of cohort members dated on or after their ECM start (up to "
        "the as-of date), whatever their attendance."
    ),
    value=CountOf(COHORT, total="appointments"),
)
measure(
    "attendance_rate",
    group=GROUP,
    kind="rate",
    base="cohort_size",
    label=_("Attendance rate"),
    definition=_(
        "Attended appointments divided by attended plus did-not-attend (cancelled "
        "and rearranged ones are left out)."
    ),
    value=attendance_rate("attended", "did_not_attend"),
)
measure(
    "attendance_rate_days_0_90",
    group=GROUP,
    kind="rate",
    base="cohort_size",
    label=_("Attendance rate, days 0–90"),
    definition=_("The attendance rate for appointments 0 to 90 days after the ECM start."),
    value=attendance_rate("attended_days_0_90", "did_not_attend_days_0_90"),
)
measure(
    "attendance_rate_days_91_180",
    group=GROUP,
    kind="rate",
    base="cohort_size",
    label=_("Attendance rate, days 91–180"),
    definition=_("The attendance rate for appointments 91 to 180 days after the ECM start."),
    value=attendance_rate("attended_days_91_180", "did_not_attend_days_91_180"),
)
measure(
    "mean_engagement_first",
    group=GROUP,
    kind="mean",
    base="cohort_size",
    label=_("Mean engagement at the first rated appointment"),
    definition=_(
        "Each cohort member's engagement rating (1–5) at their first rated "
        "appointment after the start, averaged."
    ),
    value=mean_engagement("engagement_first"),
)
measure(
    "mean_engagement_last",
    group=GROUP,
    kind="mean",
    base="cohort_size",
    label=_("Mean engagement at the last rated appointment"),
    definition=_(
        "Each cohort member's engagement rating (1–5) at their last rated "
        "appointment after the start (up to the as-of date), averaged."
    ),
    value=mean_engagement("engagement_last"),
)
measure(
    "appointments_by_purpose",
    group=GROUP,
    kind="distribution",
    category_kind="count",
    category_label=as_recorded,
    adds_up_to="appointments",
    label=_("Appointments by purpose"),
    definition=_(
        "The appointments counted in “Appointments”, by the purpose chosen for each from the "
        "list of appointment purposes."
    ),
    value=Grouped(appointments_by_purpose),
)
measure(
    "share_attended_achieved",
    group=GROUP,
    kind="rate",
    base="cohort_size",
    label=_("Share of attended appointments achieving their purpose"),
    definition=_(
        "Attended appointments whose outcome was achieved or partly achieved, divided by "
        "attended appointments whose outcome was achieved, partly achieved or not achieved "
        "(those recorded as not applicable, or recorded before outcomes were coded, are left "
        "out)."
    ),
    value=RateOf(
        Sum("attended_achieved", filter=COHORT), Sum("attended_outcome_coded", filter=COHORT)
    ),
)
