"""Training measures: whether the practitioners and managers with ECM cases were trained in
ECM (an ECM course in the training register, accounts.models.TrainingAttendance) before
their first ECM case, and the fidelity flag "allocated practitioner trained"."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.utils.translation import gettext_lazy as _

from accounts.models import DedicatedRole, DedicatedRoleKind, Membership, Role
from cases.models import YoungPerson

from ..facts import COHORT, ecm_training_by
from .aggregations import CountOf, Grouped, RateOf, Run
from .base import Result, measure, rate

GROUP = "training"


def _first_ecm_start(**same) -> Subquery:
    """The earliest ECM start of the (not archived) young people matching `same`, each an
    OuterRef: a practitioner's first ECM case, or a team's."""
    return Subquery(
        YoungPerson.objects.filter(archived_at__isnull=True, ecm_start_date__isnull=False, **same)
        .order_by("ecm_start_date")
        .values("ecm_start_date")[:1]
    )


def _staff_counts(run: Run, rows: QuerySet, staff: str, team_code: str) -> dict[str, Result]:
    """{"staff": ..., "trained": ...}: distinct members of staff in `rows` (column `staff`),
    and those trained on or before their first ECM case (`first_case`), per team (column
    `team_code`) and overall (a member of staff in two teams counted once). Two queries."""
    rows = rows.annotate(trained=Exists(ecm_training_by(staff, "first_case"))).order_by()
    counts = {
        "staff": Count(staff, distinct=True),
        "trained": Count(staff, distinct=True, filter=Q(trained=True)),
    }
    per_team = {row[team_code]: row for row in rows.values(team_code).annotate(**counts)}
    # Grouped by a constant rather than .aggregate(), which would wrap the query and lose
    # the `trained` column its filter reads.
    everyone = rows.annotate(everyone=Value(1)).values("everyone").annotate(**counts)
    overall = next(iter(everyone), dict.fromkeys(counts, 0))
    return {
        name: Result(
            overall[name],
            {code: per_team.get(code, {}).get(name, 0) for code in run.scope.team_codes},
        )
        for name in counts
    }


def _members_with_cohort_cases(run: Run, role: str, **case) -> QuerySet:
    """Memberships of `role` in teams with cohort cases matching `case` (OuterRefs into the
    membership): one row per member of staff and team, however many cases they have."""
    cases = YoungPerson.objects.filter(
        run.scope.cohort_filter(), team_id=OuterRef("team_id"), **case
    )
    return Membership.objects.filter(Exists(cases), role=role)


def practitioners(run: Run) -> dict[str, Result]:
    """The practitioners of each team allocated to its cohort cases; their first ECM case is
    the earliest allocated to them."""
    held = _members_with_cohort_cases(run, Role.PRACTITIONER, practitioner_id=OuterRef("user_id"))
    held = held.annotate(first_case=_first_ecm_start(practitioner_id=OuterRef("user_id")))
    return _staff_counts(run, held, "user_id", "team__code")


def managers(run: Run) -> dict[str, Result]:
    """The managers of the teams with cohort cases; a team's first ECM case is theirs."""
    held = _members_with_cohort_cases(run, Role.MANAGER)
    held = held.annotate(first_case=_first_ecm_start(team_id=OuterRef("team_id")))
    return _staff_counts(run, held, "user_id", "team__code")


def _part(compute, name: str) -> Grouped:
    return Grouped(lambda run: compute(run)[name], reads=frozenset())


def _share(numerator_id: str, denominator_id: str) -> Grouped:
    """The rate of two counts worked out before it, per team and overall."""

    def compute(run: Run) -> Result:
        numerator, denominator = run.results[numerator_id], run.results[denominator_id]
        return Result(
            rate(numerator.overall, denominator.overall),
            {
                code: rate(numerator.by_team.get(code) or 0, denominator.by_team.get(code))
                for code in run.scope.team_codes
            },
        )

    return Grouped(compute, after=(numerator_id, denominator_id), reads=frozenset())


for who, compute, label_staff, label_trained, label_rate, definition in (
    (
        "practitioners",
        practitioners,
        _("Practitioners with ECM cases"),
        _("Practitioners trained before their first ECM case"),
        _("Share of practitioners trained before their first ECM case"),
        _(
            "Practitioners allocated to cohort cases (per team: to that team's cohort cases), "
            "and those who attended a course that counts as ECM training on or before the ECM "
            "start of the first case allocated to them."
        ),
    ),
    (
        "managers",
        managers,
        _("Managers with ECM cases"),
        _("Managers trained before their team's first ECM case"),
        _("Share of managers trained before their team's first ECM case"),
        _(
            "Managers of the teams with cohort cases, and those who attended a course that "
            "counts as ECM training on or before the ECM start of their team's first case."
        ),
    ),
):
    measure(
        f"{who}_with_ecm_cases",
        group=GROUP,
        kind="count",
        label=label_staff,
        definition=definition,
        value=_part(compute, "staff"),
    )
    measure(
        f"{who}_trained_before_first_case",
        group=GROUP,
        kind="count",
        label=label_trained,
        definition=definition,
        value=_part(compute, "trained"),
    )
    measure(
        f"{who}_trained_rate",
        group=GROUP,
        kind="rate",
        base=f"{who}_with_ecm_cases",
        label=label_rate,
        definition=definition,
        value=_share(f"{who}_trained_before_first_case", f"{who}_with_ecm_cases"),
    )


def dedicated_roles(run: Run) -> Result:
    """Members of staff holding each dedicated ECM role on the as-of date, per team and
    overall (someone holding a role in two teams counted once): two grouped queries."""
    day = run.scope.as_of
    held = DedicatedRole.objects.filter(held_from__lte=day).filter(
        Q(held_to__isnull=True) | Q(held_to__gte=day)
    )
    if run.scope.team_ids is not None:
        held = held.filter(team_id__in=run.scope.team_ids)
    held = held.order_by()
    holders = Count("user_id", distinct=True)
    by_team = {code: {} for code in run.scope.team_codes}
    for row in held.values("team__code", "kind").annotate(n=holders):
        by_team.setdefault(row["team__code"], {})[row["kind"]] = row["n"]
    overall = dict(held.values_list("kind").annotate(n=holders))
    order = list(DedicatedRoleKind.values)
    return Result(
        {kind: overall[kind] for kind in order if kind in overall},
        {code: {kind: v[kind] for kind in order if kind in v} for code, v in by_team.items()},
    )


def _role_label(key: str) -> str:
    return DedicatedRoleKind(key).label if key in DedicatedRoleKind.values else key


measure(
    "dedicated_role_holders",
    group=GROUP,
    kind="distribution",
    category_kind="count",
    category_label=_role_label,
    label=_("Staff in dedicated ECM roles"),
    definition=_(
        "Members of staff holding each dedicated ECM role (lead, champion) on the as-of "
        "date, from the training register."
    ),
    value=Grouped(dedicated_roles, reads=frozenset()),
)

# Fidelity: the element "allocated practitioner trained", for each cohort case.
PRACTITIONER_TRAINED = COHORT & Q(practitioner_trained=1)
measure(
    "fidelity_practitioner_trained",
    group="fidelity",
    kind="count",
    label=_("Allocated practitioner trained"),
    definition=_(
        "Cohort cases whose allocated practitioner attended a course that counts as ECM "
        "training on or before the case's ECM start."
    ),
    value=CountOf(PRACTITIONER_TRAINED),
)
measure(
    "fidelity_practitioner_trained_rate",
    group="fidelity",
    kind="rate",
    base="cohort_size",
    label=_("Share of cases whose allocated practitioner was trained"),
    definition=_(
        "Cohort cases whose allocated practitioner attended a course that counts as ECM "
        "training on or before the case's ECM start, as a share of the cohort."
    ),
    value=RateOf(Count("pk", filter=PRACTITIONER_TRAINED), Count("pk", filter=COHORT)),
)
