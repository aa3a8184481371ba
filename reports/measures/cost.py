"""Time and cost measures: hours recorded on the cohort's cases from the ECM start to the as-of
date, and their cost at the hourly unit costs in force on the as-of date.

Whose time each record gives (reports.facts): an attended appointment, the allocated
practitioner's; a formulation meeting held, the chairing psychologist's, the allocated
practitioner's and one partner agency representative's per agency that attended; a
supervision session, the psychologist's and the practitioner's, shared equally between the
cases it discussed. The costs used are a measure of their own (`unit_costs_in_force`), so
every output of a run says which were in force, and editing a cost later changes no run.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, ExpressionWrapper, F, FloatField, Q, Sum, Value
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from accounts import dates
from accounts.models import CostRole
from accounts.selectors import unit_costs_in_force
from formulation.models import FormulationMeeting, MeetingStatus
from supervision.models import SupervisionSession

from ..facts import COHORT, MINUTES, PSYCHOLOGY_MINUTES, SESSION_CASES, in_ecm
from .aggregations import Aggregation, CountOf, Grouped, MeanOf, Run
from .base import Result, mean, measure, round_half_up

GROUP = "cost"

COMPLETED = COHORT & Q(end_reason="completed")


def hours(minutes, condition: Q = COHORT) -> Sum:
    """The total of `minutes` over the young people meeting `condition`, in hours."""
    return Sum(minutes / Value(60.0), filter=condition, output_field=FloatField())


# --- The costs in force -------------------------------------------------------------------------


def cost_key(role: str, valid_from: str) -> str:
    """A cost's key in the report: its role and the date it is in force from."""
    return f"{role}:{valid_from}"


def cost_label(key: str) -> str:
    """ "Practitioner, from 1 April 2026" for the key "practitioner:2026-04-01"."""
    role, _sep, valid_from = key.partition(":")
    try:
        day = dates.in_words(date.fromisoformat(valid_from))
    except ValueError:
        return key
    name = CostRole(role).label if role in CostRole.values else role
    return _("%(role)s, from %(date)s") % {"role": name, "date": day}


def costs_in_force(run: Run) -> Result:
    costs = {
        cost_key(row["role"], row["valid_from"]): row["hourly_cost"]
        for row in unit_costs_in_force(run.scope.as_of)
    }
    return Result(costs, {code: dict(costs) for code in run.scope.team_codes})


def hourly_rates(run: Run) -> dict[str, float]:
    """{role: cost per hour} as `unit_costs_in_force` recorded them for this run."""
    costs = run.results["unit_costs_in_force"].overall
    return {key.partition(":")[0]: cost for key, cost in costs.items()}


# --- Cost per case ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostPerCase(Aggregation):
    """The mean cost of the young people meeting `condition`: each role's hours times its
    cost per hour. No value where no cost is in force, or where time was recorded for a role
    with none."""

    condition: Q

    def requires(self):
        return ("unit_costs_in_force",)

    def aggregates(self):
        return {
            "count": Count("pk", filter=self.condition),
            **{role: hours(minutes, self.condition) for role, minutes in MINUTES.items()},
        }

    def result(self, run):
        rates = hourly_rates(run)

        def mean_cost(row):
            if not rates:
                return None
            total = 0.0
            for role in MINUTES:
                role_hours = row.get(role) or 0
                if role_hours and role not in rates:
                    return None
                total += role_hours * rates.get(role, 0)
            return mean(total, row.get("count") or 0)

        rows = {code: run.team_rows.get(code, {}) for code in run.scope.team_codes}
        overall = {
            name: sum(row.get(name) or 0 for row in rows.values()) for name in ("count", *MINUTES)
        }
        return Result(mean_cost(overall), {code: mean_cost(row) for code, row in rows.items()})


# --- Psychology hours per team per month -------------------------------------------------------


def psychology_by_month(run: Run) -> Result:
    """Hours of formulation meetings and of supervision (each case's share) on the cohort's
    cases, per team and calendar month: two grouped queries, by the team's id (named
    afterwards)."""
    scope = run.scope
    meetings = (
        FormulationMeeting.objects.filter(
            scope.cohort_filter("young_person__"),
            in_ecm("held_on", scope),
            status=MeetingStatus.HELD,
            duration_minutes__isnull=False,
        )
        .order_by()
        .values(team=scope.team_at_end("young_person__"), month=TruncMonth("held_on"))
        .annotate(minutes=Sum("duration_minutes"))
    )
    discussed = (
        SupervisionSession.cases.through.objects.filter(
            scope.cohort_filter("youngperson__"),
            in_ecm("supervisionsession__held_on", scope, person="youngperson"),
            supervisionsession__duration_minutes__isnull=False,
        )
        .order_by()
        .values(
            team=scope.team_at_end("youngperson__"), month=TruncMonth("supervisionsession__held_on")
        )
        # Each case's share of its session's minutes, added up per team and month.
        .annotate(
            minutes=Sum(
                ExpressionWrapper(
                    F("supervisionsession__duration_minutes") * 1.0 / SESSION_CASES,
                    output_field=FloatField(),
                )
            )
        )
    )
    supervision = [(row["team"], f"{row['month']:%Y-%m}", row["minutes"]) for row in discussed]
    by_team = {code: defaultdict(float) for code in scope.team_codes}
    overall = defaultdict(float)
    meeting_rows = [(row["team"], f"{row['month']:%Y-%m}", row["minutes"]) for row in meetings]
    for team, month, minutes in [*meeting_rows, *supervision]:
        by_team[scope.team_code_by_id[team]][month] += (minutes or 0) / 60
        overall[month] += (minutes or 0) / 60

    def rounded(values):
        return {month: round_half_up(values[month], 1) for month in sorted(values)}

    return Result(rounded(overall), {code: rounded(by_team[code]) for code in scope.team_codes})


def _month_label(key: str) -> str:
    try:
        return dates.month_in_words(date.fromisoformat(f"{key}-01"))
    except ValueError:
        return key


# --- The registry ---------------------------------------------------------------------------------

measure(
    "unit_costs_in_force",
    group=GROUP,
    kind="distribution",
    category_kind="mean",
    category_label=cost_label,
    base="cohort_size",  # shown with the costs worked out with them
    label=_("Hourly unit costs used (£)"),
    definition=_(
        "The cost per hour of each role that this report's costs are worked out with: for "
        "each role, the unit cost an administrator set with the latest date in force on or "
        "before the as-of date."
    ),
    value=Grouped(costs_in_force, reads=frozenset()),
)
measure(
    "practitioner_contact_hours_per_case",
    group=GROUP,
    kind="mean",
    base="cohort_size",
    label=_("Practitioner contact hours per case"),
    definition=_(
        "Hours of the appointments attended from the ECM start to the as-of date (their "
        "recorded durations), per cohort member, to 2 decimal places."
    ),
    value=MeanOf(hours(F("attended_minutes")), Count("pk", filter=COHORT)),
)
measure(
    "psychology_hours_per_case",
    group=GROUP,
    kind="mean",
    base="cohort_size",
    label=_("Clinical psychology hours per case"),
    definition=_(
        "Hours of the formulation meetings held and of the clinical supervision that "
        "discussed the case (each session's duration shared equally between the cases it "
        "discussed), from the ECM start to the as-of date, per cohort member, to 2 decimal "
        "places."
    ),
    value=MeanOf(hours(PSYCHOLOGY_MINUTES), Count("pk", filter=COHORT)),
)
measure(
    "psychology_hours_by_month",
    group=GROUP,
    kind="distribution",
    category_kind="mean",
    category_label=_month_label,
    base="cohort_size",
    label=_("Clinical psychology hours per month"),
    definition=_(
        "Hours of formulation meetings and clinical supervision on the cohort's cases in "
        "each calendar month, from each case's ECM start to the as-of date, to 1 decimal "
        "place: whether the psychology provider is given enough time."
    ),
    value=Grouped(psychology_by_month, reads=frozenset()),
)
measure(
    "completed_cases",
    group=GROUP,
    kind="count",
    label=_("Completed cases"),
    definition=_("Cohort members whose ECM ended as completed."),
    value=CountOf(COMPLETED),
)
measure(
    "cost_per_case",
    group=GROUP,
    kind="mean",
    base="cohort_size",
    label=_("Cost per case (£)"),
    definition=_(
        "The cost of the time recorded on each cohort case from the ECM start to the as-of "
        "date, at the hourly unit costs used: the practitioner's hours (appointments "
        "attended, formulation meetings, the case's share of supervision), the "
        "psychologist's (formulation meetings and supervision) and a partner agency "
        "representative's for each agency that attended a formulation meeting; per cohort "
        "member, to 2 decimal places. Managers' time is not recorded, so not costed. No "
        "value where no unit cost is in force, or where time was recorded for a role with "
        "none."
    ),
    value=CostPerCase(COHORT),
)
measure(
    "cost_per_completed_case",
    group=GROUP,
    kind="mean",
    base="completed_cases",
    label=_("Cost per completed case (£)"),
    definition=_(
        "The cost per case (as above) of the cohort members whose ECM ended as completed, "
        "to 2 decimal places."
    ),
    value=CostPerCase(COMPLETED),
)
