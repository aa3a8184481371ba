"""The comparison as each output shows it: the report page and PDF (the partial
reports/_comparison.html, from `comparison_context`) and the XLSX sheet
(`write_comparison_sheet`). Labels, never codes; every figure a number in its own cell.
"""

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..suppression import SUPPRESSED

FACTOR_LABELS = {
    "age": gettext_lazy("Age in years at the index date"),
    "gender_female": gettext_lazy("Female (share)"),
    "gender_male": gettext_lazy("Male (share)"),
    "gender_other": gettext_lazy("Other gender (share)"),
    "gender_not_stated": gettext_lazy("Gender not stated (share)"),
    "needs": gettext_lazy("Need categories recorded by the index date"),
    "offences_12m": gettext_lazy("Offences in the 12 months before the index date"),
    "gravity_12m": gettext_lazy("Highest offence gravity in the 12 months before (0 for none)"),
}
OUTCOME_LABELS = {
    "offences": gettext_lazy("Offences per young person"),
    "gravity": gettext_lazy("Highest offence gravity (0 for none)"),
    "breaches": gettext_lazy("Breaches per young person"),
}
#: The figures of each outcome's row, in the order of the columns.
ESTIMATE_COLUMNS = (
    "ecm_before",
    "ecm_after",
    "comparison_before",
    "comparison_after",
    "estimate",
    "low",
    "high",
)
GROUP_LABELS = {
    "ecm": gettext_lazy("ECM cohort"),
    "comparison": gettext_lazy("Comparison group"),
}


def _number(value, places=2) -> str:
    if value is None:
        return _("No data")
    if value == SUPPRESSED:
        return _("Suppressed")
    if isinstance(value, int):
        return number_format(value)
    return number_format(value, decimal_pos=places)


def _status_text(comparison: dict) -> str:
    if comparison["status"] == SUPPRESSED:
        return _(
            "The comparison is suppressed: a group in it has fewer young people than the "
            "report's small-number threshold."
        )
    if comparison["status"] == "too_few":
        return _(
            "Too few young people were matched to work out a difference-in-differences: each "
            "group needs at least two."
        )
    return ""


def comparison_context(comparison: dict | None) -> dict | None:
    """What reports/_comparison.html shows; None for a report run before the comparison."""
    if not comparison:
        return None
    months = comparison["follow_up_months"]
    return {
        "status": _status_text(comparison),
        "confidence": round(comparison["confidence"] * 100),
        "months": months,
        "groups": [
            {
                "label": str(GROUP_LABELS[group]),
                "before_matching": _number(sizes["before_matching"]),
                "matched": _number(sizes["matched"]),
            }
            for group, sizes in comparison["groups"].items()
        ],
        "strata": _number(comparison["strata_matched"]),
        "estimates": [
            {
                "label": str(OUTCOME_LABELS[row["outcome"]]),
                "cells": [_number(row[key]) for key in ESTIMATE_COLUMNS],
            }
            for row in comparison["estimates"]
        ],
        "balance": [
            {
                "label": str(FACTOR_LABELS[row["factor"]]),
                "cells": [
                    _number(row[side][key], 3 if key == "smd" else 2)
                    for side in ("before", "after")
                    for key in ("ecm", "comparison", "smd")
                ],
            }
            for row in comparison["balance"]
        ],
        "referred_before_ecm": comparison.get("referred_before_ecm") == "not_recorded",
    }


def _cell(value):
    """A figure for a spreadsheet cell: the number itself, or the word for none."""
    if value is None:
        return _("No data")
    if value == SUPPRESSED:
        return _("Suppressed")
    return value


def write_comparison_sheet(workbook, comparison: dict | None, bold) -> None:
    """The Comparison sheet: group sizes, the estimates and the balance table, one value a
    cell, each table under its own heading row."""
    if not comparison:
        return
    confidence = {"confidence": round(comparison["confidence"] * 100)}
    sheet = workbook.add_worksheet(_("Comparison"))
    decimals = workbook.add_format({"num_format": "0.000"})
    row = 0

    def write(cells, style=None):
        for column, value in enumerate(cells):
            if isinstance(value, float):
                sheet.write_number(row, column, value, style or decimals)
            elif isinstance(value, int):
                sheet.write_number(row, column, value, style)
            else:
                sheet.write_string(row, column, str(value), style)

    def table(title, headings, rows):
        nonlocal row
        write([title], bold)
        row += 1
        write(headings, bold)
        row += 1
        for cells in rows:
            write(cells)
            row += 1
        row += 1

    sheet.write_string(row, 0, str(_association_text()), bold)
    row += 2
    status = _status_text(comparison)
    if status:
        sheet.write_string(row, 0, status)
        row += 2
    table(
        _("Group sizes"),
        [_("Group"), _("Before matching"), _("Matched")],
        [
            [str(GROUP_LABELS[group]), _cell(sizes["before_matching"]), _cell(sizes["matched"])]
            for group, sizes in comparison["groups"].items()
        ],
    )
    table(
        _("Difference-in-differences"),
        [
            _("Outcome"),
            _("ECM cohort before"),
            _("ECM cohort after"),
            _("Comparison group before"),
            _("Comparison group after"),
            _("Difference-in-differences"),
            _("Lower limit (%(confidence)s%%)") % confidence,
            _("Upper limit (%(confidence)s%%)") % confidence,
        ],
        [
            [str(OUTCOME_LABELS[each["outcome"]])] + [_cell(each[key]) for key in ESTIMATE_COLUMNS]
            for each in comparison["estimates"]
        ],
    )
    table(
        _("Balance"),
        [
            _("Factor"),
            _("ECM cohort before matching"),
            _("Comparison group before matching"),
            _("Standardised mean difference before matching"),
            _("ECM cohort after matching"),
            _("Comparison group after matching"),
            _("Standardised mean difference after matching"),
        ],
        [
            [str(FACTOR_LABELS[each["factor"]])]
            + [
                _cell(each[side][key])
                for side in ("before", "after")
                for key in ("ecm", "comparison", "smd")
            ]
            for each in comparison["balance"]
        ],
    )
    sheet.set_column(0, 0, 60)
    sheet.set_column(1, 7, 22)
    sheet.freeze_panes(0, 1)


def _association_text():
    return _(
        "An association, not proof: the comparison group is matched on what was recorded at "
        "referral, but young people who did not start ECM may differ in ways the records do "
        "not show."
    )
