"""An evaluator requests an evaluation report, watches its progress, reads it and downloads
the spreadsheet; then the pseudonymised dataset, in which no name from the database appears.

The report runs in this test's process: the page's request only queues it (as a broker
would), and the test then runs the task itself, while the page — polling with JavaScript,
or refreshing itself without — shows it finishing.
"""

import csv
import io
import re
import zipfile

import openpyxl
import pytest
from playwright.sync_api import expect

from cases.models import YoungPerson
from reports import exports, queue
from reports.models import ReportRun
from reports.targets import target_save
from reports.tasks import run_report_task
from tests.browser.conftest import assert_accessible, sign_in
from tests.reports.test_measures import cohort  # noqa: F401 - the worked cohort fixture


@pytest.fixture(autouse=True)
def queued_not_run(monkeypatch, settings, tmp_path):
    """Requests queue their run and nothing picks it up until the test runs the task."""
    settings.MEDIA_ROOT = tmp_path / "files"
    monkeypatch.setattr(queue, "send_report_run", lambda run_id: None)
    monkeypatch.setattr(exports, "evaluation_pdf", lambda html: b"%PDF-1.7 stand-in")


def run_the_queued_report():
    run = ReportRun.objects.get(status="queued")
    run_report_task.apply(args=(run.pk,))
    return run


def request_a_report(page, kind_label=None):
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your reports")
    assert_accessible(page)
    page.get_by_role("button", name="Request a report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request a report")
    if kind_label:
        page.get_by_label(kind_label).check()
    page.get_by_label("Referred from").fill("2024-01-01")
    page.get_by_label("Referred to").fill("2024-12-31")
    page.get_by_label("Outcomes as of").fill("2026-06-30")
    assert_accessible(page)
    page.get_by_role("button", name="Request the report").click()


def test_evaluator_requests_a_report_watches_it_and_downloads_it_and_the_dataset(
    page,
    live_server,
    cohort,  # noqa: F811
    evaluator,
    administrator,
    tmp_path,
):
    # An administrator has set a national target for the attendance rate.
    target_save(
        values={"measure_id": "attendance_rate", "direction": "higher", "value": 75},
        by=administrator,
    )
    sign_in(page, live_server, "eve")

    # Eve asks for the evaluation report for 2024 and lands on its progress page.
    request_a_report(page)
    expect(page.get_by_text("Evaluation report requested")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluation report")
    progress = page.locator("progress")
    expect(progress).to_have_attribute("value", "0")
    expect(page.locator("#report-progress-text")).to_have_text("0% – Waiting to start")
    assert_accessible(page)

    # The report runs; without her doing anything the page shows it when it is ready.
    run_the_queued_report()
    expect(page.get_by_role("heading", name="Download")).to_be_visible(timeout=15_000)
    expect(page.locator("progress")).to_have_count(0)
    expect(page.get_by_role("heading", name="Referral funnel", exact=True)).to_be_visible()
    expect(
        page.get_by_role("img", name="Referral funnel: young people at each step")
    ).to_be_visible()
    funnel = page.get_by_role("table", name=re.compile("^Data for the chart: Referral funnel"))
    expect(funnel.get_by_role("row", name="Referrals 5")).to_be_visible()
    # Each value against its target, the status in words.
    targets = page.locator("table.ecm-targets")
    expect(targets).to_contain_text("Attendance rate")
    expect(targets).to_contain_text("75.0% or more")
    expect(targets.locator("tbody tr").first).to_contain_text(re.compile(r"\bMet\b|Not met"))
    # The comparison with eligible young people who did not start, told as an association.
    comparison = "Comparison with eligible young people who did not start ECM"
    expect(page.get_by_role("heading", name=comparison)).to_be_visible()
    expect(page.get_by_text("An association, not proof")).to_be_visible()
    assert_accessible(page)

    # She downloads the spreadsheet.
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Excel \(XLSX\)")).click()
    download = download_info.value
    assert re.fullmatch(r"ecm-evaluation-report-\d+\.xlsx", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as workbook:
        sheets = re.findall(r'<sheet name="([^"]+)"', workbook.read("xl/workbook.xml").decode())
    assert sheets[:4] == ["Measures", "By team", "Targets by team", "Definitions"]
    assert "Comparison" in sheets
    # It opens with one value per cell: a breakdown is a row per category, named.
    measures = openpyxl.load_workbook(saved)["Measures"]
    gender = {
        row[2].value: row[3].value
        for row in measures.iter_rows(min_row=2)
        if row[1].value == "Gender"
    }
    assert gender == {"Female": 1, "Male": 3}

    # Then the case-level dataset.
    request_a_report(page, kind_label="Case-level evaluation dataset")
    expect(page.get_by_role("heading", level=1)).to_have_text("Case-level evaluation dataset")
    run_the_queued_report()
    expect(page.get_by_role("heading", name="Download")).to_be_visible(timeout=15_000)
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Dataset \(CSV\)")).click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1  # only P1 consented to evaluation

    # No name, reference or date of birth from the database is anywhere in it.
    for person in YoungPerson.objects.all():
        for secret in (person.given_name, person.family_name, person.reference):
            assert secret not in text
        assert person.date_of_birth.isoformat() not in text


def test_without_javascript_the_progress_page_refreshes_itself_until_the_report_is_ready(
    no_script_page,
    live_server,
    cohort,  # noqa: F811
    evaluator,
):
    page = no_script_page
    sign_in(page, live_server, "eve")
    page.goto(f"{live_server.url}/reports/runs/new/")
    page.get_by_label("Referred from").fill("2024-01-01")
    page.get_by_label("Referred to").fill("2024-12-31")
    page.get_by_role("button", name="Request the report").click()
    expect(page.locator("#report-progress-text")).to_have_text("0% – Waiting to start")

    run_the_queued_report()
    expect(page.get_by_role("heading", name="Download")).to_be_visible(timeout=15_000)
    # (axe needs JavaScript: this page's accessibility is checked in the journey above.)


def test_measure_catalogue_is_accessible(page, live_server, evaluator):
    sign_in(page, live_server, "eve")
    page.goto(f"{live_server.url}/reports/measures/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Measures")
    assert_accessible(page)
