"""A manager asks for a young person's subject access bundle from the record page, watches it
being made and downloads the ZIP: the chronology, a CSV per kind of record, and README.txt
with the columns to redact and the line about private supervision notes (issue 17).

As in the report journey, the request only queues the run; the test then runs the task.
"""

import re
import zipfile

import pytest
from playwright.sync_api import expect

from reports import queue
from reports.models import ReportRun
from reports.tasks import run_report_task
from seed import factories
from tests.browser.conftest import assert_accessible, sign_in


@pytest.fixture(autouse=True)
def queued_not_run(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    monkeypatch.setattr(queue, "send_report_run", lambda run_id: None)


def test_manager_requests_and_downloads_the_subject_access_bundle(
    page, live_server, manager, practitioner, team_a, tmp_path
):
    young_person = factories.YoungPersonFactory(
        team=team_a, practitioner=practitioner, given_name="Seren", family_name="Jones"
    )
    factories.NeedFactory(young_person=young_person, evidence="Told us at the first visit")
    sign_in(page, live_server, manager.username)
    page.goto(f"{live_server.url}/young-people/{young_person.pk}/")
    page.get_by_role("link", name="Subject access bundle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subject access bundle")
    expect(page.get_by_text("Private reflective supervision notes are not")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Request the bundle").click()
    expect(page.get_by_text("Subject access bundle for Seren Jones requested")).to_be_visible()
    run = ReportRun.objects.get(status="queued")
    run_report_task.apply(args=(run.pk,))
    expect(page.get_by_role("heading", name="Download")).to_be_visible(timeout=15_000)
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^Bundle \(ZIP\)")).click()
    download = download_info.value
    assert download.suggested_filename == f"subject-access-{run.pk}.zip"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as bundle:
        assert b"Told us at the first visit" in bundle.read("cases.need.csv")
        assert (
            "Private reflective supervision notes are excluded"
            in bundle.read("README.txt").decode()
        )
        assert bundle.read("chronology.pdf").startswith(b"%PDF")
