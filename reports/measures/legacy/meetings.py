"""Formulation measures: the cohort's formulation meetings and who came to them."""

from collections import defaultdict

from django.db.models import Count, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from formulation.models import FormulationMeeting, MeetingAttendance, MeetingStatus

from ..base import Result, median_or_none, rate, round_half_up
from .registry import from_team_rows, legacy

GROUP = "formulation"


def held_meetings(scope):
    return FormulationMeeting.objects.filter(
        young_person__in=scope.cohort(), status=MeetingStatus.HELD
    )


@legacy("formulation_meetings")
def formulation_meetings(scope):
    rows = {
        row["young_person__team__code"]: {**row, "team__code": row["young_person__team__code"]}
        for row in held_meetings(scope)
        .order_by()
        .values("young_person__team__code")
        .annotate(n=Count("id"))
    }
    return from_team_rows(scope, rows, lambda row: row["n"] if row else 0)


@legacy("median_days_start_to_first_formulation")
def median_days_start_to_first_formulation(scope):
    people = (
        scope.cohort()
        .annotate(
            first_meeting=Min(
                "formulation_meetings__held_on",
                filter=Q(formulation_meetings__status=MeetingStatus.HELD),
            )
        )
        .filter(first_meeting__isnull=False)
        .values_list("team__code", "ecm_start_date", "first_meeting")
    )
    days = defaultdict(list)
    for code, start, first in people:
        days[code].append((first - start).days)
    return Result(
        median_or_none([value for values in days.values() for value in values]),
        {code: median_or_none(days.get(code, [])) for code in scope.team_codes},
    )


@legacy("attendance_rate_by_agency")
def attendance_rate_by_agency(scope):
    rows = (
        MeetingAttendance.objects.filter(meeting__in=held_meetings(scope))
        .order_by()
        .values("meeting__young_person__team__code", "agency__code")
        .annotate(invited=Count("id"), attended=Count("id", filter=Q(attended=True)))
    )
    by_team = {code: {} for code in scope.team_codes}
    totals = defaultdict(lambda: [0, 0])
    for row in rows:
        code, agency = row["meeting__young_person__team__code"], row["agency__code"]
        by_team[code][agency] = rate(row["attended"], row["invited"])
        totals[agency][0] += row["attended"]
        totals[agency][1] += row["invited"]
    overall = {
        agency: rate(attended, invited) for agency, (attended, invited) in sorted(totals.items())
    }
    return Result(overall, {code: dict(sorted(values.items())) for code, values in by_team.items()})


@legacy("mean_agencies_attending_by_meeting_number")
def mean_agencies_attending_by_meeting_number(scope):
    earlier = FormulationMeeting.objects.filter(
        young_person=OuterRef("young_person"), status=MeetingStatus.HELD
    ).filter(
        Q(held_on__lt=OuterRef("held_on")) | Q(held_on=OuterRef("held_on"), id__lt=OuterRef("id"))
    )
    attending = MeetingAttendance.objects.filter(meeting=OuterRef("pk"), attended=True)
    meetings = held_meetings(scope).annotate(
        number=Coalesce(
            Subquery(
                earlier.order_by().values("young_person").annotate(n=Count("id")).values("n")[:1]
            ),
            Value(0),
        )
        + 1,
        attending=Coalesce(
            Subquery(
                attending.order_by().values("meeting").annotate(n=Count("id")).values("n")[:1]
            ),
            Value(0),
        ),
    )
    rows = meetings.order_by().values("young_person__team__code", "number", "attending")
    sums = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in rows.annotate(meetings=Count("id")):
        for key in (row["young_person__team__code"], None):
            cell = sums[key][row["number"]]
            cell[0] += row["attending"] * row["meetings"]
            cell[1] += row["meetings"]

    def means(cells):
        return {
            str(number): round_half_up(total / count, 2)
            for number, (total, count) in sorted(cells.items())
        }

    return Result(means(sums[None]), {code: means(sums.get(code, {})) for code in scope.team_codes})
