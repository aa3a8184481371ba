"""Formulation measures: the cohort's formulation meetings and who came to them."""

from collections import defaultdict
from collections.abc import Iterator

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency
from formulation.models import FormulationMeeting, MeetingAttendance, MeetingStatus

from ..facts import COHORT, in_batches
from ..models import AgencyAttendanceFacts, MeetingNumberFacts
from .aggregations import CountOf, Grouped, MedianOf, Run
from .base import Result, as_recorded, measure, rate, round_half_up

GROUP = "formulation"


def attendance_by_agency(run: Run) -> Result:
    """For each agency, attended over invited, from the stored counts per young person and
    agency (`AgencyAttendanceFacts`), added up per team and agency by id (named
    afterwards)."""
    scope = run.scope
    rows = (
        AgencyAttendanceFacts.objects.filter(scope.cohort_filter("young_person__"))
        .order_by()
        .values("agency_id", team=scope.team_at_end("young_person__"))
        .annotate(invited=Sum("invited"), attended=Sum("attended"))
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
    """The agencies that came to each held meeting, by the meeting's number within its young
    person's (`MeetingNumberFacts`), summed per team (by id) and number in the database."""
    scope = run.scope
    rows = (
        MeetingNumberFacts.objects.filter(scope.cohort_filter("young_person__"))
        .order_by()
        .values("number", team=scope.team_at_end("young_person__"))
        .annotate(attending=Sum("agencies_attended"), held=Count("pk"))
    )
    sums = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in rows:
        for key in (scope.team_code_by_id[row["team"]], None):
            cell = sums[key][row["number"]]
            cell[0] += row["attending"]
            cell[1] += row["held"]

    def means(cells):
        return {
            str(number): round_half_up(total / count, 2)
            for number, (total, count) in sorted(cells.items())
        }

    return Result(means(sums[None]), {code: means(sums.get(code, {})) for code in scope.team_codes})


# --- Kept per young person (cases.summary) ---------------------------------------------------


def _held_of(young_person_ids: list[int]):
    return FormulationMeeting.objects.filter(
        young_person_id__in=young_person_ids, status=MeetingStatus.HELD
    ).order_by()


def stored_meeting_numbers(young_person_ids: list[int] | None) -> Iterator[tuple[int, list]]:
    """`MeetingNumberFacts` for these young people (None: every one), in id order: each
    meeting held numbered within the young person's (by date, then as recorded), with the
    agencies that attended, as [{"number", "agencies_attended"}, ...]."""
    for chunk in in_batches(young_person_ids):
        found: dict[int, list[dict]] = {}
        meetings = (
            _held_of(chunk)
            .annotate(attending=Count("attendance", filter=Q(attendance__attended=True)))
            .values(
                "young_person_id",
                "attending",
                number=Window(
                    RowNumber(),
                    partition_by=[F("young_person_id")],
                    order_by=[F("held_on").asc(), F("id").asc()],
                ),
            )
        )
        for row in meetings:
            found.setdefault(row["young_person_id"], []).append(
                {"number": row["number"], "agencies_attended": row["attending"]}
            )
        for pk in chunk:
            yield pk, found.get(pk, [])


def stored_agency_attendance(young_person_ids: list[int] | None) -> Iterator[tuple[int, list]]:
    """`AgencyAttendanceFacts` for these young people (None: every one), in id order: the
    meetings held each agency was invited to and attended, as [{"agency_id", "invited",
    "attended"}, ...]."""
    for chunk in in_batches(young_person_ids):
        found: dict[int, list[dict]] = {}
        counts = (
            MeetingAttendance.objects.filter(meeting__in=_held_of(chunk))
            .order_by()
            .values("agency_id", person=F("meeting__young_person_id"))
            .annotate(invited=Count("pk"), attended=Count("pk", filter=Q(attended=True)))
        )
        for row in counts:
            found.setdefault(row["person"], []).append(
                {
                    "agency_id": row["agency_id"],
                    "invited": row["invited"],
                    "attended": row["attended"],
                }
            )
        for pk in chunk:
            yield pk, found.get(pk, [])


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
