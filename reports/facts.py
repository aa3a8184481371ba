"""Per-young-person evaluation facts: what every measure and the case-level dataset are
worked out from (DESIGN.md section 7).

A run reads each input table once, in one grouped *pass* per table: the table's rows for
the young people referred in the run's scope, reduced with conditional aggregates to a few
facts per young person (appointments attended in days 0–90, the first TRM stage, the
consent in place on the start date …). The passes are joined on the young person into a
temporary table read through the unmanaged model `PersonFacts`; it lives on the run's
database connection for as long as `person_facts(scope)` is open. Every measure is an
aggregate over it (reports.measures), and the dataset is a projection of it
(reports.dataset), so "attended in days 0–90" has one definition.

Most facts are worked out per run: they are relative to the run's as-of date, follow-up
months or fidelity window. Two kinds are kept up to date as records change instead
(`cases.summary`, docs/benchmarks.md, eleventh round): the *standing* passes, whose facts no
run parameter changes (eligibility, consent, needs, the plan: `StandingFacts`), and the
appointments pass counted from the ECM start with no as-of date (`AppointmentFacts`), which
a run reads for the young people whose latest appointment is on or before its as-of date,
and less the appointments after it for most of the others (`_split_appointments`).

A pass is an ORM queryset of the table's rows, one per record, with a `person` column and
integer flags computed by the database (so dates, time zones and calendar months work the
same on PostgreSQL and SQLite), plus per-person aggregates written over those columns.
Facts that need "the latest decision" or "the first assessment" rank the rows with a window
function in the same pass.
"""

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber, TruncDate
from django.db.models.lookups import GreaterThan

from accounts.models import CostRole, TrainingAttendance
from cases.models import (
    Appointment,
    Attendance,
    Breach,
    ComplianceDecision,
    ComplianceDecisionKind,
    Consent,
    ConsentParty,
    ConsentPurpose,
    CustodyEpisode,
    Need,
    Offence,
    TRMAssessment,
    YoungPerson,
)
from cases.rules import ACHIEVED_OUTCOMES, ACHIEVEMENT_OUTCOMES, consent_given_filter
from eligibility.models import EligibilityDecision
from formulation.models import (
    FormulationMeeting,
    InterventionItem,
    InterventionStatus,
    MeetingAttendance,
    MeetingKind,
    MeetingStatus,
)
from partners.models import PartnerContact
from supervision.models import OversightEntry, SupervisionNote, SupervisionSession
from supervision.rules import OVERSIGHT_MONTHS

from .models import (
    AppointmentFacts,
    AppointmentPurposeFacts,
    MeetingFacts,
    PersonFacts,
    StandingFacts,
)
from .scope import AddMonths, AgeInYears, Scope

TABLE = PersonFacts._meta.db_table
#: The follow-up months (a report's default) at which the facts of the windowed passes, and
#: the comparison report's (`reports.comparison`), are kept for every young person.
STORED_FOLLOW_UP_MONTHS = 12


def flag(condition: Q) -> Case:
    """1 where `condition` holds for the row, else 0."""
    return Case(When(condition, then=Value(1)), default=Value(0))


def rank(partition: list, order: list) -> Window:
    """1 for the first row of each partition in `order`, 2 for the next …"""
    return Window(RowNumber(), partition_by=partition, order_by=order)


NEWEST_FIRST = [F("decided_on").desc(), F("id").desc()]


def latest_by_start(partition: list) -> Window:
    """1 for the latest decision made on or before the start, newest first: a running count
    of such decisions in the same order as the latest-first rank (the decisions made after
    the start all come before them), so both share one sort."""
    on_or_before = flag(Q(decided_on__lte=F("young_person__ecm_start_date")))
    return Window(Sum(on_or_before), partition_by=partition, order_by=NEWEST_FIRST)


@dataclass(frozen=True)
class Pass:
    """One grouped read of an input table.

    `rows(scope)`: a queryset of the table's records for the young people referred in the
    scope, as `.values()` with a `person` column. `counts` and `values`: fact → SQL
    aggregate over those columns, per person; a count is 0, a value NULL, for a young person
    with no rows.

    `stored(scope)`, if given: how a run reads facts already worked out and kept (a
    `Reading`): most young people's from the stored facts, the rest from their records;
    `rows` is then what a run reading none of them would read.

    `standing`: no run parameter changes the pass's facts (its rows are bounded by no date
    of the run), so every young person's are kept in `StandingFacts` and a run reads them
    from there; `rows` of a scope covering everyone is how they are worked out.

    `windowed`: only the follow-up months change the pass's facts (windows around the ECM
    start, never the as-of date), so they are kept in `StandingFacts` too, worked out at
    `STORED_FOLLOW_UP_MONTHS`; a run with those months reads them, one with other months
    reads the records.
    """

    name: str
    rows: Callable[[Scope], QuerySet]
    counts: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    stored: Callable[[Scope], "Reading"] | None = None
    standing: bool = False
    windowed: bool = False

    def facts(self) -> list[str]:
        return [*self.counts, *self.values]

    def reads_stored(self, scope: Scope) -> bool:
        """Whether a run over `scope` reads this pass's facts from `StandingFacts`."""
        return self.standing or (
            self.windowed and scope.follow_up_months == STORED_FOLLOW_UP_MONTHS
        )


@dataclass(frozen=True)
class Reading:
    """How a run reads a pass with stored facts for the young people referred in its
    scope: `rows`, the records of those whose stored facts do not serve it (the pass's
    rows); `stored`, the stored facts of the others (a `.values()` queryset, one row per
    person, a column per fact); and, if given, `less`: records (the pass's rows) that the
    stored counts include but the run does not, taken away from them (no value fact
    depends on them). Each young person's facts come from `rows` or `stored`, never both.
    """

    rows: QuerySet
    stored: QuerySet
    less: QuerySet | None = None


def sql_of(rows: QuerySet) -> tuple[str, list]:
    """A pass's rows as SQL and its parameters."""
    sql, params = rows.query.sql_with_params()
    return sql, list(params)


def people_rows(scope: Scope) -> QuerySet:
    """The young people referred in the scope: who they are, and whether they are in the
    cohort and the follow-up cohort."""
    return (
        scope.referrals()
        .order_by()
        .values(
            "id",
            "gender",
            "referral_date",
            "ecm_start_date",
            "end_reason",
            "parent_consent_required",
            team_code=scope.team_code_at_end(),
            in_cohort=flag(Q(ecm_start_date__isnull=False)),
            in_followup=flag(Q(ecm_start_date__lte=scope.followup_cutoff)),
            ended=flag(Q(ecm_end_date__isnull=False, ecm_end_date__lte=scope.as_of)),
            age_at_start=AgeInYears(F("date_of_birth"), F("ecm_start_date")),
            practitioner_trained=flag(Exists(ecm_training_by("practitioner_id", "ecm_start_date"))),
        )
    )


def ecm_training_by(user: str, day: str) -> QuerySet:
    """Attendance at an ECM course by the user `user` on or before the date `day` (both
    columns of the outer query): whether they were trained in ECM by then."""
    return TrainingAttendance.objects.filter(
        user_id=OuterRef(user), course__ecm=True, attended_on__lte=OuterRef(day)
    )


def in_ecm(dated: str, scope: Scope, *, person: str = "young_person") -> Q:
    """Dated from the young person's ECM start to the run's as-of date: the time costed."""
    start = F(f"{person}__ecm_start_date")
    return Q(**{f"{dated}__gte": start, f"{dated}__lte": scope.as_of})


def _scoped(model, scope: Scope, *, person: str = "young_person") -> QuerySet:
    return model.objects.filter(scope.referral_filter(f"{person}__")).order_by()


def eligibility_rows(scope: Scope) -> QuerySet:
    """Eligibility decisions, with the result that counts (a manager's override, if any)."""
    person = F("young_person_id")
    return _scoped(EligibilityDecision, scope).values(
        person=person,
        final=Case(
            When(eligibility_override__eligible=True, then=Value(1)),
            When(eligibility_override__eligible=False, then=Value(0)),
            When(eligible=True, then=Value(1)),
            default=Value(0),
        ),
        by_start=flag(Q(decided_on__lte=F("young_person__ecm_start_date"))),
        latest_rank=rank([person], NEWEST_FIRST),
        start_rank=latest_by_start([person]),
    )


def consent_rows(scope: Scope) -> QuerySet:
    each = [F("young_person_id"), F("party"), F("purpose")]
    decisions = {
        f"{who}_{purpose}": flag(Q(party=party, purpose=purpose))
        for who, party in (
            ("own", ConsentParty.YOUNG_PERSON),
            ("parent", ConsentParty.PARENT_CARER),
        )
        for purpose in (ConsentPurpose.PARTICIPATION, ConsentPurpose.EVALUATION)
    }
    return (
        _scoped(Consent, scope)
        .filter(archived_at__isnull=True)
        .values(
            "decision",
            person=F("young_person_id"),
            by_start=flag(Q(decided_on__lte=F("young_person__ecm_start_date"))),
            latest_rank=rank(each, NEWEST_FIRST),
            start_rank=latest_by_start(each),
            **decisions,
        )
    )


def _count(where: str) -> str:
    return f"COUNT(*) FILTER (WHERE {where})"


def _latest(column: str, *, where: str, rank: str = "latest_rank") -> str:
    return f"MAX(CASE WHEN {rank} = 1 AND {where} = 1 THEN {column} END)"


class LocalDate(Func):
    """The calendar day of a moment in the service's time zone.

    On PostgreSQL, the day in the session's time zone, which `person_facts` sets to the
    service's for its transaction: the same day as TruncDate gives, at a fraction of the
    cost over millions of appointments (it looks the zone up once, not once a row).
    """

    output_field = DateField()

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(TruncDate(*self.source_expressions))

    def as_postgresql(self, compiler, connection, **extra_context):
        moment, params = compiler.compile(self.source_expressions[0])
        return f"({moment})::date", params


def ServiceDate(moment: str) -> TruncDate:  # noqa: N802 (used as LocalDate is)
    """The calendar day of a moment in the service's time zone, named in the query: for
    queries outside a run, whose session keeps the connection's time zone (LocalDate)."""
    return TruncDate(moment, tzinfo=ZoneInfo(settings.TIME_ZONE))


class DaysSince(Func):
    """Whole days from the date `since` to the date `day`."""

    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        day, day_params = compiler.compile(self.source_expressions[0])
        since, since_params = compiler.compile(self.source_expressions[1])
        sql = f"CAST(julianday({day}) - julianday({since}) AS INTEGER)"
        return sql, (*day_params, *since_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        day, day_params = compiler.compile(self.source_expressions[0])
        since, since_params = compiler.compile(self.source_expressions[1])
        return f"(({day})::date - ({since})::date)", (*day_params, *since_params)


def _appointments_from_start(
    appointments: QuerySet, *, until: date | None, day_of: Callable[[str], Func] = LocalDate
) -> QuerySet:
    """The live `appointments` dated from the young person's ECM start (to the day `until`,
    if given), with the day of each counted from the start: the appointments pass's rows.
    `day_of`: how the calendar day of a moment is found (`LocalDate` in a run, which sets
    the session's time zone; `ServiceDate` anywhere else)."""
    start = F("young_person__ecm_start_date")
    rows = (
        appointments.filter(archived_at__isnull=True)
        .annotate(day=DaysSince(day_of("starts_at"), start))
        .filter(day__gte=0)
    )
    if until is not None:
        rows = rows.filter(day__lte=DaysSince(Value(until), start))
    return rows.values(
        "day",
        "starts_at",
        person=F("young_person_id"),
        attended=flag(Q(attendance=Attendance.ATTENDED)),
        missed=flag(Q(attendance=Attendance.DID_NOT_ATTEND)),
        rated=flag(Q(engagement__isnull=False)),
        outcome_coded=flag(Q(outcome_code__in=ACHIEVEMENT_OUTCOMES)),
        achieved=flag(Q(outcome_code__in=ACHIEVED_OUTCOMES)),
        duration=F("duration_minutes"),
    )


def _as_of_day(scope: Scope, person: str = "young_person__") -> DaysSince:
    """The as-of date in days from the young person's ECM start (on a model that reaches
    them through `person`). A young person's stored appointment facts (`AppointmentFacts`)
    cover a run when their latest counted appointment (`latest_day`) is on or before it:
    then they hold the same facts as the appointments up to that date."""
    return DaysSince(Value(scope.as_of), F(f"{person}ecm_start_date"))


def appointment_rows(scope: Scope) -> QuerySet:
    """Appointments dated from the young person's ECM start to the as-of date, with the day
    of each counted from the start."""
    return _appointments_from_start(_scoped(Appointment, scope), until=scope.as_of)


@dataclass(frozen=True)
class _Split:
    """Whose appointments a run reads how, as conditions on records with a young person
    (`_appointments_split`)."""

    #: Those read from their appointments.
    read: Q
    #: Everyone else, read from their stored facts.
    stored: Q
    #: Those of them whose stored facts count appointments after the as-of date.
    less: Q


def _rated_after(scope: Scope) -> Subquery:
    """On young people: a live appointment of theirs rated on or after the as-of date
    (which the stored first and last ratings may be), or NULL. A subquery taking the
    first, so that PostgreSQL looks it up for each young person listed, by index, rather
    than reading every later appointment to hash them all."""
    return Subquery(
        Appointment.objects.filter(
            young_person_id=OuterRef("pk"),
            archived_at__isnull=True,
            engagement__isnull=False,
            starts_at__gte=_day_starts(scope.as_of),
        )
        .order_by()
        .values("pk")[:1]
    )


def _day_starts(day: date) -> datetime:
    """The first moment of `day` in the service's time zone: every appointment dated on or
    after `day` starts then or later."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


#: While a run's facts are open (`person_facts`): the splits worked out in it, by scope.
#: Its facts table and the counts by purpose it reads then split alike, with one listing
#: query rather than two (which an appointment logged in between could make differ).
_splits: ContextVar[dict[Scope, _Split] | None] = ContextVar("appointment_splits", default=None)


def _appointments_split(scope: Scope) -> _Split:
    """`_split_appointments(scope)`, once per open run."""
    kept = _splits.get()
    if kept is None:
        return _split_appointments(scope)
    if scope not in kept:
        kept[scope] = _split_appointments(scope)
    return kept[scope]


def _split_appointments(scope: Scope) -> _Split:
    """Whose appointments a run over `scope` reads how. A young person's stored facts count
    every appointment from their ECM start; where their latest is on or before the as-of
    date, they are what the run counts. Where some are later (a next appointment booked),
    the run takes the later ones away from the stored counts, unless one is rated (the
    stored first and last ratings may be theirs): then, as for anyone with no stored
    facts, it reads the appointments.

    Those young people are listed first (one query), so that the database reads their
    appointments by index; asked as a condition on each appointment, PostgreSQL cannot
    tell how few they are and reads every appointment (docs/benchmarks.md). More than
    `LISTED_AT_MOST` are picked by subqueries instead."""
    unstored = Q(appointment_facts__isnull=True)
    later = Q(appointment_facts__latest_day__gt=_as_of_day(scope, person=""))
    listed = (
        scope.referrals()
        .filter(unstored | later)
        .annotate(rated_after=_rated_after(scope))
        .annotate(
            read=Case(
                When(unstored, then=True),
                When(rated_after__isnull=False, then=True),
                default=False,
                output_field=BooleanField(),
            )
        )
        .order_by("pk")
    )
    found = list(listed.values_list("pk", "read")[: LISTED_AT_MOST + 1])
    if len(found) > LISTED_AT_MOST:
        read = Q(young_person_id__in=listed.filter(read=True).values("pk"))
        less = Q(young_person_id__in=listed.filter(read=False).values("pk"))
        return _Split(read, ~read, less)
    read_ids = [pk for pk, read in found if read]
    less_ids = [pk for pk, read in found if not read]
    return _Split(
        _among(read_ids), ~Q(young_person_id__in=read_ids) if read_ids else Q(), _among(less_ids)
    )


def _among(ids: list[int]) -> Q:
    """Records of these young people; with none, a condition no record meets (an empty
    list has no SQL)."""
    return Q(young_person_id__in=ids) if ids else Q(pk__isnull=True)


def _after_as_of(appointments: QuerySet, scope: Scope) -> QuerySet:
    """The appointments pass's rows of `appointments` dated after the as-of date (found
    through the young person and start time's index)."""
    return _appointments_from_start(
        appointments.filter(starts_at__gte=_day_starts(scope.as_of)).order_by(), until=None
    ).filter(day__gt=_as_of_day(scope))


def appointment_reading(scope: Scope) -> Reading:
    """The appointments pass of a run over `scope`: most young people's facts from their
    `AppointmentFacts`, less the appointments after the as-of date where they count some
    (`_appointments_split`)."""
    return _reading(scope, _appointments_split(scope))


def _reading(scope: Scope, split: _Split) -> Reading:
    stored = (
        AppointmentFacts.objects.filter(split.stored, scope.referral_filter("young_person__"))
        .order_by()
        .values(*APPOINTMENT_FACTS, person=F("young_person_id"))
    )
    return Reading(
        rows=_appointments_from_start(
            Appointment.objects.filter(split.read).order_by(), until=scope.as_of
        ),
        stored=stored,
        less=_after_as_of(Appointment.objects.filter(split.less), scope),
    )


#: The most young people `_listed` names one by one (well under SQLite's limit on a
#: statement's parameters); a run as of a date long past can have more to read.
LISTED_AT_MOST = 20_000


def _listed(people: QuerySet) -> Q:
    """A condition on records with a `young_person`: theirs of `people` (young people), who
    are listed first (one query) so that the database reads their records by index; more
    than `LISTED_AT_MOST` are picked by a subquery instead."""
    ids = list(people.order_by("pk").values_list("pk", flat=True)[: LISTED_AT_MOST + 1])
    if len(ids) > LISTED_AT_MOST:
        return Q(young_person_id__in=people.order_by().values("pk"))
    return _among(ids)


def purpose_counts(scope: Scope, *, among: Q | None = None, **group) -> Iterator[dict]:
    """The appointments counted in the fact "appointments" (of the young people referred in
    the scope, and `among`: a condition through "young_person"), by purpose and by `group`
    (expressions through "young_person__"): rows of {**group, "category": the purpose's id,
    "n"}; a group may have several rows, to be added up (and a total of 0 left out).

    Each young person's come from where the appointments pass reads theirs
    (`_appointments_split`): their stored counts (`AppointmentPurposeFacts`), less their
    appointments after the as-of date (rows with `n` below 0), or their appointments.
    Reading four million appointments grouped by team and purpose was the largest
    statement of a national report after the facts table (docs/benchmarks.md)."""
    among = among or Q()
    appointments = next(each for each in PASSES if each.name == "appointments")
    if appointments.stored is None:  # the pass reads every appointment (as the tests make it)
        read = appointments.rows(scope)
        stored = AppointmentPurposeFacts.objects.none()
        less = Appointment.objects.none()
    else:
        # The appointments the pass reads and takes away; the stored counts of the others.
        split = _appointments_split(scope)
        reading = _reading(scope, split)
        read, less = reading.rows, reading.less
        stored = AppointmentPurposeFacts.objects.filter(
            split.stored, scope.referral_filter("young_person__")
        )
    counted = Q(among, purpose_category__isnull=False)
    by_purpose = {**group, "category": F("purpose_category_id")}
    queries = (
        read.filter(counted).values(**by_purpose).annotate(n=Count("pk")),
        stored.filter(among)
        .order_by()
        .values(**group, category=F("purpose_id"))
        .annotate(n=Sum("appointments")),
        less.filter(counted).values(**by_purpose).annotate(n=-Count("pk")),
    )
    for query in queries:
        yield from query.iterator(chunk_size=STORED_BATCH)


def _rated_at(order: str):
    """The engagement rating of the appointment rated at the fact `first_rated_at` (or
    `last_rated_at`); of two at the same moment, the first (or last) recorded."""
    return Subquery(
        Appointment.objects.filter(
            young_person_id=OuterRef("pk"),
            starts_at=OuterRef(f"{order}_rated_at"),
            engagement__isnull=False,
            archived_at__isnull=True,
        )
        .order_by("id" if order == "first" else "-id")
        .values("engagement")[:1]
    )


def _engagement(facts: QuerySet) -> None:
    """Completes the appointments pass: the rating at the first and last rated appointment,
    looked up by young person and moment on the appointments' index rather than by
    sorting every appointment (the stored facts have theirs already)."""
    facts.filter(first_rated_at__isnull=False, engagement_first__isnull=True).update(
        engagement_first=_rated_at("first"), engagement_last=_rated_at("last")
    )


def _window(months: int, *, after: bool) -> Q:
    """The before window (`months` calendar months up to the day before the start) or the
    after window (the start to `months` months after it, inclusive), on `dated`."""
    start = F("young_person__ecm_start_date")
    if after:
        return Q(dated__gte=start, dated__lte=AddMonths(start, months))
    return Q(dated__gte=AddMonths(start, -months), dated__lt=start)


def _dated_rows(model, date_field: str, *columns: str):
    """Records dated in a window around the start: `before_12m`, `before` and `after` flags."""

    def rows(scope: Scope) -> QuerySet:
        months = scope.follow_up_months
        return (
            _scoped(model, scope)
            .filter(archived_at__isnull=True)
            .annotate(dated=F(date_field))
            .values(
                *columns,
                person=F("young_person_id"),
                before_12m=flag(_window(12, after=False)),
                before=flag(_window(months, after=False)),
                after=flag(_window(months, after=True)),
            )
        )

    return rows


def need_rows(scope: Scope) -> QuerySet:
    return (
        _scoped(Need, scope)
        .filter(archived_at__isnull=True)
        .values("category_id", person=F("young_person_id"))
    )


def meeting_rows(scope: Scope) -> QuerySet:
    """Formulation meetings held."""
    in_window = Q(
        kind=MeetingKind.INITIAL,
        held_on__gte=F("young_person__ecm_start_date"),
        held_on__lte=ExpressionWrapper(
            F("young_person__ecm_start_date") + timedelta(days=scope.fidelity_window_days),
            output_field=DateField(),
        ),
    )
    agencies_attended = (
        MeetingAttendance.objects.filter(meeting_id=OuterRef("pk"), attended=True)
        .order_by()
        .values("meeting_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        _scoped(FormulationMeeting, scope)
        .filter(status=MeetingStatus.HELD)
        .values(
            "held_on",
            person=F("young_person_id"),
            initial_in_window=flag(in_window),
            costed=flag(in_ecm("held_on", scope)),
            minutes=F("duration_minutes"),
            agency_minutes=F("duration_minutes") * Subquery(agencies_attended),
        )
    )


def _meetings_covered(scope: Scope) -> Q:
    """On `MeetingFacts`: stored facts that hold what a run over `scope` would work out from
    the meetings (worked out with its window, and no costed meeting after its as-of date)."""
    return Q(window_days=scope.fidelity_window_days) & (
        Q(latest_costed_on__isnull=True) | Q(latest_costed_on__lte=scope.as_of)
    )


def _meetings_stored(scope: Scope) -> bool:
    """Whether a run reads stored meeting facts at all: only with the window for the first
    formulation that they are worked out with now (a run with another reads every
    young person's meetings)."""
    return scope.fidelity_window_days == settings.ECM_FORMULATION_WINDOW_DAYS


def unstored_meeting_rows(scope: Scope) -> QuerySet:
    """`meeting_rows` of the young people referred in the scope whose stored meeting facts
    do not cover the run (listed first, as `_appointments_split` does)."""
    if not _meetings_stored(scope):
        return meeting_rows(scope)
    covered = MeetingFacts.objects.filter(_meetings_covered(scope)).values("young_person_id")
    return meeting_rows(scope).filter(_listed(scope.referrals().exclude(pk__in=covered)))


def stored_meeting_rows(scope: Scope) -> QuerySet:
    """The stored meeting facts of the young people referred in the scope whose facts cover
    the run (those with no meeting held left out: all their facts are nothing)."""
    stored = MeetingFacts.objects.all()
    if not _meetings_stored(scope):
        # None of them, as a condition that has SQL (the facts query joins it).
        stored = stored.filter(young_person__isnull=True)
    return (
        stored.filter(
            _meetings_covered(scope),
            scope.referral_filter("young_person__"),
            formulation_meetings__gt=0,
        )
        .order_by()
        .values(*MEETING_FACTS, person=F("young_person_id"))
    )


def meeting_reading(scope: Scope) -> Reading:
    """The meetings pass of a run over `scope`: the stored facts where they cover it, the
    meetings otherwise."""
    return Reading(rows=unstored_meeting_rows(scope), stored=stored_meeting_rows(scope))


def trm_rows(scope: Scope) -> QuerySet:
    person = F("young_person_id")
    return (
        _scoped(TRMAssessment, scope)
        .filter(archived_at__isnull=True)
        .values(
            person=person,
            stage_number=F("stage__number"),
            first_rank=rank([person], [F("assessed_on").asc(), F("id").asc()]),
            assessments=Window(Count("id"), partition_by=[person]),
        )
    )


def compliance_rows(scope: Scope) -> QuerySet:
    """Live compliance decisions on appointments missed from the ECM start, decided by the
    as-of date: whether each is breach proceedings, and the days from the missed
    appointment to the decision."""
    missed_on = LocalDate("appointment__starts_at")
    return (
        _scoped(ComplianceDecision, scope)
        .filter(archived_at__isnull=True, appointment__archived_at__isnull=True)
        .annotate(day=DaysSince(missed_on, F("young_person__ecm_start_date")))
        .filter(day__gte=0, decided_on__lte=scope.as_of)
        .values(
            person=F("young_person_id"),
            breach_proceedings=flag(Q(decision=ComplianceDecisionKind.BREACH_PROCEEDINGS)),
            days=DaysSince(F("decided_on"), missed_on),
        )
    )


#: A plan item a partner agency owns: one with a responsible agency recorded.
PARTNER_OWNED = Q(agency__isnull=False)


def plan_rows(scope: Scope) -> QuerySet:
    """Plan items, flagged when a partner agency owns them, and when those are done."""
    return _scoped(InterventionItem, scope).values(
        person=F("young_person_id"),
        partner=flag(PARTNER_OWNED),
        partner_done=flag(PARTNER_OWNED & Q(status=InterventionStatus.DONE)),
    )


def during_ecm(dated: str, scope: Scope, *, person: str = "young_person") -> Q:
    """Dated from the young person's ECM start to its end, or to the run's as-of date for a
    case still open then (or ended after it)."""
    end = f"{person}__ecm_end_date"
    return in_ecm(dated, scope, person=person) & (
        Q(**{f"{end}__isnull": True}) | Q(**{f"{dated}__lte": F(end)})
    )


def after_ecm(dated: str, scope: Scope, *, person: str = "young_person") -> Q:
    """Dated after the young person's ECM ended: from the day after the end date to the
    follow-up months after it (inclusive), and not after the run's as-of date."""
    end = F(f"{person}__ecm_end_date")
    return Q(
        **{
            f"{dated}__gt": end,
            f"{dated}__lte": AddMonths(end, scope.follow_up_months),
        }
    ) & Q(**{f"{dated}__lte": scope.as_of})


def partner_contact_rows(scope: Scope) -> QuerySet:
    """Partner agencies' contacts with the young person, flagged when dated during ECM and
    when dated in the months after it ended."""
    return _scoped(PartnerContact, scope).values(
        "agency_id",
        person=F("young_person_id"),
        during=flag(during_ecm("contact_on", scope)),
        after_end=flag(after_ecm("contact_on", scope)),
    )


#: On a session's link to a case it discussed: how many cases the session discussed, in the
#: scope or not (`supervision.case_counts`). A case's share of its minutes is minutes / this.
SESSION_CASES = F("supervisionsession__case_count__cases")


def supervision_rows(scope: Scope) -> QuerySet:
    """The cases each supervision session discussed, costed when the session was held from
    the case's ECM start to the as-of date, with the session's minutes and how many cases
    it discussed."""
    discussed = SupervisionSession.cases.through
    return _scoped(discussed, scope, person="youngperson").values(
        person=F("youngperson_id"),
        costed=flag(in_ecm("supervisionsession__held_on", scope, person="youngperson")),
        minutes=F("supervisionsession__duration_minutes"),
        cases=SESSION_CASES,
    )


def supervision_note_rows(scope: Scope) -> QuerySet:
    """Notes clinical supervision wrote on the case record (up to the as-of date)."""
    return (
        _scoped(SupervisionNote, scope)
        .filter(session__held_on__lte=scope.as_of)
        .values(person=F("young_person_id"))
    )


def oversight_rows(scope: Scope) -> QuerySet:
    """Management oversight entries up to the as-of date, flagged when within the 3
    calendar months before it (supervision.rules.OVERSIGHT_MONTHS)."""
    recent = Q(reviewed_on__gte=AddMonths(Value(scope.as_of), -OVERSIGHT_MONTHS))
    return (
        _scoped(OversightEntry, scope)
        .filter(reviewed_on__lte=scope.as_of)
        .values(person=F("young_person_id"), recent=flag(recent))
    )


PASSES = (
    Pass(
        "eligibility",
        eligibility_rows,
        standing=True,
        values={
            "eligible_latest": "MAX(CASE WHEN latest_rank = 1 THEN final END)",
            "eligible_on_start": _latest("final", where="by_start", rank="start_rank"),
        },
    ),
    Pass(
        "consent",
        consent_rows,
        standing=True,
        values={
            "participation": _latest("decision", where="own_participation"),
            "participation_on_start": "MAX(CASE WHEN start_rank = 1 AND by_start = 1"
            " AND own_participation = 1 THEN decision END)",
            "parent_participation_on_start": "MAX(CASE WHEN start_rank = 1 AND by_start = 1"
            " AND parent_participation = 1 THEN decision END)",
            "evaluation": _latest("decision", where="own_evaluation"),
            "parent_evaluation": _latest("decision", where="parent_evaluation"),
        },
    ),
    Pass(
        "appointments",
        appointment_rows,
        stored=appointment_reading,
        counts={
            "appointments": "COUNT(*)",
            "attended": _count("attended = 1"),
            "did_not_attend": _count("missed = 1"),
            "attended_days_0_90": _count("attended = 1 AND day <= 90"),
            "did_not_attend_days_0_90": _count("missed = 1 AND day <= 90"),
            "attended_days_91_180": _count("attended = 1 AND day BETWEEN 91 AND 180"),
            "did_not_attend_days_91_180": _count("missed = 1 AND day BETWEEN 91 AND 180"),
            "attended_outcome_coded": _count("attended = 1 AND outcome_coded = 1"),
            "attended_achieved": _count("attended = 1 AND achieved = 1"),
            "attended_minutes": "SUM(duration) FILTER (WHERE attended = 1)",
        },
        values={
            "first_rated_at": "MIN(starts_at) FILTER (WHERE rated = 1)",
            "last_rated_at": "MAX(starts_at) FILTER (WHERE rated = 1)",
            # Filled in by _engagement once the table is made.
            "engagement_first": "CAST(NULL AS INTEGER)",
            "engagement_last": "CAST(NULL AS INTEGER)",
        },
    ),
    Pass(
        "offences",
        _dated_rows(Offence, "committed_on", "gravity"),
        windowed=True,
        counts={
            "offences_12m_before_start": _count("before_12m = 1"),
            "offences_before": _count("before = 1"),
            "offences_after": _count("after = 1"),
            "gravity_before": "SUM(gravity) FILTER (WHERE before = 1)",
            "gravity_after": "SUM(gravity) FILTER (WHERE after = 1)",
        },
        values={
            "highest_gravity_before": "MAX(gravity) FILTER (WHERE before = 1)",
            "highest_gravity_after": "MAX(gravity) FILTER (WHERE after = 1)",
        },
    ),
    Pass(
        "breaches",
        _dated_rows(Breach, "breach_date"),
        windowed=True,
        counts={"breaches_before": _count("before = 1"), "breaches_after": _count("after = 1")},
    ),
    Pass(
        "custody",
        _dated_rows(CustodyEpisode, "start_date"),
        windowed=True,
        counts={"custody_after": _count("after = 1")},
    ),
    Pass("needs", need_rows, counts={"needs": "COUNT(DISTINCT category_id)"}, standing=True),
    Pass(
        "meetings",
        meeting_rows,
        stored=meeting_reading,
        counts={
            "formulation_meetings": "COUNT(*)",
            "initial_formulation_in_window": "MAX(initial_in_window)",
            "meeting_minutes": "SUM(minutes) FILTER (WHERE costed = 1)",
            "meeting_agency_minutes": "SUM(agency_minutes) FILTER (WHERE costed = 1)",
        },
        values={"first_formulation_on": "MIN(held_on)"},
    ),
    Pass(
        "trm",
        trm_rows,
        counts={"trm_assessments": "COUNT(*)"},
        values={
            "trm_first_stage": "MAX(CASE WHEN first_rank = 1 THEN stage_number END)",
            "trm_latest_stage": "MAX(CASE WHEN first_rank = assessments THEN stage_number END)",
        },
    ),
    Pass(
        "compliance",
        compliance_rows,
        counts={
            "compliance_decisions": "COUNT(*)",
            "compliance_without_breach": _count("breach_proceedings = 0"),
            "compliance_days_total": "SUM(days)",
        },
    ),
    Pass(
        "plan",
        plan_rows,
        standing=True,
        counts={
            "planned_interventions": "COUNT(*)",
            "partner_plan_items": "SUM(partner)",
            "partner_plan_items_done": "SUM(partner_done)",
        },
    ),
    Pass(
        "partner_contacts",
        partner_contact_rows,
        counts={
            "partner_contacts": _count("during = 1"),
            "partner_agencies_after_end": (
                "COUNT(DISTINCT CASE WHEN after_end = 1 THEN agency_id END)"
            ),
        },
    ),
    Pass(
        "supervision",
        supervision_rows,
        counts={
            "supervision_sessions": "COUNT(*)",
            "supervision_minutes": "SUM(minutes * 1.0 / cases) FILTER (WHERE costed = 1)",
        },
    ),
    Pass("supervision_notes", supervision_note_rows, counts={"supervision_notes": "COUNT(*)"}),
    Pass(
        "oversight",
        oversight_rows,
        counts={
            "oversight_entries": "COUNT(*)",
            "oversight_in_last_3_months": "MAX(recent)",
        },
    ),
)

# --- Stored appointment facts (kept by cases.summary) -------------------------------------------

APPOINTMENTS = next(each for each in PASSES if each.name == "appointments")
#: The appointments pass's facts, which `AppointmentFacts` stores under the same names.
APPOINTMENT_FACTS = APPOINTMENTS.facts()
#: Young people whose stored appointment facts one statement works out.
STORED_BATCH = 2_000


def _rating(*, first: bool) -> Subquery:
    """The young person's (`OuterRef("pk")`) rating at their first (or last) rated
    appointment from the ECM start; of two at the same moment, the first (or last)
    recorded: as `_rated_at` finds it in a run."""
    order = ("starts_at", "id") if first else ("-starts_at", "-id")
    rated = (
        Appointment.objects.filter(
            young_person_id=OuterRef("pk"), archived_at__isnull=True, engagement__isnull=False
        )
        .annotate(day=DaysSince(ServiceDate("starts_at"), OuterRef("ecm_start_date")))
        .filter(day__gte=0)
        .order_by(*order)
        .values("engagement")[:1]
    )
    return Subquery(rated, output_field=IntegerField())


def _grouped(model, each: Pass, rows: QuerySet, facts: dict[str, str]) -> dict[int, dict]:
    """{young person id: {fact: value}}: `facts` (name → aggregate, a count 0 when there is
    nothing to count) over the pass's `rows`, for each young person who has any, read
    through `model` (a raw query, so that dates and times come back as Python values; in
    the connection's own time zone, which is what the database driver expects moments in)."""
    rows_sql, rows_params = sql_of(rows)
    quote = connection.ops.quote_name
    aggregates = ", ".join(
        f"{f'COALESCE({sql}, 0)' if name in each.counts else sql} AS {quote(name)}"
        for name, sql in facts.items()
    )
    # Only the ORM's compiled SQL and the fact names go into the text.
    select = (
        f"SELECT person AS young_person_id, {aggregates}"  # noqa: S608
        f" FROM ({rows_sql}) AS pass_rows GROUP BY person"
    )
    return {
        row.young_person_id: {name: getattr(row, name) for name in facts}
        for row in model.objects.raw(select, rows_params)
    }


def _stored_facts_of(young_person_ids: list[int]) -> Iterator[tuple[int, dict]]:
    grouped = {**APPOINTMENTS.counts, **APPOINTMENTS.values, "latest_day": "MAX(day)"}
    del grouped["engagement_first"], grouped["engagement_last"]
    # `ServiceDate`: the day in the service's time zone, named in the query.
    rows = _appointments_from_start(
        Appointment.objects.filter(young_person_id__in=young_person_ids).order_by(),
        until=None,
        day_of=ServiceDate,
    )
    found = _grouped(AppointmentFacts, APPOINTMENTS, rows, grouped)
    rated = [pk for pk, facts in found.items() if facts["first_rated_at"] is not None]
    ratings = {
        pk: (first, last)
        for pk, first, last in YoungPerson._base_manager.filter(pk__in=rated)
        .annotate(first=_rating(first=True), last=_rating(first=False))
        .values_list("pk", "first", "last")
    }
    empty = {name: 0 if name in APPOINTMENTS.counts else None for name in grouped}
    for pk in young_person_ids:
        first, last = ratings.get(pk, (None, None))
        yield pk, {**found.get(pk, empty), "engagement_first": first, "engagement_last": last}


def stored_purpose_counts(young_person_ids: list[int] | None) -> Iterator[tuple[int, list]]:
    """`AppointmentPurposeFacts` for these young people (None: every one), in id order:
    their live appointments from the ECM start, with no as-of date, counted by purpose
    (those with none recorded left out), as [{"purpose_id", "appointments"}, ...]."""
    for chunk in in_batches(young_person_ids):
        counts: dict[int, list[dict]] = {}
        rows = _appointments_from_start(
            Appointment.objects.filter(
                young_person_id__in=chunk, purpose_category__isnull=False
            ).order_by(),
            until=None,
            day_of=ServiceDate,
        )
        for person, purpose, n in (
            rows.values("person", category=F("purpose_category_id"))
            .annotate(n=Count("pk"))
            .values_list("person", "category", "n")
        ):
            counts.setdefault(person, []).append({"purpose_id": purpose, "appointments": n})
        for pk in chunk:
            yield pk, counts.get(pk, [])


def stored_appointment_facts(young_person_ids: list[int] | None) -> Iterator[tuple[int, dict]]:
    """`AppointmentFacts` for these young people (None: every one), in id order: the
    appointments pass over all their live appointments from the ECM start, with no as-of
    date, and the day of the latest of them (`cases.summary` stores these)."""
    for chunk in in_batches(young_person_ids):
        yield from _stored_facts_of(chunk)


# --- Stored meeting facts (kept by cases.summary) -----------------------------------------------

MEETINGS = next(each for each in PASSES if each.name == "meetings")
#: The meetings pass's facts, which `MeetingFacts` stores under the same names.
MEETING_FACTS = MEETINGS.facts()


def stored_meeting_facts(young_person_ids: list[int] | None) -> Iterator[tuple[int, dict]]:
    """`MeetingFacts` for these young people (None: every one), in id order: the meetings
    pass over every meeting held, with no as-of date (minutes costed from the ECM start on)
    and the default window for the first formulation, and the latest costed meeting's day
    (`cases.summary` stores these)."""
    window = settings.ECM_FORMULATION_WINDOW_DAYS
    unbounded = Scope(
        date_from=date.min, date_to=date.max, as_of=date.max, fidelity_window_days=window
    )
    grouped = {
        **MEETINGS.counts,
        **MEETINGS.values,
        "latest_costed_on": "MAX(CASE WHEN costed = 1 THEN held_on END)",
    }
    empty = {name: 0 if name in MEETINGS.counts else None for name in grouped}
    for chunk in in_batches(young_person_ids):
        rows = meeting_rows(unbounded).filter(young_person_id__in=chunk)
        found = _grouped(MeetingFacts, MEETINGS, rows, grouped)
        for pk in chunk:
            yield pk, {**found.get(pk, empty), "window_days": window}


# --- Standing facts (kept by cases.summary) -----------------------------------------------------

STANDING = [each for each in PASSES if each.standing or each.windowed]
#: The standing passes' facts, which `StandingFacts` stores under the same names.
STANDING_FACTS = [name for each in STANDING for name in each.facts()]
#: Every young person, referred on any day: the scope the standing facts are worked out in
#: (its as-of date is never read: the standing passes have none), at the stored months.
EVERYONE = Scope(date_from=date.min, date_to=date.max, follow_up_months=STORED_FOLLOW_UP_MONTHS)


def _standing_facts_of(young_person_ids: list[int]) -> Iterator[tuple[int, dict]]:
    people = YoungPerson._base_manager.filter(pk__in=young_person_ids).order_by().values("id")
    sql, params = people.query.sql_with_params()
    params = list(params)
    selected = ["people.id AS young_person_id"]
    joins = []
    for each in STANDING:
        rows = each.rows(EVERYONE).filter(young_person_id__in=young_person_ids)
        join, rows_params, alias = _pass_join(each, rows, {**each.counts, **each.values})
        joins.append(join)
        params.extend(rows_params)
        selected += [_fact_column(each, name, alias) for name in each.facts()]
    # Only the ORM's compiled SQL and the fact names go into the text.
    select = (
        f"SELECT {', '.join(selected)} FROM ({sql}) AS people {' '.join(joins)}"  # noqa: S608
        f" ORDER BY people.id"
    )
    for row in StandingFacts.objects.raw(select, params):
        yield row.young_person_id, {name: getattr(row, name) for name in STANDING_FACTS}


def stored_standing_facts(young_person_ids: list[int] | None) -> Iterator[tuple[int, dict]]:
    """`StandingFacts` for these young people (None: every one), in id order: the standing
    passes over all their records (`cases.summary` stores these)."""
    for chunk in in_batches(young_person_ids):
        yield from _standing_facts_of(chunk)


def in_batches(young_person_ids: list[int] | None) -> Iterator[list[int]]:
    """These young people's ids (None: every young person's), `STORED_BATCH` at a time."""
    if young_person_ids is None:
        young_person_ids = list(
            YoungPerson._base_manager.order_by("pk").values_list("pk", flat=True)
        )
    for start in range(0, len(young_person_ids), STORED_BATCH):
        yield young_person_ids[start : start + STORED_BATCH]


def _temporary_table() -> str:
    schema = "pg_temp" if connection.vendor == "postgresql" else "temp"
    return f"{schema}.{connection.ops.quote_name(TABLE)}"


def _pass_join(each: Pass, rows: QuerySet, facts: dict[str, str], *, suffix: str = "facts"):
    """(a LEFT JOIN to `people` of the pass's `facts` (name → aggregate) over `rows`,
    grouped per person; its parameters; its alias, the pass's name and `suffix`)."""
    quote = connection.ops.quote_name
    rows_sql, rows_params = sql_of(rows)
    aggregates = ", ".join(f"{sql} AS {quote(name)}" for name, sql in facts.items())
    alias = quote(f"{each.name}_{suffix}")
    join = (
        f"LEFT JOIN (SELECT person, {aggregates} FROM ({rows_sql}) AS pass_rows"  # noqa: S608
        f" GROUP BY person) AS {alias} ON {alias}.person = people.id"
    )
    return join, rows_params, alias


def _fact_column(each: Pass, name: str, *sources: str, less: str | None = None) -> str:
    """The fact `name` from the first of the joined `sources` that has it (a young person's
    facts are in one of them, never two); a count with nothing to count is 0. `less`: the
    joined counts to take away from a count of the second source (the stored facts)."""
    quote = connection.ops.quote_name
    columns = [f"{source}.{quote(name)}" for source in sources]
    if name in each.counts:
        if less is not None:
            columns[1] = f"{columns[1]} - COALESCE({less}.{quote(name)}, 0)"
        columns.append("0")
    value = columns[0] if len(columns) == 1 else f"COALESCE({', '.join(columns)})"
    return f"{value} AS {quote(name)}"


def facts_query(scope: Scope, wanted: Collection[str] | None = None) -> tuple[str, list]:
    """The SELECT that makes one row of facts per young person referred in the scope: the
    `wanted` facts (every one by default; the others are NULL, and a pass none of whose
    facts is wanted is left out). Standing passes, and windowed ones at the stored months,
    are read from `StandingFacts`."""
    quote = connection.ops.quote_name
    sql, params = people_rows(scope).query.sql_with_params()
    selected = ["people.*"]
    joins = []
    params = list(params)
    standing = quote("standing_facts")
    for each in PASSES:
        facts = {
            name: sql
            for name, sql in {**each.counts, **each.values}.items()
            if wanted is None or name in wanted
        }
        selected += [f"NULL AS {quote(name)}" for name in each.facts() if name not in facts]
        if not facts:
            continue
        if each.reads_stored(scope):
            if not any(standing in join for join in joins):
                table = quote(StandingFacts._meta.db_table)
                joins.append(
                    f"LEFT JOIN {table} AS {standing} ON {standing}.young_person_id = people.id"
                )
            selected += [_fact_column(each, name, standing) for name in facts]
            continue
        reading = each.stored(scope) if each.stored is not None else None
        join, rows_params, alias = _pass_join(
            each, reading.rows if reading else each.rows(scope), facts
        )
        joins.append(join)
        params.extend(rows_params)
        sources, less = [alias], None
        if reading is not None:
            stored_sql, stored_params = sql_of(reading.stored)
            stored = quote(f"{each.name}_stored")
            joins.append(f"LEFT JOIN ({stored_sql}) AS {stored} ON {stored}.person = people.id")
            params.extend(stored_params)
            sources.append(stored)
        counts = {name: sql for name, sql in facts.items() if name in each.counts}
        if reading is not None and reading.less is not None and counts:
            join, less_params, less = _pass_join(each, reading.less, counts, suffix="less")
            joins.append(join)
            params.extend(less_params)
        selected += [_fact_column(each, name, *sources, less=less) for name in facts]
    # Only the ORM's compiled SQL and the fact names above go into the text; every value
    # is a parameter.
    select = f"SELECT {', '.join(selected)} FROM ({sql}) AS people {' '.join(joins)}"  # noqa: S608
    return select, params


@contextmanager
def _then(cursor, sql: str, params=None) -> Iterator[None]:
    """Runs `sql` after the block, also when the block fails; if the failure broke the
    transaction, the rollback undoes what `sql` would (so its own error is not raised over
    the first)."""
    try:
        yield
    except BaseException:
        with suppress(DatabaseError):
            cursor.execute(sql, params)
        raise
    cursor.execute(sql, params)


@contextmanager
def _run_settings(cursor) -> Iterator[None]:
    """On PostgreSQL, while the facts are made and read: the session's time zone is the
    service's, for LocalDate; and no JIT compilation, which for this one-off query's
    hundreds of expressions takes longer than running them (docs/benchmarks.md). Both are
    put back afterwards, also inside a caller's longer transaction."""
    if connection.vendor != "postgresql":
        yield
        return
    cursor.execute("SELECT current_setting('TimeZone'), current_setting('jit')")
    zone, jit = cursor.fetchone()
    cursor.execute(
        "SELECT set_config('TimeZone', %s, true), set_config('jit', 'off', true)",
        [settings.TIME_ZONE],
    )
    restore = "SELECT set_config('TimeZone', %s, true), set_config('jit', %s, true)"
    with _then(cursor, restore, [zone, jit]):
        yield


@contextmanager
def person_facts(scope: Scope, *, wanted: Collection[str] | None = None) -> Iterator[QuerySet]:
    """The facts of every young person referred in `scope`, as a PersonFacts queryset that
    can be read while the context is open (in one transaction, so that every measure sees
    the same records). `wanted`: the facts to work out (every one by default); the others
    are NULL."""
    quote = connection.ops.quote_name
    engagement = wanted is None or bool({"engagement_first", "engagement_last"} & set(wanted))
    if wanted is not None and engagement:
        # Filled in from the moments of the first and last rated appointments.
        wanted = {*wanted, "first_rated_at", "last_rated_at"}
    splits = _splits.set({})
    try:
        with transaction.atomic(), connection.cursor() as cursor, _run_settings(cursor):
            select, params = facts_query(scope, wanted)
            cursor.execute(f"DROP TABLE IF EXISTS {_temporary_table()}")
            cursor.execute(f"CREATE TEMPORARY TABLE {quote(TABLE)} AS {select}", params)
            if connection.vendor == "postgresql":
                # Temporary tables are never analysed automatically; without statistics the
                # planner guesses badly when the measures join records to the facts.
                cursor.execute(f"ANALYZE {quote(TABLE)} (id, team_code, in_cohort, in_followup)")
            facts = PersonFacts.objects.all()
            if engagement:
                _engagement(facts)
            with _then(cursor, f"DROP TABLE IF EXISTS {_temporary_table()}"):
                yield facts
    finally:
        _splits.reset(splits)


# --- Conditions on the facts, shared by the measures and the dataset ---------------------------

REFERRALS = Q()
COHORT = Q(in_cohort=1)
FOLLOWUP = Q(in_followup=1)

#: DESIGN.md section 7, fidelity: consent to take part in place on the start date.
CONSENT_ON_START = consent_given_filter("participation_on_start", "parent_participation_on_start")
#: DESIGN.md section 7, the case-level dataset: evaluation consent currently given.
EVALUATION_CONSENT = consent_given_filter("evaluation", "parent_evaluation")

#: The fidelity elements (DESIGN.md section 7, "Fidelity"), each a condition on the facts.
FIDELITY_ELEMENTS = {
    "fidelity_consent": CONSENT_ON_START,
    "fidelity_eligibility": Q(eligible_on_start=1),
    "fidelity_formulation_in_window": Q(initial_formulation_in_window=1),
    "fidelity_trm_assessed": Q(trm_assessments__gt=0),
    "fidelity_plan": Q(planned_interventions__gt=0),
    "fidelity_supervised": Q(supervision_sessions__gt=0),
}
FIDELITY_ALL = Q()
for _condition in FIDELITY_ELEMENTS.values():
    FIDELITY_ALL &= _condition


#: The minutes of each costed role, per young person (reports.measures.cost): the
#: practitioner's (appointments attended, formulation meetings, the case's share of
#: supervision), the psychologist's (meetings and supervision) and the partner agencies'.
PRACTITIONER_MINUTES = F("attended_minutes") + F("meeting_minutes") + F("supervision_minutes")
PSYCHOLOGY_MINUTES = F("meeting_minutes") + F("supervision_minutes")
MINUTES = {
    CostRole.PRACTITIONER: PRACTITIONER_MINUTES,
    CostRole.PSYCHOLOGIST: PSYCHOLOGY_MINUTES,
    CostRole.AGENCY: F("meeting_agency_minutes"),
}


def hours_of(minutes) -> ExpressionWrapper:
    """One young person's `minutes` (an expression over the facts) in hours."""
    return ExpressionWrapper(minutes / Value(60.0), output_field=FloatField())


def cost_of_time(rates: dict[str, float]) -> ExpressionWrapper:
    """One young person's cost: each role's hours times its cost per hour in `rates`
    ({role: cost}). NULL where no cost is in force, or where time was recorded for a role
    with none (as the cost measures)."""
    if not rates:
        return ExpressionWrapper(Value(None), output_field=FloatField())
    parts = []
    for role, minutes in MINUTES.items():
        if role in rates:
            parts.append(minutes * Value(float(rates[role])) / Value(60.0))
        else:
            parts.append(
                Case(
                    When(GreaterThan(minutes, 0), then=Value(None)),
                    default=Value(0.0),
                    output_field=FloatField(),
                )
            )
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return ExpressionWrapper(total, output_field=FloatField())
