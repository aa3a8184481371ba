"""What a report run produces: its JSON document, small-number suppression, and the writers
(CSV, XLSX, HTML, PDF, and the case-level dataset with its data dictionary and manifest).

Every output of an evaluation report is written from ONE document, the JSON of DESIGN.md
section 8 — `{"parameters": {...}, "measures": {id: value}, "by_team": {code: {id: value}}}`
— after suppression (reports.suppression), so the web page, the PDF, the spreadsheet and
the CSV always agree.

CSV cells that a spreadsheet would run as a formula (starting `=`, `+`, `-`, `@`, tab or
carriage return) are neutralised by `csv_safe`, which every CSV writer here goes through.
XLSX cells are written as typed values (strings never become formulas).
"""

import csv
import hashlib
import io
import json
from datetime import date
from functools import partial
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from accounts import dates

from .comparison.outputs import comparison_context, write_comparison_sheet
from .measures import GROUP_LABELS, KIND_LABELS, REGISTRY, in_design_order
from .measures.base import as_recorded
from .suppression import SUPPRESSED
from .vocabularies import CATEGORY_VOCABULARY

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: The value of the CSV's `team` column for the overall row.
ALL_TEAMS = "all"

#: Teams per table on the page and in the PDF, so tables stay readable with 150 teams.
TEAM_COLUMNS = 6


# --- CSV ------------------------------------------------------------------------------------------


def csv_safe(value):
    """A cell a spreadsheet will show as text: a leading `'` defuses formula characters.

    Numbers are left as numbers (a negative number is not a formula).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_bytes(header: list[str], rows) -> bytes:
    """UTF-8 CSV with a header row; every cell through `csv_safe`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def flatten(value):
    """One cell for a measure value: distributions as `key=value|key=value`, lists `a|b`."""
    if isinstance(value, dict):
        return "|".join(f"{key}={'' if item is None else item}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return "|".join(str(item) for item in value)
    return value


# --- The document ----------------------------------------------------------------


def evaluation_document(parameters: dict, results: dict) -> dict:
    """The JSON of DESIGN.md section 8 from `compute_all` results (measure id → Result)."""
    results = {measure_id: results[measure_id] for measure_id in in_design_order(results)}
    team_codes = sorted({code for result in results.values() for code in result.by_team})
    return {
        "parameters": parameters,
        "measures": {measure_id: result.overall for measure_id, result in results.items()},
        "by_team": {
            code: {measure_id: result.by_team.get(code) for measure_id, result in results.items()}
            for code in team_codes
        },
    }


def json_bytes(document) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


# --- Evaluation report writers -------------------------------------------------------------------


def _label(measure_id: str) -> str:
    measure = REGISTRY.get(measure_id)
    return str(measure.label) if measure else measure_id


def evaluation_csv(document: dict) -> bytes:
    """One row per measure × (all teams, then each team): id, label, team, value."""
    rows = []
    for measure_id, value in document["measures"].items():
        label = _label(measure_id)
        rows.append([measure_id, label, ALL_TEAMS, flatten(value)])
        for code, values in document["by_team"].items():
            rows.append([measure_id, label, code, flatten(values.get(measure_id))])
    return csv_bytes(["id", "label", "team", "value"], rows)


def _workbook(buffer, *, constant_memory: bool = False):
    """An XLSX workbook writing into `buffer`.

    `constant_memory` (for the case-level dataset: tens of thousands of rows at national
    scale) writes each row to a temporary file as soon as the next one starts, instead of
    keeping every cell in memory, which at that scale is more than a worker should hold; rows
    must then be written in order, as the dataset's are.
    """
    import xlsxwriter

    # Strings stay strings: never turned into formulas, numbers or links.
    options = {
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    options.update({"constant_memory": True} if constant_memory else {"in_memory": True})
    return xlsxwriter.Workbook(buffer, options)


def _write_row(sheet, row_number: int, cells, bold=None):
    for column, cell in enumerate(cells):
        if cell is None or cell == "":
            sheet.write_blank(row_number, column, None, bold)
        elif isinstance(cell, bool):
            sheet.write_number(row_number, column, int(cell), bold)
        elif isinstance(cell, int | float):
            sheet.write_number(row_number, column, cell, bold)
        else:
            sheet.write_string(row_number, column, str(cell), bold)


def evaluation_xlsx(document: dict, *, team_names: dict[str, str] | None = None) -> bytes:
    """Sheets: Measures (overall), By team (a column per team), Definitions, Parameters.

    Sheet names and headings are in the active language (a run's outputs are written in the
    language it was requested in); the By team sheet names each team, in that language too.
    """
    buffer = io.BytesIO()
    workbook = _workbook(buffer)
    bold = workbook.add_format({"bold": True})
    team_codes = list(document["by_team"])

    measures = workbook.add_worksheet(_("Measures"))
    _write_row(measures, 0, ["id", _("Measure"), _("All teams")], bold)
    for row, (measure_id, value) in enumerate(document["measures"].items(), start=1):
        _write_row(measures, row, [measure_id, _label(measure_id), flatten(value)])
    measures.set_column(0, 0, 36)
    measures.set_column(1, 1, 50)
    measures.set_column(2, 2, 30)

    by_team = workbook.add_worksheet(_("By team"))
    team_names = team_names or {}
    headings = [team_names.get(code, code) for code in team_codes]
    _write_row(by_team, 0, ["id", _("Measure"), *headings], bold)
    for row, measure_id in enumerate(document["measures"], start=1):
        cells = [flatten(document["by_team"][code].get(measure_id)) for code in team_codes]
        _write_row(by_team, row, [measure_id, _label(measure_id), *cells])
    by_team.set_column(0, 0, 36)
    by_team.set_column(1, 1, 50)
    by_team.freeze_panes(1, 2)

    definitions = workbook.add_worksheet(_("Definitions"))
    _write_row(definitions, 0, ["id", _("Measure"), _("Group"), _("Kind"), _("Definition")], bold)
    for row, measure_id in enumerate(document["measures"], start=1):
        measure = REGISTRY.get(measure_id)
        if measure is None:
            continue
        _write_row(
            definitions,
            row,
            [
                measure.id,
                str(measure.label),
                str(GROUP_LABELS.get(measure.group, measure.group)),
                str(KIND_LABELS[measure.kind]),
                str(measure.definition),
            ],
        )
    definitions.set_column(0, 0, 36)
    definitions.set_column(1, 1, 40)
    definitions.set_column(4, 4, 100)

    parameters = workbook.add_worksheet(_("Parameters"))
    _write_row(parameters, 0, [_("Parameter"), _("Value")], bold)
    for row, (name, value) in enumerate(document["parameters"].items(), start=1):
        _write_row(parameters, row, [name, flatten(value)])
    parameters.set_column(0, 1, 30)
    write_comparison_sheet(workbook, document.get("comparison"), bold)

    workbook.close()
    return buffer.getvalue()


def _print_css() -> str:
    return (Path(settings.BASE_DIR) / "static" / "reports" / "css" / "report-print.css").read_text(
        encoding="utf-8"
    )


def evaluation_html(context: dict) -> str:
    """The report as a standalone web page (styles included), from `report_context`."""
    return render_to_string(
        "reports/report_document.html", {"report": context, "print_css": _print_css()}
    )


def evaluation_pdf(html: str) -> bytes:
    """The same standalone page as a PDF (WeasyPrint renders its inline SVG charts)."""
    import weasyprint

    return weasyprint.HTML(string=html, base_url=None).write_pdf()


def warm_up() -> None:
    """Load what the first report's PDF and charts would otherwise wait for: WeasyPrint, its
    fonts and style machinery, and matplotlib's. A worker process calls it as it starts."""
    from .charts import bar_chart

    chart = bar_chart("warm-up", "Warm-up", ["A"], [("A", [1])])
    evaluation_pdf(
        f"<!DOCTYPE html><html lang='en'><head><style>{_print_css()}</style></head><body>"
        "<h1 class='govuk-heading-xl'>ECM</h1><table class='govuk-table'><tr>"
        f"<th class='govuk-table__header'>A</th><td class='govuk-table__cell'>1</td></tr></table>"
        f"{chart}</body></html>"
    )


# --- What the page and the PDF show -----------------------------------------------------------


def _number_text(value, *, percent: bool) -> str:
    if percent:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


#: Measures whose categories are codes of editable reference data, and which vocabulary.


def _name_in(names: dict[str, str], key) -> str:
    return names.get(str(key), str(key))


def shown(measure_id: str, value, category_names: dict | None = None) -> dict:
    """A value as the page shows it: {"text": ...} or {"entries": [(key, text), ...]}.

    `category_names` ({vocabulary: {code: name}}, `reports.vocabularies.category_names`) names
    the categories in the reader's language; a code without a name is shown as is.
    """
    measure = REGISTRY.get(measure_id)
    percent = bool(measure and measure.percent)
    category_text = measure.category_label if measure and measure.category_label else as_recorded
    vocabulary = (category_names or {}).get(CATEGORY_VOCABULARY.get(measure_id))
    if vocabulary:
        category_text = partial(_name_in, vocabulary)
    if value is None:
        return {"text": _("No data")}
    if value == SUPPRESSED:
        return {"text": _("Suppressed"), "suppressed": True}
    if isinstance(value, str):  # "<5" in reports run before complementary suppression
        return {"text": value, "suppressed": value.startswith("<")}
    if isinstance(value, dict):
        if not value:
            return {"text": _("None")}
        return {
            "entries": [
                (
                    category_text(key),
                    _("Suppressed")
                    if item == SUPPRESSED
                    else (
                        item
                        if isinstance(item, str)
                        else _number_text(item, percent=percent and isinstance(item, float))
                    ),
                )
                for key, item in value.items()
            ]
        }
    if isinstance(value, list):
        return {"text": ", ".join(category_text(item) for item in value) if value else _("None")}
    return {"text": _number_text(value, percent=percent)}


def _parameter_rows(parameters: dict, team_names: dict[str, str]) -> list[tuple[str, str]]:
    def day(text):
        return dates.in_words(date.fromisoformat(text)) if text else ""

    teams = parameters.get("teams")
    if teams == "all" or teams is None:
        teams_text = _("All teams")
    else:
        teams_text = ", ".join(team_names.get(code, code) for code in teams)
    threshold = parameters.get("suppression_threshold")
    return [
        (
            _("Referral period"),
            _("%(start)s to %(end)s")
            % {"start": day(parameters.get("date_from")), "end": day(parameters.get("date_to"))},
        ),
        (_("Teams"), teams_text),
        (_("Follow-up months"), str(parameters.get("follow_up_months", ""))),
        (_("Outcomes as of"), day(parameters.get("as_of"))),
        (
            _("Window for the first formulation"),
            _("%(days)s days") % {"days": parameters.get("fidelity_window_days", "")},
        ),
        (
            _("Small-number suppression"),
            _(
                "On: counts below %(threshold)s suppressed, and other counts where needed so "
                "that none can be worked out from the totals"
            )
            % {"threshold": threshold}
            if parameters.get("suppression")
            else _("Off"),
        ),
    ]


def report_context(
    document: dict,
    *,
    team_names: dict[str, str],
    max_teams: int | None = None,
    category_names: dict | None = None,
) -> dict:
    """Everything `reports/_report.html` needs, for the web page and the PDF alike.

    With `max_teams`, a report covering more teams than that shows the all-teams figures
    only (the per-team figures stay in the CSV and XLSX): laying out a PDF of every team's
    tables for a national report takes more memory than the worker should.
    """
    # matplotlib is loaded only where a report is drawn, not by every web process.
    from .charts import charts_for

    codes = list(document["by_team"])
    teams_left_out = 0
    if max_teams is not None and len(codes) > max_teams:
        teams_left_out, codes = len(codes), []
    team_pages = [
        codes[start : start + TEAM_COLUMNS] for start in range(0, len(codes), TEAM_COLUMNS)
    ]
    groups = []
    for group_id, group_label in GROUP_LABELS.items():
        ids = [
            measure.id
            for measure in REGISTRY.values()
            if measure.group == group_id and measure.id in document["measures"]
        ]
        if not ids:
            continue
        tables = []
        for page_number, page in enumerate(team_pages or [[]]):
            tables.append(
                {
                    "with_overall": page_number == 0,
                    "teams": [(code, team_names.get(code, code)) for code in page],
                    "rows": [
                        {
                            "id": measure_id,
                            "label": str(REGISTRY[measure_id].label),
                            "definition": str(REGISTRY[measure_id].definition),
                            "overall": shown(
                                measure_id, document["measures"][measure_id], category_names
                            ),
                            "cells": [
                                shown(
                                    measure_id,
                                    document["by_team"][code].get(measure_id),
                                    category_names,
                                )
                                for code in page
                            ],
                        }
                        for measure_id in ids
                    ],
                }
            )
        groups.append({"id": group_id, "label": str(group_label), "tables": tables})
    parameters = document["parameters"]
    return {
        "document": document,
        "teams_left_out": teams_left_out,
        "parameters": _parameter_rows(parameters, team_names),
        "suppression": parameters.get("suppression"),
        "threshold": parameters.get("suppression_threshold"),
        "groups": groups,
        "charts": charts_for(document),
        "comparison": comparison_context(document.get("comparison")),
    }


# --- The case-level evaluation dataset --------------------------------------------------------


def dataset_csv(dictionary: list[tuple[str, str]], rows: list[dict]) -> bytes:
    names = [name for name, _description in dictionary]
    return csv_bytes(names, ([row.get(name) for name in names] for row in rows))


def dictionary_csv(dictionary: list[tuple[str, str]]) -> bytes:
    return csv_bytes(["column", "description"], dictionary)


def dataset_xlsx(dictionary: list[tuple[str, str]], rows: list[dict]) -> bytes:
    """Sheets: Dataset (one row per young person) and Dictionary (what each column holds)."""
    buffer = io.BytesIO()
    workbook = _workbook(buffer, constant_memory=True)
    bold = workbook.add_format({"bold": True})
    names = [name for name, _description in dictionary]
    sheet = workbook.add_worksheet(_("Dataset"))
    _write_row(sheet, 0, names, bold)
    for row_number, row in enumerate(rows, start=1):
        _write_row(sheet, row_number, [row.get(name) for name in names])
    sheet.freeze_panes(1, 1)
    described = workbook.add_worksheet(_("Dictionary"))
    _write_row(described, 0, ["column", "description"], bold)
    for row_number, entry in enumerate(dictionary, start=1):
        _write_row(described, row_number, list(entry))
    described.set_column(0, 0, 32)
    described.set_column(1, 1, 90)
    workbook.close()
    return buffer.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_json(parameters: dict, files: list[dict]) -> bytes:
    """File names, kinds, data-row counts, sizes and SHA-256 of every file in the dataset."""
    return json_bytes({"parameters": parameters, "files": files})
