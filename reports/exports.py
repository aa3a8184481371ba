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
from django.utils.translation import gettext_lazy

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
    """UTF-8 JSON with no spaces: written by the json module's C encoder, which an indented
    document does not use (a fifth of a national report's time in Python;
    docs/benchmarks.md)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- Evaluation report writers -------------------------------------------------------------------


def _label(measure_id: str) -> str:
    measure = REGISTRY.get(measure_id)
    return str(measure.label) if measure else measure_id


#: The evaluation CSV's headings: one value a row, with the codes and their names.
CSV_HEADINGS = ["id", "label", "team", "team_name", "category", "category_name", "value"]


def _csv_value(value):
    """A value as the CSV holds it: numbers as numbers, `suppressed` as in the JSON, and an
    empty cell where there is no data."""
    return "" if value is None else value


def evaluation_csv_rows(
    document: dict,
    *,
    team_names: dict[str, str] | None = None,
    category_names: dict | None = None,
) -> list[list]:
    """One row per measure × category × (all teams, then each team): a breakdown is a row
    per category, a list a row per rank, each with its code and its name."""
    team_names = team_names or {}
    team_codes = list(document["by_team"])
    teams = [(ALL_TEAMS, _("All teams"))]
    teams += [(code, team_names.get(code, code)) for code in team_codes]
    rows = []
    for measure_id, code, name, values in _measure_rows(document, team_codes, category_names):
        label = _label(measure_id)
        for (team, team_name), value in zip(teams, values, strict=True):
            rows.append([measure_id, label, team, team_name, code, name, _csv_value(value)])
    return rows


def evaluation_csv(
    document: dict,
    *,
    team_names: dict[str, str] | None = None,
    category_names: dict | None = None,
) -> bytes:
    rows = evaluation_csv_rows(document, team_names=team_names, category_names=category_names)
    return csv_bytes(CSV_HEADINGS, rows)


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


#: What a target's status says, in words (never colour alone).
TARGET_STATUS_LABELS = {
    "met": gettext_lazy("Met"),
    "not_met": gettext_lazy("Not met"),
    "no_target": gettext_lazy("No target"),
}
TARGET_DIRECTION_LABELS = {
    "higher": gettext_lazy("Higher is better"),
    "lower": gettext_lazy("Lower is better"),
}


def target_of(document: dict, measure_id: str, team_code: str | None = None):
    """`(target, status)` recorded for a measure, overall or for one team, or None when the
    report carries no targets (one run before targets were set).

    A measure entry carries them as the keys `target` and `target_status` beside its
    `value`; a report may instead hold them apart, in `targets` (`{"measures": {id: entry},
    "by_team": {code: {id: entry}}}`).
    """
    values = document["measures"] if team_code is None else document["by_team"][team_code]
    entry = values.get(measure_id)
    if not (isinstance(entry, dict) and "target_status" in entry):
        apart = document.get("targets") or {}
        if team_code is None:
            entry = (apart.get("measures") or {}).get(measure_id)
        else:
            entry = ((apart.get("by_team") or {}).get(team_code) or {}).get(measure_id)
    if not isinstance(entry, dict) or "target_status" not in entry:
        return None
    return entry.get("target"), entry["target_status"]


def has_targets(document: dict) -> bool:
    """Whether any target was in force for the report (overall or for a team): only then do
    its outputs give each value a target and a status ("No target" where none applies)."""
    apart = document.get("targets") or {}
    entries = [
        *(apart.get("measures") or {}).values(),
        *(entry for team in (apart.get("by_team") or {}).values() for entry in team.values()),
        *(entry for entry in document["measures"].values() if isinstance(entry, dict)),
    ]
    return any(isinstance(entry, dict) and entry.get("target") for entry in entries)


def value_of(entry):
    """A measure's value from its entry (the entry itself unless it carries a target)."""
    if isinstance(entry, dict) and "target_status" in entry:
        return entry.get("value")
    return entry


def _category_namer(measure_id: str, category_names: dict | None):
    """code → name for a measure's categories, in the reader's language."""
    measure = REGISTRY.get(measure_id)
    vocabulary = (category_names or {}).get(CATEGORY_VOCABULARY.get(measure_id))
    if vocabulary:
        return partial(_name_in, vocabulary)
    return measure.category_label if measure and measure.category_label else as_recorded


class _Formats:
    """The workbook's cell formats: headings, wrapped text, whole numbers, decimals, percent."""

    def __init__(self, workbook):
        self.heading = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.text = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.whole = workbook.add_format({"num_format": "#,##0", "valign": "top"})
        self.decimal = workbook.add_format({"num_format": "#,##0.0#", "valign": "top"})
        self.percent = workbook.add_format({"num_format": "0.0%", "valign": "top"})

    def number(self, value, *, percent: bool):
        if percent:
            return self.percent
        return self.decimal if isinstance(value, float) else self.whole


def _write_cells(sheet, row_number: int, cells, formats: _Formats, *, percent=False):
    """One row: numbers as numbers (in percent where `percent`), text as text, one value a
    cell; a cell given as `(value, True)` is a percentage whatever `percent` says."""
    for column, cell in enumerate(cells):
        as_percent = percent
        if isinstance(cell, tuple):
            cell, as_percent = cell
        if cell is None or cell == "":
            sheet.write_blank(row_number, column, None)
        elif isinstance(cell, bool):
            sheet.write_number(row_number, column, int(cell), formats.whole)
        elif isinstance(cell, int | float):
            sheet.write_number(row_number, column, cell, formats.number(cell, percent=as_percent))
        else:
            sheet.write_string(row_number, column, str(cell), formats.text)


def _cell(value, *, percent: bool):
    """A measure value as one spreadsheet cell: a number, or what stands in for one."""
    if value is None:
        return _("No data")
    if value == SUPPRESSED:
        return _("Suppressed")
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return (value, percent)
    return str(value)


def _breakdown(measure_id: str, values: list, namer) -> list[tuple[str, str]]:
    """(code, name) of every category the measure has in any of `values`, in first-seen
    order; [("", "")] for a measure that is a single number."""
    seen: dict[str, str] = {}
    for value in values:
        if isinstance(value, dict) and "target_status" not in value:
            for key in value:
                seen.setdefault(str(key), namer(key))
        elif isinstance(value, list):
            for rank in range(1, len(value) + 1):
                seen.setdefault(str(rank), _("Rank %(rank)s") % {"rank": rank})
    return list(seen.items()) or [("", "")]


def _category_value(value, code: str, namer, *, counted: bool):
    """The value of one category (`code`) of a breakdown, or the value itself; a category
    a breakdown of counts leaves out counted none."""
    if code == "":
        return value
    if isinstance(value, dict):
        missing = 0 if counted else None
        return value.get(code, value.get(int(code), missing) if code.isdigit() else missing)
    if isinstance(value, list):
        rank = int(code)
        return namer(value[rank - 1]) if rank <= len(value) else None
    return value if value in (None, SUPPRESSED) else None


def _measure_rows(document: dict, team_codes: list[str], category_names: dict | None):
    """Per measure and category: (measure, code, name, [overall value, value per team])."""
    for measure_id, entry in document["measures"].items():
        values = [value_of(entry)] + [
            value_of(document["by_team"][code].get(measure_id)) for code in team_codes
        ]
        namer = _category_namer(measure_id, category_names)
        measure = REGISTRY.get(measure_id)
        counted = bool(measure and measure.category_kind == "count")
        for code, name in _breakdown(measure_id, values, namer):
            yield (
                measure_id,
                code,
                name,
                [_category_value(value, code, namer, counted=counted) for value in values],
            )


def _group_label(measure_id: str) -> str:
    measure = REGISTRY.get(measure_id)
    return str(GROUP_LABELS.get(measure.group, measure.group)) if measure else ""


def _target_cells(document, measure_id, code, team_code, percent):
    """Target, whether higher or lower is better, and the status, for a measure's row."""
    found = target_of(document, measure_id, team_code)
    if found is None or code != "":
        return ["", "", ""]
    target, status = found
    target = target or {}
    return [
        _cell(target.get("value"), percent=percent) if target.get("value") is not None else "",
        str(TARGET_DIRECTION_LABELS.get(target.get("direction"), "")),
        str(TARGET_STATUS_LABELS.get(status, status)),
    ]


def _sheet(workbook, title, headings, widths, formats, *, freeze_columns=0):
    sheet = workbook.add_worksheet(title)
    for column, cell in enumerate(headings):
        sheet.write_string(0, column, str(cell), formats.heading)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, freeze_columns)
    return sheet


def evaluation_xlsx(
    document: dict,
    *,
    team_names: dict[str, str] | None = None,
    category_names: dict | None = None,
) -> bytes:
    """Sheets: Measures (all teams), By team (a column per team), Definitions, Parameters,
    and, where the report has targets, Targets by team.

    One value per cell: a breakdown (by need, by agency …) is a row per category, named in
    the reader's language; numbers are numbers, rates in percent. Sheet names, headings and
    names are in the language the run was requested in. The measure id and category code
    close each row, for joining with the JSON.
    """
    buffer = io.BytesIO()
    workbook = _workbook(buffer)
    formats = _Formats(workbook)
    team_codes = list(document["by_team"])
    team_names = team_names or {}
    rows = list(_measure_rows(document, team_codes, category_names))
    with_targets = has_targets(document)
    target_headings = [_("Target"), _("Better when"), _("Status")] if with_targets else []

    measures = _sheet(
        workbook,
        _("Measures"),
        [_("Group"), _("Measure"), _("Category"), _("All teams"), *target_headings]
        + [_("Measure id"), _("Category code")],
        [22, 46, 34, 14, *([12, 18, 12] if with_targets else []), 30, 22],
        formats,
        freeze_columns=3,
    )
    by_team = _sheet(
        workbook,
        _("By team"),
        [_("Group"), _("Measure"), _("Category"), _("All teams")]
        + [team_names.get(code, code) for code in team_codes]
        + [_("Measure id"), _("Category code")],
        [22, 46, 34, 14, *[16] * len(team_codes), 30, 22],
        formats,
        freeze_columns=3,
    )
    for number, (measure_id, code, name, values) in enumerate(rows, start=1):
        measure = REGISTRY.get(measure_id)
        percent = bool(measure and measure.percent)
        head = [_group_label(measure_id), _label(measure_id), name]
        cells = [_cell(value, percent=percent) for value in values]
        targets = _target_cells(document, measure_id, code, None, percent)
        _write_cells(
            measures,
            number,
            [*head, cells[0], *(targets if with_targets else []), measure_id, code],
            formats,
        )
        _write_cells(by_team, number, [*head, *cells, measure_id, code], formats)

    if with_targets:
        targets = _sheet(
            workbook,
            _("Targets by team"),
            [_("Group"), _("Measure"), _("Team"), _("Value"), *target_headings, _("Measure id")],
            [22, 46, 30, 14, 12, 18, 12, 30],
            formats,
            freeze_columns=3,
        )
        number = 0
        for measure_id in document["measures"]:
            measure = REGISTRY.get(measure_id)
            percent = bool(measure and measure.percent)
            for code in team_codes:
                if (target_of(document, measure_id, code) or (None,))[0] is None:
                    continue
                number += 1
                value = value_of(document["by_team"][code].get(measure_id))
                _write_cells(
                    targets,
                    number,
                    [
                        _group_label(measure_id),
                        _label(measure_id),
                        team_names.get(code, code),
                        _cell(value, percent=percent) if not isinstance(value, dict) else "",
                        *_target_cells(document, measure_id, "", code, percent),
                        measure_id,
                    ],
                    formats,
                )

    definitions = _sheet(
        workbook,
        _("Definitions"),
        [_("Group"), _("Measure"), _("Kind"), _("Definition"), _("Measure id")],
        [22, 40, 26, 90, 30],
        formats,
        freeze_columns=2,
    )
    for number, measure_id in enumerate(document["measures"], start=1):
        measure = REGISTRY.get(measure_id)
        if measure is None:
            continue
        _write_cells(
            definitions,
            number,
            [
                _group_label(measure_id),
                str(measure.label),
                str(KIND_LABELS[measure.kind]),
                str(measure.definition),
                measure.id,
            ],
            formats,
        )

    parameters = _sheet(workbook, _("Parameters"), [_("Parameter"), _("Value")], [34, 90], formats)
    for number, (name, value) in enumerate(
        _parameter_rows(document["parameters"], team_names), start=1
    ):
        _write_cells(parameters, number, [name, int(value) if value.isdigit() else value], formats)

    write_comparison_sheet(workbook, document.get("comparison"), formats.heading)
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


def shown_with_target(
    document: dict, measure_id: str, team_code, category_names, *, with_targets: bool = True
) -> dict:
    """`shown` for a measure overall (`team_code` None) or for a team, with its target in
    words where the report has targets (`has_targets`): {"target": {"value", "direction",
    "status"}}."""
    values = document["measures"] if team_code is None else document["by_team"][team_code]
    cell = shown(measure_id, value_of(values.get(measure_id)), category_names)
    found = target_of(document, measure_id, team_code) if with_targets else None
    if found is not None:
        target, status = found
        target = target or {}
        measure = REGISTRY.get(measure_id)
        number = target.get("value")
        cell["target"] = {
            "value": ""
            if number is None
            else _number_text(number, percent=bool(measure and measure.percent)),
            "direction": str(TARGET_DIRECTION_LABELS.get(target.get("direction"), "")),
            "status": str(TARGET_STATUS_LABELS.get(status, status)),
        }
    return cell


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
    with_targets = has_targets(document)
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
                            "overall": shown_with_target(
                                document,
                                measure_id,
                                None,
                                category_names,
                                with_targets=with_targets,
                            ),
                            "cells": [
                                shown_with_target(
                                    document,
                                    measure_id,
                                    code,
                                    category_names,
                                    with_targets=with_targets,
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


class _DatasetCsv:
    """The dataset as CSV, written a row at a time (`add`); `finish` gives the bytes."""

    def __init__(self, names: list[str]):
        self.names = names
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")
        self.writer.writerow([csv_safe(name) for name in names])

    def add(self, row) -> None:
        self.writer.writerow([csv_safe(row.get(name)) for name in self.names])

    def finish(self) -> bytes:
        return self.buffer.getvalue().encode("utf-8")


#: The data dictionary's headings: a row per column, then a row per code it holds.
DICTIONARY_HEADINGS = ["column", "description", "code", "label_en", "label_cy"]


def dictionary_rows(dictionary: list[tuple[str, str]], codes=()) -> list[list[str]]:
    """Each column's row (name and description), followed by a row for each code the column
    holds or is named after, with its English and Welsh names (`dataset.dictionary_codes`)."""
    by_column: dict[str, list] = {}
    for column, code, english, welsh in codes:
        by_column.setdefault(column, []).append([column, "", code, english, welsh])
    rows = []
    for column, description in dictionary:
        rows.append([column, description, "", "", ""])
        rows += by_column.get(column, [])
    return rows


def dictionary_csv(dictionary: list[tuple[str, str]], codes=()) -> bytes:
    return csv_bytes(DICTIONARY_HEADINGS, dictionary_rows(dictionary, codes))


class _DatasetXlsx:
    """Sheets: Dataset (one row per young person, the columns as codes for analysis) and
    Dictionary (what each column holds, and the English and Welsh name of every code);
    the rows written a row at a time (`add`), `finish` gives the bytes."""

    def __init__(self, dictionary: list[tuple[str, str]], codes=()):
        self.dictionary, self.codes = dictionary, codes
        self.names = [name for name, _description in dictionary]
        self.buffer = io.BytesIO()
        self.workbook = _workbook(self.buffer, constant_memory=True)
        self.formats = _Formats(self.workbook)
        self.sheet = self.workbook.add_worksheet(_("Dataset"))
        self.sheet.set_column(0, 0, 24)
        self.sheet.set_column(1, len(self.names) - 1, 16)
        self.sheet.freeze_panes(1, 1)
        _write_row(self.sheet, 0, self.names, self.formats.heading)
        self.written = 0

    def add(self, row) -> None:
        self.written += 1
        _write_row(self.sheet, self.written, [row.get(name) for name in self.names])

    def finish(self) -> bytes:
        described = _sheet(
            self.workbook,
            _("Dictionary"),
            [_("Column"), _("Description"), _("Code"), _("English"), _("Welsh")],
            [36, 80, 26, 40, 40],
            self.formats,
            freeze_columns=1,
        )
        entries = dictionary_rows(self.dictionary, self.codes)
        for row_number, entry in enumerate(entries, start=1):
            _write_cells(described, row_number, entry, self.formats)
        self.workbook.close()
        return self.buffer.getvalue()


def dataset_files(dictionary: list[tuple[str, str]], rows, codes=()) -> tuple[bytes, bytes, int]:
    """(CSV, XLSX, rows) of the dataset, both files written in one pass over `rows`, so
    that the rows can be streamed (`dataset.dataset_stream`) rather than all held at once:
    at national scale holding them took a report worker over its memory target
    (docs/benchmarks.md)."""
    csv_file = _DatasetCsv([name for name, _description in dictionary])
    xlsx_file = _DatasetXlsx(dictionary, codes)
    count = 0
    for row in rows:
        count += 1
        csv_file.add(row)
        xlsx_file.add(row)
    return csv_file.finish(), xlsx_file.finish(), count


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_json(parameters: dict, files: list[dict]) -> bytes:
    """File names, kinds, data-row counts, sizes and SHA-256 of every file in the dataset."""
    return json_bytes({"parameters": parameters, "files": files})
