"""Who is due under the retention rules in force: database queries, never a loop over every
young person.

Each young person is annotated with the kind of their case (`CaseKind`: a court order
recorded, else an out-of-court disposal, else a referral only), the date of the last action
on the case and the end of their last court order; each rule in force becomes one condition
("this kind, this team or a team without its own rule, counted-from date on or before the
cut-off"). A young person is due when one holds, unless they are on legal hold, their ECM is
still running, or a retention run has anonymised them already.

The last action is the latest of: the referral, ECM's start and end, an appointment, an
order starting or ending, an offence committed or proven, and any event on the case except
the legal-hold ones (placing a hold must not restart the clock).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Case,
    CharField,
    DateField,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate

from cases.models import (
    STATUTORY_ORDER_TYPES,
    Appointment,
    CaseEvent,
    Offence,
    Order,
    YoungPerson,
)

from . import schedules
from .models import CaseKind, CountedFrom, LegalHold, RetentionRule, RetentionRunItem

#: Events that do not count as an action on the case.
NOT_AN_ACTION_PREFIX = "legal_hold."


def add_years(day: date, years: int) -> date:
    """`day` plus whole years; 29 February becomes 1 March in a year without one."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def subtract_years(day: date, years: int) -> date:
    """`day` less whole years; 29 February becomes 28 February in a year without one (so
    that `add_years(d, n) <= on` exactly when `d <= subtract_years(on, n)`)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28)


def _latest(queryset, expression):
    return Subquery(
        queryset.filter(young_person=OuterRef("pk"))
        .order_by()
        .values("young_person")
        .annotate(latest=Max(expression))
        .values("latest"),
        output_field=DateField(),
    )


def with_retention_facts(queryset=None):
    """Young people annotated with `retention_kind`, `last_action_on` and `order_end_on`
    (None while a court order has no end date)."""
    queryset = YoungPerson.objects.all() if queryset is None else queryset
    orders = Order.objects.filter(archived_at__isnull=True)
    court_orders = orders.filter(order_type__in=STATUTORY_ORDER_TYPES)
    referral = "referral_date"
    last_action = Greatest(
        referral,
        Coalesce("ecm_start_date", referral),
        Coalesce("ecm_end_date", referral),
        Coalesce(_latest(Appointment.objects.all(), TruncDate("starts_at")), referral),
        Coalesce(
            _latest(orders, Greatest("start_date", Coalesce("end_date", "start_date"))),
            referral,
        ),
        Coalesce(
            _latest(
                Offence.objects.all(),
                Greatest("committed_on", Coalesce("proven_on", "committed_on")),
            ),
            referral,
        ),
        Coalesce(
            _latest(
                CaseEvent.objects.exclude(action__startswith=NOT_AN_ACTION_PREFIX),
                TruncDate("at"),
            ),
            referral,
        ),
        output_field=DateField(),
    )
    return queryset.annotate(
        retention_kind=Case(
            When(
                Exists(court_orders.filter(young_person=OuterRef("pk"))),
                then=Value(CaseKind.COURT_ORDER.value),
            ),
            When(
                Exists(orders.filter(young_person=OuterRef("pk"))),
                then=Value(CaseKind.OUT_OF_COURT.value),
            ),
            default=Value(CaseKind.REFERRAL_ONLY.value),
            output_field=CharField(),
        ),
        last_action_on=last_action,
        order_end_on=Case(
            When(
                Exists(court_orders.filter(young_person=OuterRef("pk"), end_date__isnull=True)),
                then=Value(None, output_field=DateField()),
            ),
            default=_latest(court_orders, "end_date"),
            output_field=DateField(),
        ),
    )


def _counted_from_field(rule: RetentionRule) -> str:
    return "order_end_on" if rule.counted_from == CountedFrom.ORDER_END else "last_action_on"


def _rule_condition(rule: RetentionRule, on: date, teams_with_own_rule: set[int]) -> Q:
    condition = Q(retention_kind=rule.case_kind) & Q(
        **{f"{_counted_from_field(rule)}__lte": subtract_years(on, rule.years)}
    )
    if rule.team_id is not None:
        return condition & Q(team_id=rule.team_id)
    return condition & ~Q(team_id__in=teams_with_own_rule)


def not_on_hold(young_person="pk"):
    """Not on legal hold now; `young_person` is the outer query's path to the young person."""
    return ~Exists(
        LegalHold.objects.filter(young_person=OuterRef(young_person), released_at__isnull=True)
    )


def not_anonymised(young_person="pk"):
    """Not anonymised, by an earlier run or otherwise (`YoungPerson.anonymised_at`)."""
    stamped = (
        "anonymised_at__isnull"
        if young_person == "pk"
        else f"{young_person}__anonymised_at__isnull"
    )
    return Q(**{stamped: True}) & ~Exists(
        RetentionRunItem.objects.filter(young_person=OuterRef(young_person))
    )


@dataclass(frozen=True)
class Due:
    """One young person due, and why: the rule, the date counted from, the date due."""

    young_person_id: int
    reference: str
    team_code: str
    case_kind: str
    rule: RetentionRule
    counted_from_date: date
    due_on: date

    @property
    def case_kind_label(self) -> str:
        return CaseKind(self.case_kind).label


def due_young_people(on: date, *, rules: list[RetentionRule] | None = None) -> list[Due]:
    """Everyone due on `on` under the rules in force then (two queries), oldest due first."""
    rules = schedules.rules_in_force(on) if rules is None else rules
    if not rules:
        return []
    by_pk = {rule.pk: rule for rule in rules}
    own_rule = {}
    for rule in rules:
        if rule.team_id is not None:
            own_rule.setdefault(rule.case_kind, set()).add(rule.team_id)
    matched = Case(
        *(
            When(_rule_condition(rule, on, own_rule.get(rule.case_kind, set())), then=rule.pk)
            for rule in rules
        ),
        default=None,
        output_field=IntegerField(),
    )
    # ECM still running (and the case not archived): never due, whatever the dates say.
    ecm_running = Q(
        ecm_start_date__isnull=False, ecm_end_date__isnull=True, archived_at__isnull=True
    )
    rows = (
        with_retention_facts()
        .exclude(ecm_running)
        .filter(not_on_hold(), not_anonymised())
        .annotate(retention_rule=matched)
        .filter(retention_rule__isnull=False)
        .values(
            "pk",
            "reference",
            "team__code",
            "retention_kind",
            "retention_rule",
            "last_action_on",
            "order_end_on",
        )
        .order_by("pk")
    )
    due = []
    for row in rows:
        rule = by_pk[row["retention_rule"]]
        counted_from = row[_counted_from_field(rule)]
        due.append(
            Due(
                young_person_id=row["pk"],
                reference=row["reference"],
                team_code=row["team__code"],
                case_kind=row["retention_kind"],
                rule=rule,
                counted_from_date=counted_from,
                due_on=add_years(counted_from, rule.years),
            )
        )
    return sorted(due, key=lambda item: (item.due_on, item.reference))
