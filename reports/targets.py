"""Targets for the evaluation measures (issue 16): setting them, which are in force, and
each measure's value against its target.

Administrators set targets in the admin (`reports/admin.py`) through `target_save`: one
measure of the registry (a single number: a count, rate, mean or median), nationally or for
one team, over an optional period, with the direction that is better. Every change is a new
version with its history row.

A target is in force for a report when its period overlaps the report's referral period;
where two of the same measure and scope do (a report spanning two years' targets), the
later-starting one counts. A team's own target overrides the national one on that team's
figures. A report run copies the targets in force into its results (`document_targets`,
the document's "targets" key), so a report made before a target changed keeps showing the
target it was made with.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from accounts.history import save_by, save_version

from .exports import shown
from .measures import REGISTRY, in_design_order
from .models import MeasureTarget, TargetDirection

#: Who sets targets (registered in ReportsConfig.ready).
EDIT_CAPABILITY = "reports.targets.edit"

#: The kinds of measure a target can be set for: a single number.
SCALAR_KINDS = ("count", "rate", "mean", "median")

FIELDS = ("measure_id", "team", "period_start", "period_end", "direction", "value")

NATIONAL = "national"

MET, NOT_MET, NO_TARGET, NO_VALUE = "met", "not_met", "no_target", "no_value"
#: What each `target_status` reads as, in every output (words, never a colour alone).
STATUS_LABELS = {
    MET: gettext_lazy("Met"),
    NOT_MET: gettext_lazy("Not met"),
    NO_TARGET: gettext_lazy("No target"),
    # A target is in force but there is no figure to compare with it (nothing to divide
    # by, or the figure is suppressed): saying "not met" would give a hidden figure away.
    NO_VALUE: gettext_lazy("No figure to compare"),
}


def targetable_measures() -> list:
    """The measures a target can be set for, in the report's order."""
    return [
        REGISTRY[measure_id]
        for measure_id in in_design_order(REGISTRY)
        if REGISTRY[measure_id].kind in SCALAR_KINDS
    ]


def _period_text(start, end) -> str:
    if start and end:
        return _("%(start)s to %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}
    if start:
        return _("from %(start)s") % {"start": start.isoformat()}
    if end:
        return _("until %(end)s") % {"end": end.isoformat()}
    return _("any period")


def target_validate(values: dict, *, exclude_pk=None, check_overlap: bool = True) -> None:
    """The rules a target keeps, as field errors with a specific message each.

    `check_overlap=False` leaves out the comparison with the targets saved (for a target of a
    team not saved yet, which can have none)."""
    errors: dict[str, list] = {}
    measure_id = values.get("measure_id")
    measure = REGISTRY.get(measure_id)
    if measure is None:
        errors["measure_id"] = [
            _("There is no measure “%(id)s”. Choose one from the measure catalogue.")
            % {"id": measure_id or ""}
        ]
    elif measure.kind not in SCALAR_KINDS:
        errors["measure_id"] = [
            _(
                "“%(measure)s” is a breakdown, not a single number: a target can be set only "
                "for a count, rate, mean or median."
            )
            % {"measure": measure.label}
        ]
    value = values.get("value")
    if value is None:
        errors["value"] = [_("Enter the target value")]
    elif measure is not None and measure.kind == "rate" and not 0 <= value <= 100:
        errors["value"] = [
            _("“%(measure)s” is a percentage: enter a target from 0 to 100.")
            % {"measure": measure.label}
        ]
    elif value < 0:
        errors["value"] = [_("A target cannot be below 0")]
    if values.get("direction") not in TargetDirection.values:
        errors["direction"] = [_("Choose whether a higher or a lower value is better")]
    start, end = values.get("period_start"), values.get("period_end")
    if start and end and end < start:
        errors["period_end"] = [_("The end of the period must be the same as or after its start")]
    if not errors and check_overlap:
        clash = _overlapping(measure_id, values.get("team"), start, end, exclude_pk)
        if clash is not None:
            errors["period_start"] = [
                _(
                    "There is already a target for this measure and %(scope)s in force "
                    "%(period)s. Change its dates or these so that they do not overlap."
                )
                % {
                    "scope": clash.team.label if clash.team_id else _("every team (national)"),
                    "period": _period_text(clash.period_start, clash.period_end),
                }
            ]
    if errors:
        raise ValidationError(errors)


def _in_period(start: date | None, end: date | None) -> Q:
    """Targets whose period overlaps start–end (either may be open)."""
    condition = Q()
    if end is not None:
        condition &= Q(period_start__isnull=True) | Q(period_start__lte=end)
    if start is not None:
        condition &= Q(period_end__isnull=True) | Q(period_end__gte=start)
    return condition


def _overlapping(measure_id, team, start, end, exclude_pk):
    rows = MeasureTarget.objects.filter(_in_period(start, end), measure_id=measure_id)
    rows = rows.filter(team__isnull=True) if team is None else rows.filter(team=team)
    return rows.exclude(pk=exclude_pk).select_related("team").first()


@transaction.atomic
def target_save(*, values: dict, by, existing: MeasureTarget | None = None) -> MeasureTarget:
    """Set a new target, or change one (its next version; the history keeps the earlier)."""
    policy.require(by, EDIT_CAPABILITY)
    target = existing or MeasureTarget()
    merged = {field: getattr(target, field, None) for field in FIELDS}
    merged.update(values)
    target_validate(merged, exclude_pk=target.pk)
    for field in FIELDS:
        setattr(target, field, merged[field])
    if existing is None:
        save_by(target, by)
    else:
        save_version(target, by)
    return target


# --- Which targets are in force, and each value against its target --------------------------


def targets_in_force(
    date_from: date, date_to: date, team_codes=None
) -> dict[tuple[str, str], MeasureTarget]:
    """{(measure id, NATIONAL or team code): target} for a referral period (one query)."""
    rows = MeasureTarget.objects.filter(_in_period(date_from, date_to)).select_related("team")
    if team_codes is not None:
        rows = rows.filter(Q(team__isnull=True) | Q(team__code__in=list(team_codes)))
    found = {}
    # Later-starting targets replace earlier ones of the same measure and scope.
    for target in sorted(rows, key=lambda row: (row.period_start or date.min, row.pk)):
        found[(target.measure_id, target.team.code if target.team_id else NATIONAL)] = target
    return found


def target_entry(target: MeasureTarget) -> dict:
    """A target as the report's results keep it: the value in the measure's own units (a
    rate as a share from 0 to 1, as the measure's value is)."""
    measure = REGISTRY.get(target.measure_id)
    value = float(target.value)
    if measure is not None and measure.kind == "rate":
        value = round(value / 100, 6)
    if value.is_integer():
        value = int(value)
    return {
        "value": value,
        "direction": target.direction,
        "scope": target.team.code if target.team_id else NATIONAL,
        "period_start": target.period_start.isoformat() if target.period_start else None,
        "period_end": target.period_end.isoformat() if target.period_end else None,
        "version": target.version,
    }


def target_status(value, target: dict | None) -> str:
    """MET, NOT_MET, NO_TARGET or NO_VALUE for a measure's value and its target entry."""
    if target is None:
        return NO_TARGET
    if isinstance(value, bool) or not isinstance(value, int | float):
        return NO_VALUE
    if target["direction"] == TargetDirection.LOWER:
        return MET if value <= target["value"] else NOT_MET
    return MET if value >= target["value"] else NOT_MET


def _assessed(value, target) -> dict:
    entry = target_entry(target) if target is not None else None
    return {"target": entry, "target_status": target_status(value, entry)}


def evaluate(
    values: dict, by_team: dict[str, dict], in_force: dict[tuple[str, str], MeasureTarget]
) -> dict:
    """Every measure of `values` (overall) and `by_team` ({code: {id: value}}) against its
    target: the team's own target where it has one, else the national one."""
    return {
        "measures": {
            measure_id: _assessed(value, in_force.get((measure_id, NATIONAL)))
            for measure_id, value in values.items()
        },
        "by_team": {
            code: {
                measure_id: _assessed(
                    value,
                    in_force.get((measure_id, code)) or in_force.get((measure_id, NATIONAL)),
                )
                for measure_id, value in team_values.items()
            }
            for code, team_values in by_team.items()
        },
    }


def assessment(document: dict, measure_id: str, team_code: str | None = None) -> dict:
    """One measure's {"target": ..., "target_status": ...} in a report's document, overall or
    for a team: what the outputs (XLSX, PDF) put beside the value. A report made before
    targets existed has none: "no_target"."""
    assessed = document.get("targets")
    if assessed:
        table = assessed["measures"] if team_code is None else assessed["by_team"].get(team_code)
        if table and measure_id in table:
            return table[measure_id]
    return {"target": None, "target_status": NO_TARGET}


def document_targets(document: dict) -> dict:
    """The report's "targets" key: the targets in force for its referral period, each
    measure against them overall and per team. Worked out from the document as published
    (after suppression), so a status never gives a suppressed figure away."""
    parameters = document["parameters"]
    in_force = targets_in_force(
        date.fromisoformat(parameters["date_from"]),
        date.fromisoformat(parameters["date_to"]),
        document["by_team"],
    )
    return evaluate(document["measures"], document["by_team"], in_force)


# --- What the report page and the manager's team page show ----------------------------------


def target_text(measure_id: str, entry: dict | None) -> str:
    """ "80.0% or more", "3 or less"; "No target" without one."""
    if entry is None:
        return str(STATUS_LABELS[NO_TARGET])
    value = shown(measure_id, entry["value"])["text"]
    if entry["direction"] == TargetDirection.LOWER:
        return _("%(value)s or less") % {"value": value}
    return _("%(value)s or more") % {"value": value}


def _source_text(entry: dict, team_names: dict[str, str]) -> str:
    if entry["scope"] == NATIONAL:
        return _("National target, version %(version)s") % {"version": entry["version"]}
    return _("%(team)s target, version %(version)s") % {
        "team": team_names.get(entry["scope"], entry["scope"]),
        "version": entry["version"],
    }


def table_rows(columns, team_names: dict[str, str]) -> list[dict]:
    """The rows of a "measures against targets" table: for every measure with a target in
    any of `columns` ([(name, {measure id: value}, {measure id: assessed}), ...]), one row per
    column with its value, target, where the target comes from and the status in words."""
    rows = []
    measure_ids = in_design_order(
        {measure_id for _name, values, _a in columns for measure_id in values}
    )
    for measure_id in measure_ids:
        cells = [
            (name, values.get(measure_id), assessed.get(measure_id) or _assessed(None, None))
            for name, values, assessed in columns
        ]
        if all(item["target"] is None for _name, _value, item in cells):
            continue
        measure = REGISTRY.get(measure_id)
        for name, value, item in cells:
            entry = item["target"]
            rows.append(
                {
                    "id": measure_id,
                    "measure": str(measure.label) if measure else measure_id,
                    "scope": name,
                    "value": shown(measure_id, value)["text"],
                    "target": target_text(measure_id, entry),
                    "source": _source_text(entry, team_names) if entry else "",
                    "status": item["target_status"],
                    "status_text": str(STATUS_LABELS[item["target_status"]]),
                }
            )
    return rows


def any_target(assessed: dict | None) -> bool:
    """Whether a document's "targets" key has any target in force (else nothing to show)."""
    if not assessed:
        return False
    tables = [assessed["measures"], *assessed["by_team"].values()]
    return any(item["target"] is not None for table in tables for item in table.values())


def report_rows(document: dict, team_names: dict[str, str]) -> list[dict]:
    """The report page's rows from its document (none for a report made before targets)."""
    assessed = document.get("targets")
    if not assessed:
        return []
    columns = [(_("All teams"), document["measures"], assessed["measures"])]
    columns += [
        (team_names.get(code, code), values, assessed["by_team"].get(code, {}))
        for code, values in document["by_team"].items()
    ]
    return table_rows(columns, team_names)
