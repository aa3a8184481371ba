"""Retention schedules: the rules administrators edit, their defaults, and which are in force.

A rule applies to one kind of case (`CaseKind`), nationally or for one team; for a team's
cases its own rule beats the national one. Two rules of the same kind and scope may not be
in force on the same day, so on any date at most one applies to a case. Every change is a
new version with its history row (like the measures' targets, `reports.targets`).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts import policy
from accounts.history import save_by, save_version

from .models import CaseKind, CountedFrom, RetentionRule

#: Who edits the retention rules and approves reviews (registered in GovernanceConfig.ready).
REVIEW_CAPABILITY = "retention.review"

FIELDS = ("case_kind", "years", "counted_from", "team", "in_force_from", "in_force_until")

#: The national defaults: 3 years after the last action for out-of-court disposals and
#: referrals, 5 years after the end of a court order. In force from the Data Protection Act
#: 2018 coming into force.
DEFAULTS_IN_FORCE_FROM = date(2018, 5, 25)
DEFAULT_RULES = [
    (CaseKind.OUT_OF_COURT, 3, CountedFrom.LAST_ACTION),
    (CaseKind.REFERRAL_ONLY, 3, CountedFrom.LAST_ACTION),
    (CaseKind.COURT_ORDER, 5, CountedFrom.ORDER_END),
]


def ensure_retention_rules(rule_model=RetentionRule) -> None:
    """Create the national default of any kind of case that has no national rule (edits and
    later versions are kept)."""
    for case_kind, years, counted_from in DEFAULT_RULES:
        if not rule_model.objects.filter(case_kind=case_kind, team__isnull=True).exists():
            rule_model.objects.create(
                case_kind=case_kind,
                years=years,
                counted_from=counted_from,
                in_force_from=DEFAULTS_IN_FORCE_FROM,
            )


def in_force_on(on: date) -> Q:
    return Q(in_force_from__lte=on) & (Q(in_force_until__isnull=True) | Q(in_force_until__gte=on))


def rules_in_force(on: date) -> list[RetentionRule]:
    """Every rule in force on `on` (one query)."""
    return list(RetentionRule.objects.filter(in_force_on(on)).select_related("team"))


def _overlapping(values: dict, exclude_pk):
    start, end = values["in_force_from"], values.get("in_force_until")
    rows = RetentionRule.objects.filter(case_kind=values["case_kind"])
    team = values.get("team")
    rows = rows.filter(team__isnull=True) if team is None else rows.filter(team=team)
    if end is not None:
        rows = rows.filter(in_force_from__lte=end)
    rows = rows.filter(Q(in_force_until__isnull=True) | Q(in_force_until__gte=start))
    return rows.exclude(pk=exclude_pk).first()


def rule_validate(values: dict, *, exclude_pk=None) -> None:
    """The rules a retention rule keeps, as field errors with a specific message each."""
    errors: dict[str, list] = {}
    if values.get("case_kind") not in CaseKind.values:
        errors["case_kind"] = [_("Choose the kind of case the rule applies to")]
    if values.get("counted_from") not in CountedFrom.values:
        errors["counted_from"] = [_("Choose what the years are counted from")]
    elif (
        values["counted_from"] == CountedFrom.ORDER_END
        and values.get("case_kind") != CaseKind.COURT_ORDER
    ):
        errors["counted_from"] = [
            _(
                "Only a rule for court orders can count from the end of the court order: "
                "the other kinds of case have none."
            )
        ]
    years = values.get("years")
    if years is None:
        errors["years"] = [_("Enter how many years the records are kept")]
    elif not 1 <= years <= 100:
        errors["years"] = [_("Enter a number of years from 1 to 100")]
    start, end = values.get("in_force_from"), values.get("in_force_until")
    if start is None:
        errors["in_force_from"] = [_("Enter the date the rule is in force from")]
    elif end is not None and end < start:
        errors["in_force_until"] = [
            _("The rule must be in force until a date on or after the date it starts")
        ]
    if not errors:
        clash = _overlapping(values, exclude_pk)
        if clash is not None:
            errors["in_force_from"] = [
                _(
                    "Another rule for this kind of case and %(scope)s is in force from "
                    "%(start)s. End that rule first, or choose dates that do not overlap."
                )
                % {
                    "scope": clash.team.label if clash.team_id else _("every team (national)"),
                    "start": clash.in_force_from.isoformat(),
                }
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def rule_save(*, values: dict, by, existing: RetentionRule | None = None) -> RetentionRule:
    """Add a rule, or change one (its next version; the history keeps the earlier)."""
    policy.require(by, REVIEW_CAPABILITY)
    rule = existing or RetentionRule()
    merged = {field: getattr(rule, field, None) for field in FIELDS}
    merged.update(values)
    rule_validate(merged, exclude_pk=rule.pk)
    for field in FIELDS:
        setattr(rule, field, merged[field])
    if existing is None:
        save_by(rule, by)
    else:
        save_version(rule, by)
    return rule
