"""An administrator checks an exchange file, watches the check, then imports it.

The upload's task is queued and nothing picks it up until the test runs it (as a worker
would), so the page is seen waiting and then, by its own polling, finished.
"""

import pytest
from playwright.sync_api import expect

from accounts.models import TrainingCourse
from accounts.reference_data import ensure_training_courses
from cases.models import DisengagementReason, NeedCategory, TRMStage, YoungPerson
from cases.reference_data import ensure_defaults, ensure_disengagement_reasons
from formulation.models import DistanceDomain
from formulation.reference_data import ensure_distance_domains
from reports import queue
from reports.models import ExchangeImport
from reports.tasks import run_exchange_import_task
from tests.browser.conftest import assert_accessible, sign_in
from tests.reports.test_exchange import changed, fixture_files, zipped


@pytest.fixture(autouse=True)
def queued_not_run(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    monkeypatch.setattr(queue, "send_exchange_import", lambda job_id: None)


def run_the_queued_upload():
    job = ExchangeImport.objects.get(status="queued")
    run_exchange_import_task.apply(args=(job.pk,))


def choose(page, data: bytes, action_label: str):
    page.get_by_label("Exchange file").set_input_files(
        {"name": "exchange.zip", "mimeType": "application/zip", "buffer": data}
    )
    page.get_by_label(action_label).check()
    page.get_by_role("button", name="Continue").click()


def test_administrator_checks_a_file_fixes_it_and_imports_it(page, live_server, administrator):
    ensure_defaults(NeedCategory, TRMStage)  # the live server's database starts empty
    ensure_disengagement_reasons(DisengagementReason)
    ensure_distance_domains(DistanceDomain)
    ensure_training_courses(TrainingCourse)
    sign_in(page, live_server, "ada")
    page.goto(f"{live_server.url}/reports/exchange/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import case data")
    assert_accessible(page)

    # A file with a wrong gender code: the check is queued, then lists the problem.
    choose(page, zipped(changed("young_people.csv", "female", "f")), "Check the file only")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import of exchange.zip")
    expect(page.locator("[data-progress-status]").first).to_have_text("Waiting to start")
    assert_accessible(page)
    run_the_queued_upload()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        'young_people.csv:2: gender: "f" is not an allowed value', timeout=15_000
    )
    assert_accessible(page)

    # The corrected file is imported.
    page.get_by_role("link", name="Upload a file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import case data")
    expect(page.locator("#recent-imports")).to_contain_text("Problems found")
    choose(page, zipped(fixture_files()), "Check the file and import it")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import of exchange.zip")
    run_the_queued_upload()
    expect(page.locator(".govuk-panel")).to_contain_text(
        "exchange.zip imported: 72 rows created, 0 updated", timeout=15_000
    )
    assert_accessible(page)
    assert YoungPerson.objects.count() == 4
