"""What a report run writes: the JSON of DESIGN.md section 8 exactly, CSV (formula-safe),
XLSX, PDF and HTML with charts, small-number suppression, and the case-level dataset with
its data dictionary and manifest."""

import csv
import io
import json
import re
import zipfile
from datetime import date

import pytest
from django.utils import translation

from accounts.models import Agency, Team
from reports import exports
from reports.exports import csv_safe
from reports.measures import REGISTRY
from reports.models import FileKind
from reports.services.requests import report_request
from reports.tasks import run_report_task
from tests.reports.test_measures import cohort  # noqa: F401 - the worked cohort fixture

PERIOD = {
    "date_from": date(2024, 1, 1),
    "date_to": date(2024, 12, 31),
    "as_of": date(2026, 6, 30),
    "follow_up_months": 12,
    "fidelity_window_days": 56,
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT


REAL_PDF = exports.evaluation_pdf


@pytest.fixture(autouse=True)
def quick_pdf(monkeypatch):
    """WeasyPrint takes seconds per report: only the PDF test below makes a real one."""
    monkeypatch.setattr(exports, "evaluation_pdf", lambda html: b"%PDF-1.7 stand-in")


def produced(by, kind="evaluation", **parameters):
    run = report_request(by=by, kind=kind, parameters={**PERIOD, **parameters}, enqueue=False)
    run_report_task.apply(args=(run.pk,))
    run.refresh_from_db()
    assert run.status == "succeeded", run.error_message
    return run


def content(run, kind) -> bytes:
    report_file = run.files.get(kind=kind)
    with report_file.file.open("rb") as stored:
        return stored.read()


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


@pytest.fixture
def report(cohort, evaluator):  # noqa: F811
    """One evaluation report on the worked cohort (no suppression)."""
    return produced(evaluator)


# --- JSON -----------------------------------------------------------------------------------------


def test_json_is_exactly_parameters_measures_and_by_team(report):
    document = json.loads(content(report, FileKind.JSON))
    assert list(document) == ["parameters", "measures", "by_team", "targets", "comparison"]
    assert document["parameters"] == {
        "date_from": "2024-01-01",
        "date_to": "2024-12-31",
        "teams": "all",
        "follow_up_months": 12,
        "as_of": "2026-06-30",
        "fidelity_window_days": 56,
        "suppression": False,
        "suppression_threshold": 5,
    }
    assert sorted(document["measures"]) == sorted(REGISTRY)
    assert list(document["measures"])[:3] == ["referrals", "eligible", "consented"]
    assert list(document["by_team"]) == ["a", "b"]
    assert all(
        list(values) == list(document["measures"]) for values in document["by_team"].values()
    )


def test_json_holds_the_measure_values_overall_and_by_team(report):
    document = json.loads(content(report, FileKind.JSON))
    assert document["measures"]["referrals"] == 5
    assert document["by_team"]["a"]["referrals"] == 3
    assert document["measures"]["gender"] == {"female": 1, "male": 3}
    assert document["measures"]["attendance_rate"] == 0.667
    assert document["by_team"]["b"]["attendance_rate"] is None


# --- CSV ------------------------------------------------------------------------------------------


def test_csv_has_a_row_per_measure_for_all_teams_and_each_team(report):
    rows = csv_rows(content(report, FileKind.CSV))
    assert list(rows[0]) == [
        "id",
        "label",
        "team",
        "team_name",
        "category",
        "category_name",
        "value",
    ]
    single = [row for row in rows if not row["category"]]
    assert {row["id"] for row in rows} == set(REGISTRY)
    referrals = [
        (row["team"], row["team_name"], row["value"]) for row in rows if row["id"] == "referrals"
    ]
    assert referrals == [("all", "All teams", "5"), ("a", "Team A", "3"), ("b", "Team B", "2")]
    assert len(single) % 3 == 0
    assert report.files.get(kind=FileKind.CSV).rows == len(rows)


def test_csv_has_one_value_a_row_with_each_category_named(report):
    rows = {
        (row["id"], row["team"], row["category"]): row
        for row in csv_rows(content(report, FileKind.CSV))
    }
    female = rows[("gender", "all", "female")]
    assert (female["category_name"], female["value"]) == ("Female", "1")
    assert rows[("gender", "all", "male")]["value"] == "3"
    top = rows[("top_needs", "all", "1")]
    assert (top["category_name"], top["value"]) == ("Rank 1", "Substance misuse")
    assert rows[("attendance_rate", "b", "")]["value"] == ""


@pytest.mark.parametrize(
    "dangerous", ["=1+1", "+1", "-1+cmd", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("x")']
)
def test_csv_safe_neutralises_cells_a_spreadsheet_would_run(dangerous):
    assert csv_safe(dangerous) == "'" + dangerous


@pytest.mark.parametrize("harmless", ["Team A", "a=b", "plain text", "1+1"])
def test_csv_safe_leaves_ordinary_text_alone(harmless):
    assert csv_safe(harmless) == harmless


def test_csv_safe_leaves_numbers_as_numbers():
    assert (csv_safe(-3), csv_safe(0.5), csv_safe(None)) == (-3, 0.5, "")


def test_every_csv_writer_neutralises_formula_cells():
    document = {
        "parameters": {},
        "measures": {"gender": {"=cmd|' /C calc'!A0": 1}},
        "by_team": {"@team": {"gender": {"+x": 2}}},
    }
    report_rows = list(csv.reader(io.StringIO(exports.evaluation_csv(document).decode())))
    dataset = exports.dataset_files([("=name", "-description")], [{"=name": "@payload"}])[0]
    dataset_rows = list(csv.reader(io.StringIO(dataset.decode())))
    dictionary = exports.dictionary_csv([("@column", "=description")])
    dictionary_rows = list(csv.reader(io.StringIO(dictionary.decode())))
    cells = [
        cell
        for rows in (report_rows, dataset_rows, dictionary_rows)
        for row in rows
        for cell in row
    ]
    assert not [cell for cell in cells if cell.startswith(exports.FORMULA_PREFIXES)]
    assert "'=cmd|' /C calc'!A0" in cells
    assert "'@team" in cells


# --- XLSX -----------------------------------------------------------------------------------------


def sheet_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as workbook:
        xml = workbook.read("xl/workbook.xml").decode()
    return re.findall(r'<sheet name="([^"]+)"', xml)


def test_xlsx_has_measures_by_team_and_definitions_sheets(report):
    assert sheet_names(content(report, FileKind.XLSX)) == [
        "Measures",
        "By team",
        "Definitions",
        "Parameters",
        "Comparison",
    ]


def cells_of_row(data: bytes, sheet: int, row: int = 1) -> list[str]:
    """The text of a row of a sheet (both 1-based), through the shared
    strings."""
    with zipfile.ZipFile(io.BytesIO(data)) as workbook:
        strings = re.findall(r"<t[^>]*>([^<]*)</t>", workbook.read("xl/sharedStrings.xml").decode())
        xml = workbook.read(f"xl/worksheets/sheet{sheet}.xml").decode()
    cells = re.search(rf'<row r="{row}".*?</row>', xml, re.S).group(0)
    return [strings[int(index)] for index in re.findall(r'<c [^>]*t="s"[^>]*><v>(\d+)</v>', cells)]


def test_the_definitions_sheet_says_what_kind_of_value_each_measure_is_in_words(report):
    data = content(report, FileKind.XLSX)

    assert cells_of_row(data, 3) == ["Group", "Measure", "Kind", "Definition", "Measure id"]
    first = cells_of_row(data, 3, row=2)
    assert first[4] == "referrals"
    assert first[2] == "Count of young people or events"


def test_a_report_asked_for_in_welsh_has_welsh_sheet_names_and_team_names(
    cohort,  # noqa: F811
    evaluator,
):
    Team.objects.filter(code="a").update(name_cy="Tîm A Cymraeg")
    with translation.override("cy"):
        run = produced(evaluator)
    data = content(run, FileKind.XLSX)
    assert sheet_names(data) == ["Mesurau", "Fesul tîm", "Diffiniadau", "Paramedrau", "Cymhariaeth"]
    # The By team sheet names each team in Welsh (the English name where it has no Welsh).
    assert cells_of_row(data, 2) == [
        "Grŵp",
        "Mesur",
        "Categori",
        "Pob tîm",
        "Tîm A Cymraeg",
        "Team B",
        "Dynodydd y mesur",
        "Cod y categori",
    ]


def test_a_report_asked_for_in_english_names_its_teams_in_english(report):
    data = content(report, FileKind.XLSX)
    assert cells_of_row(data, 2)[3:6] == ["All teams", "Team A", "Team B"]


def test_the_report_names_needs_and_agencies_in_the_language_it_was_asked_in(
    cohort,  # noqa: F811
    evaluator,
):
    Agency.objects.filter(code="police").update(name="Police", name_cy="Heddlu")
    with translation.override("cy"):
        welsh = content(produced(evaluator), FileKind.HTML).decode()
    english = content(produced(evaluator), FileKind.HTML).decode()
    assert "Camddefnyddio sylweddau, " in welsh  # the most common needs
    assert "Heddlu" in welsh
    assert "Substance misuse, " in english
    assert "Police" in english
    assert "substance_misuse" not in welsh and "substance_misuse" not in english


def test_a_dataset_asked_for_in_welsh_has_welsh_sheet_names(cohort, evaluator):  # noqa: F811
    with translation.override("cy"):
        run = produced(evaluator, kind="evaluation_dataset")
    assert sheet_names(content(run, FileKind.DATASET_XLSX)) == ["Set ddata", "Geiriadur"]


def test_xlsx_writes_formula_like_text_as_text_never_as_a_formula():
    document = {"parameters": {}, "measures": {"gender": {"=1+1": 1}}, "by_team": {}}
    data = exports.evaluation_xlsx(document)
    with zipfile.ZipFile(io.BytesIO(data)) as workbook:
        sheets = [
            workbook.read(name).decode() for name in workbook.namelist() if "worksheets/" in name
        ]
        strings = workbook.read("xl/sharedStrings.xml").decode()
    assert "<t>=1+1</t>" in strings
    assert not any("<f>" in sheet for sheet in sheets)


def test_xlsx_definitions_sheet_holds_each_definition(report):
    with zipfile.ZipFile(io.BytesIO(content(report, FileKind.XLSX))) as workbook:
        strings = workbook.read("xl/sharedStrings.xml").decode()
    assert "Young people referred to ECM with a referral date in the period." in strings


# --- PDF and HTML ---------------------------------------------------------------------------------


def test_pdf_is_a_pdf_made_from_the_report_page(cohort, evaluator, monkeypatch):  # noqa: F811
    monkeypatch.setattr(exports, "evaluation_pdf", REAL_PDF)
    data = content(produced(evaluator), FileKind.PDF)
    assert data.startswith(b"%PDF")
    assert len(data) > 10_000


def test_html_has_inline_svg_charts_each_followed_by_its_data_table(report):
    html = content(report, FileKind.HTML).decode()
    assert html.count("<svg ") == 4
    for chart in ("funnel", "fidelity", "trm", "outcomes"):
        after = html.split(f'id="chart-{chart}"', 1)[1]
        assert after.index("<svg") < after.index("<table")
    assert "Data for the chart: Referral funnel: young people at each step" in html


def test_charts_carry_no_inline_styles_the_page_policy_would_block(report):
    html = content(report, FileKind.HTML).decode()
    svg = "".join(re.findall(r"<svg .*?</svg>", html, flags=re.DOTALL))
    assert " style=" not in svg
    assert "<style" not in svg


def test_chart_element_ids_are_unique_on_the_page(report):
    html = content(report, FileKind.HTML).decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


# --- Small-number suppression ---------------------------------------------------------------------


@pytest.fixture
def suppressed(cohort, evaluator):  # noqa: F811
    return produced(evaluator, suppression=True, suppression_threshold=3)


def test_suppression_hides_counts_below_the_threshold_and_what_would_give_them_away(suppressed):
    document = json.loads(content(suppressed, FileKind.JSON))
    # Overall: 5 referrals (kept), 1 withdrawn; team a: 3 referrals, team b: 2.
    assert document["measures"]["referrals"] == 5
    assert document["measures"]["withdrawn"] == "suppressed"
    assert document["by_team"]["b"]["referrals"] == "suppressed"
    # 5 − 3 would give team b's 2 away, so team a's 3 is suppressed too.
    assert document["by_team"]["a"]["referrals"] == "suppressed"
    # Female 1 is hidden; male 3 with the cohort of 4 shown would give it away.
    assert document["measures"]["gender"]["female"] == "suppressed"
    assert "suppressed" in (
        document["measures"]["gender"]["male"],
        document["measures"]["cohort_size"],
    )


def test_suppression_leaves_zero_counts(suppressed):
    document = json.loads(content(suppressed, FileKind.JSON))
    assert document["by_team"]["b"]["withdrawn"] == 0


def test_suppression_hides_rates_and_means_about_too_few_young_people(suppressed):
    document = json.loads(content(suppressed, FileKind.JSON))
    # Team b's cohort is one young person; overall there are four (kept).
    assert document["by_team"]["b"]["mean_age_at_start"] == "suppressed"
    assert document["measures"]["mean_age_at_start"] == 15.3
    # The follow-up cohort of team a is two young people.
    assert document["by_team"]["a"]["reoffending_rate"] == "suppressed"


def test_suppression_reaches_every_export(suppressed):
    rows = {
        (row["id"], row["team"]): row["value"]
        for row in csv_rows(content(suppressed, FileKind.CSV))
    }
    assert rows[("withdrawn", "all")] == "suppressed"
    assert rows[("referrals", "a")] == "suppressed"
    assert rows[("mean_age_at_start", "b")] == "suppressed"
    with zipfile.ZipFile(io.BytesIO(content(suppressed, FileKind.XLSX))) as workbook:
        assert "suppressed" in workbook.read("xl/sharedStrings.xml").decode()
    html = content(suppressed, FileKind.HTML).decode()
    withdrawn = html.split('id="measure-withdrawn"', 1)[1].split("</tr>", 1)[0]
    assert "Suppressed" in withdrawn
    assert "so that no suppressed number can be worked out from the totals" in html


def test_without_suppression_small_counts_are_shown(report):
    document = json.loads(content(report, FileKind.JSON))
    assert document["measures"]["withdrawn"] == 1


# --- The case-level dataset -----------------------------------------------------------------------


@pytest.fixture
def dataset(cohort, evaluator):  # noqa: F811
    return produced(evaluator, kind="evaluation_dataset")


def test_dataset_run_writes_csv_xlsx_dictionary_and_manifest(dataset):
    assert set(dataset.files.values_list("kind", flat=True)) == {
        "dataset_csv",
        "dataset_xlsx",
        "dictionary",
        "manifest",
    }


def test_dataset_csv_has_one_row_per_consenting_cohort_member(dataset, cohort):  # noqa: F811
    from reports.dataset import pseudonym

    rows = csv_rows(content(dataset, FileKind.DATASET_CSV))
    assert [row["pseudonym"] for row in rows] == [pseudonym(cohort["p1"].pk)]


def test_data_dictionary_describes_every_dataset_column(dataset):
    columns = list(csv_rows(content(dataset, FileKind.DATASET_CSV))[0])
    dictionary = [
        entry for entry in csv_rows(content(dataset, FileKind.DICTIONARY)) if not entry["code"]
    ]
    assert [entry["column"] for entry in dictionary] == columns
    assert all(entry["description"] for entry in dictionary)


def test_manifest_lists_each_file_with_its_rows_and_sha256(dataset):
    import hashlib

    manifest = json.loads(content(dataset, FileKind.MANIFEST))
    listed = {entry["kind"]: entry for entry in manifest["files"]}
    assert set(listed) == {"dataset_csv", "dataset_xlsx", "dictionary"}
    for kind, entry in listed.items():
        data = content(dataset, kind)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
        assert entry["name"] == dataset.files.get(kind=kind).name
    assert (listed["dataset_csv"]["rows"], listed["dataset_xlsx"]["rows"]) == (1, 1)


def test_dataset_xlsx_has_dataset_and_dictionary_sheets(dataset):
    assert sheet_names(content(dataset, FileKind.DATASET_XLSX)) == ["Dataset", "Dictionary"]


def test_no_dataset_file_holds_a_name_date_of_birth_or_reference(cohort, evaluator):  # noqa: F811
    for index, person in enumerate(cohort.values()):
        person.given_name, person.family_name = f"Zephyrine{index}", f"Quillfeather{index}"
        person.save()
    dataset = produced(evaluator, kind="evaluation_dataset")
    text = b"".join(
        content(dataset, kind) for kind in ("dataset_csv", "dictionary", "manifest")
    ).decode()
    with zipfile.ZipFile(io.BytesIO(content(dataset, FileKind.DATASET_XLSX))) as workbook:
        text += "".join(workbook.read(name).decode() for name in workbook.namelist())
    for person in cohort.values():
        for secret in (person.given_name, person.family_name, person.reference):
            assert secret not in text
        assert person.date_of_birth.isoformat() not in text


def test_a_pdf_report_for_many_teams_keeps_only_the_all_teams_figures(settings):
    from reports import exports

    document = {
        "parameters": {},
        "measures": {"referrals": 7},
        "by_team": {f"team-{n}": {"referrals": 1} for n in range(5)},
    }
    full = exports.report_context(document, team_names={})
    short = exports.report_context(document, team_names={}, max_teams=3)
    assert full["teams_left_out"] == 0
    assert short["teams_left_out"] == 5
    referrals_tables = [group["tables"] for group in short["groups"] if group["id"] == "funnel"][0]
    assert [table["teams"] for table in referrals_tables] == [[]]


def test_a_worker_process_loads_the_pdf_and_chart_libraries_as_it_starts(monkeypatch):
    from celery.signals import worker_process_init

    from reports import exports

    calls = []
    monkeypatch.setattr(exports, "warm_up", lambda: calls.append("warm_up"))

    worker_process_init.send(sender=None)

    assert calls == ["warm_up"]


def test_warming_up_renders_a_chart_and_a_pdf(monkeypatch):
    from reports import exports

    written = []
    real_pdf = exports.evaluation_pdf
    monkeypatch.setattr(exports, "evaluation_pdf", lambda html: written.append(real_pdf(html)))

    exports.warm_up()

    assert len(written) == 1
    assert written[0].startswith(b"%PDF")
