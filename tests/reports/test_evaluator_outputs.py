"""Outputs an evaluator can use: labels rather than codes, a spreadsheet with one value per
cell (numbers as numbers, rates in percent, frozen headings, readable widths), targets in
words, PDF tables that fit the page, and a data dictionary that expands every code."""

import io
import re

import openpyxl
import pytest
from django.utils import translation

from reports import exports
from reports.models import FileKind
from tests.reports.test_exports import (  # noqa: F401 - fixtures
    cohort,
    content,
    media_root,
    produced,
    quick_pdf,
    report,
)

#: A code as stored (`send_aln`, `childrens_services`, `blaenau-gwent`): what a reader should
#: never have to decode.
CODE = re.compile(r"^[a-z0-9]+([_-][a-z0-9]+)+$")


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def rows_of(sheet) -> list[dict]:
    """A sheet's rows as {heading: cell}."""
    cells = list(sheet.iter_rows())
    headings = [cell.value for cell in cells[0]]
    return [dict(zip(headings, row, strict=True)) for row in cells[1:]]


# --- The spreadsheet ------------------------------------------------------------------------------


def test_a_breakdown_is_a_row_per_category_named_with_a_number_in_each_cell(report):  # noqa: F811
    sheet = workbook(content(report, FileKind.XLSX))["Measures"]
    needs = [row for row in rows_of(sheet) if row["Measure id"].value == "need_counts"]
    by_name = {row["Category"].value: row["All teams"].value for row in needs}
    assert by_name["Substance misuse"] >= 1
    assert len(needs) >= 2
    assert all(row["Measure"].value == "Needs" for row in needs)
    assert all(isinstance(row["All teams"].value, int) for row in needs)
    assert all(not CODE.match(row["Category"].value) for row in needs)
    # The code is kept, last, for joining with the JSON.
    assert {row["Category code"].value for row in needs} >= {"substance_misuse"}


def test_no_cell_packs_several_values(report):  # noqa: F811
    book = workbook(content(report, FileKind.XLSX))
    for name in ("Measures", "By team"):
        for row in rows_of(book[name]):
            for heading, cell in row.items():
                if heading in ("Group", "Measure", "Category", "Measure id", "Category code"):
                    continue
                assert not isinstance(cell.value, str) or (
                    "|" not in cell.value and "=" not in cell.value and ": " not in cell.value
                ), (name, heading, cell.value)


def test_numbers_are_numbers_and_rates_are_percentages(report):  # noqa: F811
    rows = {
        (row["Measure id"].value, row["Category code"].value): row
        for row in rows_of(workbook(content(report, FileKind.XLSX))["By team"])
    }
    referrals = rows[("referrals", None)]
    assert referrals["All teams"].value == 5
    assert referrals["All teams"].number_format == "#,##0"
    assert referrals["Team A"].value == 3
    rate = rows[("attendance_rate", None)]["All teams"]
    assert isinstance(rate.value, float) and 0 <= rate.value <= 1
    assert rate.number_format == "0.0%"
    mean = rows[("mean_age_at_start", None)]["All teams"]
    assert mean.value == 15.3
    assert mean.number_format == "#,##0.0#"


def test_every_sheet_freezes_its_headings_and_has_readable_columns(report):  # noqa: F811
    book = workbook(content(report, FileKind.XLSX))
    # The comparison's sheet holds three tables, each under its own heading row, so it
    # freezes its first column instead (tests/reports/test_comparison.py).
    for sheet in (sheet for sheet in book if sheet.title != "Comparison"):
        assert sheet.freeze_panes is not None and sheet.freeze_panes[-1] == "2", sheet.title
        assert sheet.column_dimensions["A"].width >= 20, sheet.title
        assert sheet.column_dimensions["B"].width >= 30, sheet.title
        assert all(cell.font.bold for cell in sheet[1]), sheet.title


def test_the_spreadsheet_names_teams_categories_and_parameters_in_words(report):  # noqa: F811
    book = workbook(content(report, FileKind.XLSX))
    headings = [cell.value for cell in book["By team"][1]]
    assert headings[:6] == ["Group", "Measure", "Category", "All teams", "Team A", "Team B"]
    for name in ("Measures", "By team", "Definitions", "Parameters"):
        for row in rows_of(book[name]):
            for heading, cell in row.items():
                if heading in ("Measure id", "Category code"):
                    continue
                assert not (isinstance(cell.value, str) and CODE.match(cell.value)), (
                    name,
                    heading,
                    cell.value,
                )
    parameters = {row["Parameter"].value: row["Value"].value for row in rows_of(book["Parameters"])}
    assert parameters["Referral period"] == "1 January 2024 to 31 December 2024"
    assert parameters["Small-number suppression"] == "Off"


def test_a_welsh_spreadsheet_says_everything_in_welsh(cohort, evaluator):  # noqa: F811
    with translation.override("cy"):
        book = workbook(content(produced(evaluator), FileKind.XLSX))
    headings = [cell.value for cell in book["Mesurau"][1]]
    assert headings[:4] == ["Grŵp", "Mesur", "Categori", "Pob tîm"]
    categories = {
        row["Categori"].value
        for row in rows_of(book["Mesurau"])
        if row["Dynodydd y mesur"].value == "gender"
    }
    assert "Gwryw" in categories


def test_suppressed_and_missing_figures_are_said_in_words(cohort, evaluator):  # noqa: F811
    run = produced(evaluator, suppression=True, suppression_threshold=3)
    rows = {
        (row["Measure id"].value, row["Category code"].value): row
        for row in rows_of(workbook(content(run, FileKind.XLSX))["By team"])
    }
    assert rows[("withdrawn", None)]["All teams"].value == "Suppressed"
    assert rows[("referrals", None)]["Team B"].value == "Suppressed"


def document_with_targets() -> dict:
    target = {
        "value": 0.8,
        "direction": "higher",
        "scope": "national",
        "period_start": None,
        "period_end": None,
        "version": 1,
    }
    return {
        "parameters": {"date_from": "2024-01-01", "date_to": "2024-12-31"},
        "measures": {"attendance_rate": 0.75, "referrals": 5},
        "by_team": {
            "a": {"attendance_rate": 0.85, "referrals": 3},
            "b": {"attendance_rate": 0.5, "referrals": 2},
        },
        "targets": {
            "measures": {
                "attendance_rate": {"target": target, "target_status": "not_met"},
                "referrals": {"target": None, "target_status": "no_target"},
            },
            "by_team": {
                "a": {"attendance_rate": {"target": target, "target_status": "met"}},
                "b": {"attendance_rate": {"target": target, "target_status": "not_met"}},
            },
        },
    }


def test_targets_and_their_status_are_columns_in_words():
    book = workbook(
        exports.evaluation_xlsx(document_with_targets(), team_names={"a": "Team A", "b": "B"})
    )
    rows = {row["Measure id"].value: row for row in rows_of(book["Measures"])}
    attendance = rows["attendance_rate"]
    assert attendance["All teams"].value == 0.75
    assert attendance["Target"].value == 0.8
    assert attendance["Target"].number_format == "0.0%"
    assert attendance["Better when"].value == "Higher is better"
    assert attendance["Status"].value == "Not met"
    assert rows["referrals"]["Status"].value == "No target"
    by_team = [
        (row["Team"].value, row["Value"].value, row["Status"].value)
        for row in rows_of(book["Targets by team"])
    ]
    assert by_team == [("Team A", 0.85, "Met"), ("B", 0.5, "Not met")]


def test_targets_carried_on_each_measure_entry_are_read_too():
    target = {"value": 3, "direction": "lower", "scope": "a", "version": 2}
    document = {
        "parameters": {},
        "measures": {"referrals": {"value": 5, "target": target, "target_status": "not_met"}},
        "by_team": {"a": {"referrals": {"value": 3, "target": target, "target_status": "met"}}},
    }
    rows = rows_of(workbook(exports.evaluation_xlsx(document))["Measures"])
    assert [(row["All teams"].value, row["Target"].value) for row in rows] == [(5, 3)]
    assert rows[0]["Better when"].value == "Lower is better"


def test_a_report_without_targets_has_no_target_columns(report):  # noqa: F811
    book = workbook(content(report, FileKind.XLSX))
    assert "Target" not in [cell.value for cell in book["Measures"][1]]
    assert "Targets by team" not in book.sheetnames


# --- The data dictionary ----------------------------------------------------------------------


@pytest.fixture
def dictionary(cohort, evaluator):  # noqa: F811
    from tests.reports.test_exports import csv_rows

    run = produced(evaluator, kind="evaluation_dataset")
    return run, csv_rows(content(run, FileKind.DICTIONARY))


def test_the_dictionary_lists_every_code_of_a_coded_column_in_english_and_welsh(dictionary):
    _run, rows = dictionary
    codes = {(row["column"], row["code"]): (row["label_en"], row["label_cy"]) for row in rows}
    assert codes[("gender", "female")] == ("Female", "Benyw")
    assert codes[("end_reason", "withdrawn")][0] == "Withdrawn"
    assert codes[("team_code", "a")][0] == "Team A"
    assert codes[("withdrawal_reason", "moved_away")][0] == "Moved away"
    assert codes[("consent_refusal_reason", "moved_away")][0] == "Moved away"
    assert codes[("trm_first_stage", "1")][0]
    need = codes[("need_substance_misuse", "substance_misuse")]
    assert need == ("Substance misuse", "Camddefnyddio sylweddau")
    assert codes[("distance_self_confidence_self_first", "self_confidence")][0] == (
        "Self-confidence"
    )


def test_every_coded_column_has_its_codes_in_the_dictionary(dictionary):
    _run, rows = dictionary
    described = [row["column"] for row in rows if not row["code"]]
    expanded = {row["column"] for row in rows if row["code"]}
    coded = [
        column
        for column in described
        if column in ("team_code", "gender", "end_reason", "trm_first_stage", "trm_latest_stage")
        or column in ("withdrawal_reason", "consent_refusal_reason")
        or column.startswith(("need_", "purpose_", "distance_"))
    ]
    assert coded and set(coded) <= expanded
    assert "ecm_start_period" in described and "days_in_ecm" in described


def test_the_dataset_spreadsheet_has_the_dictionary_with_its_codes(dictionary):
    run, _rows = dictionary
    book = workbook(content(run, FileKind.DATASET_XLSX))
    sheet = book["Dictionary"]
    assert [cell.value for cell in sheet[1]] == [
        "Column",
        "Description",
        "Code",
        "English",
        "Welsh",
    ]
    assert ["gender", None, "male", "Male", "Gwryw"] in [
        [cell.value for cell in row] for row in sheet.iter_rows()
    ]
    assert book["Dataset"].freeze_panes == "B2"
    data = rows_of(book["Dataset"])
    assert isinstance(data[0]["days_in_ecm"].value, int)


# --- The PDF --------------------------------------------------------------------------------------


def test_pdf_tables_fit_landscape_pages_whatever_the_team_names(report):  # noqa: F811
    """Six teams with long names (one a single unbreakable word): every box stays inside its
    page, and the measure tables are on landscape pages; the charts stay portrait."""
    import json

    import weasyprint

    from reports import vocabularies

    document = json.loads(content(report, FileKind.JSON))
    names = {}
    for number in range(6):
        code = f"team-{number}"
        document["by_team"][code] = document["by_team"]["a"]
        names[code] = f"Blaenau Gwent, Caerphilly and Torfaen Youth Justice Service {number}"
    names["team-5"] = "Gwasanaeth-Cyfiawnder-Ieuenctid-Blaenau-Gwent-a-Chaerffili"
    document["by_team"] = {code: document["by_team"][code] for code in names}
    html = exports.evaluation_html(
        exports.report_context(
            document, team_names=names, category_names=vocabularies.category_names()
        )
    )
    pages = weasyprint.HTML(string=html).render().pages
    for number, page in enumerate(pages, start=1):
        right = max(
            box.position_x + box.margin_width()
            for box in page._page_box.descendants()
            if getattr(box, "width", None) is not None
        )
        assert right <= page.width + 0.5, f"page {number} is cut off at the right"
    landscape = [page.width > page.height for page in pages]
    assert landscape[0] is False  # the charts
    assert True in landscape  # the measures (the comparison after them is portrait again)
    assert "table-layout: fixed" in exports._print_css()


def test_the_report_page_and_pdf_show_each_target_and_its_status_in_words(db):
    from django.utils.html import strip_tags

    html = exports.evaluation_html(
        exports.report_context(document_with_targets(), team_names={"a": "Team A", "b": "B"})
    )
    text = " ".join(strip_tags(html).split())
    assert "75.0% Target: 80.0% (Higher is better). Status: Not met" in text
    assert "85.0% Target: 80.0% (Higher is better). Status: Met" in text
    assert "Status: No target" in text
    with translation.override("cy"):
        welsh = exports.evaluation_html(
            exports.report_context(document_with_targets(), team_names={})
        )
    assert "Targed: 80.0% (Gorau po uchaf). Statws: Heb ei fodloni" in " ".join(
        strip_tags(welsh).split()
    )
