"""The parameters of a report run, and the date arithmetic its facts and measures share
(DESIGN.md section 7)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Case,
    CharField,
    DateField,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.lookups import In
from django.utils import timezone

from cases.models import YoungPerson


@dataclass(frozen=True)
class Scope:
    """The parameters of a report run (DESIGN.md section 7)."""

    date_from: date
    date_to: date
    team_ids: tuple[int, ...] | None = None  # None: all teams
    follow_up_months: int = 12
    as_of: date = field(default_factory=timezone.localdate)
    fidelity_window_days: int = 56

    @cached_property
    def team_code_by_id(self) -> dict[int, str]:
        """Every team in scope, id → code, in the order of their codes."""
        from accounts.models import Team

        teams = Team.objects.all()
        if self.team_ids is not None:
            teams = teams.filter(pk__in=self.team_ids)
        return dict(teams.order_by("code").values_list("pk", "code"))

    @cached_property
    def team_codes(self) -> list[str]:
        """Every team in scope, so per-team results list teams with nothing to count too."""
        return list(self.team_code_by_id.values())

    @cached_property
    def _held_at_end_by_another_team(self) -> dict[int, tuple[int, str]]:
        """Young people whose case a transfer accepted after the period's last day took from
        another team: young person id → (id, code) of the first such transfer's sending team,
        which held the case at the end of the period. One query; transfers are few, so each
        row of a measure is compared with these lists rather than looking its transfers up
        (a subquery per row cost 17 s over four million appointments at national scale)."""
        from cases.models import CaseTransfer, TransferStatus

        after = timezone.make_aware(datetime.combine(self.date_to + timedelta(days=1), time.min))
        transfers = (
            CaseTransfer.objects.filter(status=TransferStatus.ACCEPTED, decided_at__gte=after)
            .order_by("decided_at", "pk")
            .values_list("young_person_id", "from_team_id", "from_team__code")
        )
        held = {}
        for young_person_id, team_id, team_code in transfers:
            held.setdefault(young_person_id, (team_id, team_code))
        return held

    def _at_end(self, prefix: str, current: str, which: int, output_field):
        """The young person's team (`which`: 0 its id, 1 its code) at the end of the period,
        as a database expression on a model that reaches them through `prefix`."""
        people_by_team = defaultdict(list)
        for young_person_id, team in self._held_at_end_by_another_team.items():
            people_by_team[team[which]].append(young_person_id)
        now = F(f"{prefix}{current}")
        if not people_by_team:
            return now
        person = f"{prefix.removesuffix('__')}_id" if prefix else "pk"
        return Case(
            *(
                When(**{f"{person}__in": sorted(people)}, then=Value(team))
                for team, people in sorted(people_by_team.items())
            ),
            default=now,
            output_field=output_field,
        )

    def team_at_end(self, prefix: str = ""):
        """The id of the team that held the young person's case on the period's last day, as
        a database expression: the team a transfer accepted after the period took it from,
        else the team now. A young person transferred between YOTs is counted under the team
        that held the case in the period, not the one that holds it now (issue 17)."""
        return self._at_end(prefix, "team_id", 0, IntegerField())

    def team_code_at_end(self, prefix: str = ""):
        """The code of `team_at_end`, as a database expression."""
        return self._at_end(prefix, "team__code", 1, CharField())

    def referral_filter(self, prefix: str = "") -> Q:
        """Young people referred in the period, as a filter on a model that reaches them
        through `prefix` ("young_person__")."""
        condition = Q(
            **{
                f"{prefix}archived_at__isnull": True,
                f"{prefix}referral_date__gte": self.date_from,
                f"{prefix}referral_date__lte": self.date_to,
            }
        )
        if self.team_ids is not None:
            condition &= Q(In(self.team_at_end(prefix), list(self.team_ids)))
        return condition

    def referrals(self) -> QuerySet:
        """Young people referred in the period (funnel measures)."""
        return YoungPerson.objects.filter(self.referral_filter())

    @property
    def followup_cutoff(self) -> date:
        """The latest ECM start whose follow-up months have all passed by the as-of date."""
        return self.as_of - relativedelta(months=self.follow_up_months)

    def cohort_filter(self, prefix: str = "") -> Q:
        """The cohort (those referred in the period with an ECM start date), as a filter on
        a model that reaches them through `prefix`."""
        return self.referral_filter(prefix) & Q(**{f"{prefix}ecm_start_date__isnull": False})

    def cohort(self) -> QuerySet:
        """The cohort: those referred in the period with an ECM start date."""
        return YoungPerson.objects.filter(self.cohort_filter())

    def followup_cohort(self) -> QuerySet:
        """Cohort members whose start + follow-up months is on or before the as-of date."""
        return self.cohort().filter(ecm_start_date__lte=self.followup_cutoff)


class AddMonths(Func):
    """`date + n calendar months` in the database (31 January + 1 month = 28/29 February).

    PostgreSQL's interval arithmetic clamps to the month's last day; SQLite's does not, so
    on SQLite this calls `ecm_add_months`, registered on each connection (reports.apps).
    """

    output_field = DateField()

    def __init__(self, expression, months: int, **extra):
        super().__init__(expression, Value(int(months)), **extra)

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="ecm_add_months", **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        months_sql, months_params = compiler.compile(self.source_expressions[1])
        sql = f"(({date_sql}) + make_interval(months => {months_sql}))::date"
        return sql, (*date_params, *months_params)


def sqlite_add_months(value, months):
    """The SQLite side of AddMonths (dates arrive and leave as ISO text)."""
    if value is None or months is None:
        return None
    return (date.fromisoformat(str(value)[:10]) + relativedelta(months=int(months))).isoformat()


class AgeInYears(Func):
    """Completed years from `born` to `on` (an age on a date), in the database."""

    output_field = IntegerField()

    def __init__(self, born, on, **extra):
        super().__init__(born, on, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        born, born_params = compiler.compile(self.source_expressions[0])
        on, on_params = compiler.compile(self.source_expressions[1])
        sql = (
            f"(CAST(strftime('%%Y', {on}) AS INTEGER) - CAST(strftime('%%Y', {born}) AS INTEGER)"
            f" - (strftime('%%m-%%d', {on}) < strftime('%%m-%%d', {born})))"
        )
        return sql, (*on_params, *born_params, *on_params, *born_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        born, born_params = compiler.compile(self.source_expressions[0])
        on, on_params = compiler.compile(self.source_expressions[1])
        return f"date_part('year', age({on}, {born}))::integer", (*on_params, *born_params)
