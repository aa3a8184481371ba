"""Formulation measures: the cohort's formulation meetings and who came to them."""

from collections import defaultdict

from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency
from formulation.models import FormulationMeeting, MeetingAttendance, MeetingStatus

from ..facts import COHORT
from .aggregations import CountOf, Grouped, MedianOf, Run
from .base import Result, as_recorded, measure, rate, round_half_up

GROUP = "formulation"


def _held(run: Run):
    return FormulationMeeting.objects.filter(
        run.scope.cohort_filter("young_person__"), status=MeetingStatus.HELD
    ).order_by()


def attendance_by_agency(run: Run) -> Result:
    """For each agency, attended over invited, from one grouped pass over attendance (by the
    team's and the agency's ids, named afterwards)."""
    scope = run.scope
    rows = (
        MeetingAttendance.objects.filter(
            scope.cohort_filter("meeting__young_person__"), meeting__status=MeetingStatus.HELD
        )
        .order_by()
        .values("agency_id", team=scope.team_at_end("meeting__young_person__"))
        .annotate(invited=Count("id"), attended=Count("id", filter=Q(attended=True)))
    )
    agencies = dict(Agency.objects.values_list("pk", "code"))
    by_team = {code: {} for code in scope.team_codes}
    totals = defaultdict(lambda: [0, 0])
    for row in rows:
        code, agency = scope.team_code_by_id[row["team"]], agencies[row["agency_id"]]
        by_team[code][agency] = rate(row["attended"], row["invited"])
        totals[agency][0] += row["attended"]
        totals[agency][1] += row["invited"]
    overall = {
        agency: rate(attended, invited) for agency, (attended, invited) in sorted(totals.items())
    }
    return Result(overall, {code: dict(sorted(values.items())) for code, values in by_team.items()})


def agencies_by_meeting_number(run: Run) -> Result:
    """Each held meeting numbered within its young person's (by date, then as recorded),
    with the agencies that came, summed per team (by id) and number in the database."""
    meetings = (
        _held(run)
        .annotate(attending=Count("attendance", filter=Q(attendance__attended=True)))
        .values(
            "attending",
            team=run.scope.team_at_end("young_person__"),
            number=Window(
                RowNumber(),
                partition_by=[F("young_person_id")],
                order_by=[F("held_on").asc(), F("id").asc()],
            ),
        )
    )
    sql, params = meetings.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT team, number, SUM(attending), COUNT(*)"  # noqa: S608 - compiled ORM SQL
            f" FROM ({sql}) AS meetings GROUP BY team, number",
            params,
        )
        rows = cursor.fetchall()
    sums = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for team, number, attending, held in rows:
        for key in (run.scope.team_code_by_id[team], None):
            cell = sums[key][number]
            cell[0] += attending
            cell[1] += held

    def means(cells):
        return {
            str(number): round_half_up(total / count, 2)
            for number, (total, count) in sorted(cells.items())
        }

    return Result(
        means(sums[None]), {code: means(sums.get(code, {})) for code in run.scope.team_codes}
    )


def meeting_number_label(key) -> str:
    """A meeting's number as the report shows it ("Meeting 2")."""
    key = str(key)
    return gettext("Meeting %(number)s") % {"number": key} if key.isdigit() else key


measure(
    "formulation_meetings",
    group=GROUP,
    kind="count",
    label=_("Formulation meetings"),
    definition=_("Formulation meetings (initial and review) held for cohort members."),
    value=CountOf(COHORT, total="formulation_meetings"),
)
measure(
    "median_days_start_to_first_formulation",
    group=GROUP,
    kind="median",
    base="cohort_size",
    label=_("Median days from start to the first formulation"),
    definition=_(
        "The median number of days from the ECM start to the first formulation "
        "meeting held, over cohort members who have had one."
    ),
    value=MedianOf(
        ExpressionWrapper(
            F("first_formulation_on") - F("ecm_start_date"), output_field=DurationField()
        ),
        COHORT,
    ),
)
measure(
    "attendance_rate_by_agency",
    group=GROUP,
    kind="distribution",
    base="cohort_size",
    category_kind="rate",
    category_label=as_recorded,
    label=_("Formulation attendance by agency"),
    definition=_(
        "For each agency, the share of the held meetings it was invited to that it attended."
    ),
    value=Grouped(attendance_by_agency),
)
measure(
    "mean_agencies_attending_by_meeting_number",
    group=GROUP,
    kind="distribution",
    base="cohort_size",
    category_kind="mean",
    category_label=meeting_number_label,
    label=_("Mean agencies attending, by meeting number"),
    definition=_(
        "For the 1st, 2nd, 3rd … meeting held for each cohort member, the mean "
        "number of agencies that attended."
    ),
    value=Grouped(agencies_by_meeting_number),
)
