"""The administrator's upload of an exchange file, checked and imported by a Celery task.

Celery runs in-process here (no broker), when the upload's transaction commits: each upload
is made inside ``django_capture_on_commit_callbacks(execute=True)`` so the task runs as it
does in `make run`. tests/reports/test_worker.py runs one through a real worker.
"""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AccessLogEntry, User
from cases.models import YoungPerson
from reports.exchange import jobs
from reports.models import ExchangeImport, ImportStatus
from tests.conftest import client_for
from tests.reports.test_exchange import changed, fixture_files, zipped

URL = "/reports/exchange/import/"
#: Session, user, the administrator's roles, the latest uploads with who uploaded them.
UPLOAD_PAGE_BUDGET = 4


def table_rows(page: str) -> list[list[str]]:
    """The body rows of the page's tables, as the text of their cells."""
    body = "".join(re.findall(r"<tbody.*?</tbody>", page, re.S))
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd].*?</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr.*?</tr>", body, re.S)
    ]


def upload(data: bytes, name="exchange.zip"):
    return SimpleUploadedFile(name, data, content_type="application/zip")


@pytest.fixture
def send(administrator, django_capture_on_commit_callbacks):
    """Upload as the administrator, let the task run, and open the page the upload leads to."""
    client = client_for(administrator)

    def sent(data: bytes, action: str, name="exchange.zip"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, {"file": upload(data, name), "action": action})
        assert response.status_code == 302, response.content.decode()[:500]
        job = ExchangeImport.objects.latest("pk")
        assert response["Location"] == reverse("reports:exchange-import-detail", args=[job.pk])
        return client.get(response["Location"]).content.decode()

    return sent


def test_the_urls_are_named():
    assert reverse("reports:exchange-import") == URL
    assert reverse("reports:exchange-import-detail", args=[7]) == URL + "7/"
    assert reverse("reports:exchange-import-status", args=[7]) == URL + "7/status/"


def test_an_administrator_sees_the_upload_form(administrator):
    response = client_for(administrator).get(URL)

    assert response.status_code == 200
    assert "Import case data" in response.content.decode()
    assert 'type="file"' in response.content.decode()


def test_checking_a_file_with_problems_lists_them_in_an_error_summary(send):
    page = send(zipped(changed("young_people.csv", "female", "f")), "check")

    assert "govuk-error-summary" in page
    assert "1 problem was found in exchange.zip. Nothing was imported." in page
    assert "young_people.csv:2: gender: &quot;f&quot; is not an allowed value" in page
    assert "<title>Error: Import of exchange.zip" in page
    assert YoungPerson.objects.count() == 0


def test_checking_a_valid_file_says_what_an_import_would_do_and_saves_nothing(send):
    page = send(zipped(fixture_files()), "check")

    assert "No problems found" in page
    assert "What importing exchange.zip would do" in page
    assert ["young_people.csv", "4", "4", "0", "0"] in table_rows(page)
    assert "3 new referrals would get an eligibility decision" in page
    assert YoungPerson.objects.count() == 0


def test_importing_a_valid_file_saves_it_and_shows_what_was_done(send, administrator):
    page = send(zipped(fixture_files()), "import")

    assert "exchange.zip imported: 72 rows created, 0 updated" in page
    assert "What the import of exchange.zip did" in page
    assert ["young_people.csv", "4", "4", "0", "0"] in table_rows(page)
    assert "No eligibility policy was in force on the referral date of YP004" in page
    assert YoungPerson.objects.count() == 4
    assert User.objects.get(staff_ref="S001").history.first().history_user == administrator


def test_the_uploaded_file_is_deleted_once_checked_and_the_outcome_kept(send, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    send(zipped(fixture_files()), "import")

    job = ExchangeImport.objects.get()
    assert job.upload.name == ""
    assert (tmp_path / jobs.FOLDER).is_dir()
    assert list((tmp_path / jobs.FOLDER).iterdir()) == []
    assert (job.status, job.rows, job.created, job.updated, job.attempts) == (
        ImportStatus.SUCCEEDED,
        76,
        72,
        0,
        1,
    )
    assert job.finished_at is not None


def test_the_upload_page_lists_the_latest_uploads(send, administrator):
    send(zipped(fixture_files()), "check")
    send(b"PK\x03\x04 damaged", "import", name="broken.zip")

    page = client_for(administrator).get(URL).content.decode()
    rows = table_rows(page)
    assert [row[0] for row in rows] == [
        f"broken.zip upload {ExchangeImport.objects.latest('pk').pk}",
        f"exchange.zip upload {ExchangeImport.objects.earliest('pk').pk}",
    ]
    assert [row[3:] for row in rows] == [
        ["Check and import", "Problems found"],
        ["Check only", "Done"],
    ]


def test_requests_and_views_are_written_to_the_access_log(send, administrator):
    send(zipped(fixture_files()), "import")

    job = ExchangeImport.objects.get()
    entries = AccessLogEntry.objects.filter(object_id=str(job.pk)).order_by("pk")
    assert [(e.user, e.action, e.allowed, e.detail) for e in entries] == [
        (administrator, "exchange.import", True, "import requested: exchange.zip"),
        (administrator, "exchange.import.view", True, "succeeded"),
    ]


def test_an_oversized_upload_is_refused_with_a_clear_message(administrator, settings):
    settings.ECM_EXCHANGE_MAX_UPLOAD_BYTES = 1024

    response = client_for(administrator).post(
        URL, {"file": upload(b"x" * 2048), "action": "import"}
    )

    page = response.content.decode()
    assert "The file is 2 KB; it must be 1 KB or smaller" in page
    assert "govuk-error-summary" in page
    assert ExchangeImport.objects.count() == 0


def test_an_upload_that_is_not_a_zip_is_reported(administrator):
    response = client_for(administrator).post(
        URL, {"file": upload(b"team_code,name\n", name="teams.csv"), "action": "check"}
    )

    assert "The file must be a .zip" in response.content.decode()
    assert ExchangeImport.objects.count() == 0


def test_a_damaged_zip_is_reported_not_an_error(send):
    page = send(b"PK\x03\x04 damaged", "import")

    assert "exchange.zip: not a zip file, or a damaged one" in page
    assert ExchangeImport.objects.get().status == ImportStatus.PROBLEMS


def test_no_file_chosen_is_reported(administrator):
    response = client_for(administrator).post(URL, {"action": "import"})

    assert "Choose a .zip file to upload" in response.content.decode()


@pytest.mark.parametrize("role", ["practitioner", "manager", "psychologist", "evaluator"])
def test_other_roles_are_refused_and_the_refusal_is_logged(users_by_role, role):
    response = client_for(users_by_role[role]).post(
        URL, {"file": upload(zipped(fixture_files())), "action": "import"}
    )

    assert response.status_code == 403
    assert YoungPerson.objects.count() == 0
    assert ExchangeImport.objects.count() == 0
    assert AccessLogEntry.objects.filter(action="exchange.import", allowed=False).count() == 1


# --- While the task has not run ----------------------------------------------------------------


@pytest.fixture
def waiting(administrator):
    """An upload whose task has not run yet (the transaction never commits in a test)."""
    client = client_for(administrator)
    client.post(URL, {"file": upload(zipped(fixture_files())), "action": "import"})
    return client, ExchangeImport.objects.get()


def test_a_waiting_upload_shows_its_progress_and_refreshes_itself(waiting):
    client, job = waiting

    page = client.get(reverse("reports:exchange-import-detail", args=[job.pk])).content.decode()

    assert "Waiting to start" in page
    assert '<meta http-equiv="refresh" content="3">' in page
    assert reverse("reports:exchange-import-status", args=[job.pk]) in page
    assert "This page updates by itself" in page
    assert default_storage.exists(job.upload.name)
    # Nothing is imported before the task runs, and looking at a page that is still
    # changing is not logged as a view of its outcome.
    assert YoungPerson.objects.count() == 0
    assert not AccessLogEntry.objects.filter(action="exchange.import.view").exists()


def test_the_status_url_says_how_the_check_is_going(waiting):
    client, job = waiting
    status_url = reverse("reports:exchange-import-status", args=[job.pk])

    assert client.get(status_url).json() == {
        "status": "queued",
        "status_label": "Waiting to start",
        "progress": None,
        "progress_text": "Waiting to start",
        "finished": False,
    }
    jobs.exchange_import_execute(job.pk)
    assert client.get(status_url).json()["finished"] is True


def test_an_upload_that_does_not_exist_is_not_found(administrator):
    response = client_for(administrator).get(reverse("reports:exchange-import-detail", args=[9]))
    assert response.status_code == 404


# --- The task ----------------------------------------------------------------------------------


def test_the_task_imports_once_however_often_it_is_delivered(waiting):
    _client, job = waiting

    assert jobs.exchange_import_execute(job.pk) == "succeeded"
    assert jobs.exchange_import_execute(job.pk) == "done"
    assert YoungPerson.objects.count() == 4
    job.refresh_from_db()
    assert job.attempts == 1


def test_a_check_in_welsh_lists_its_problems_in_welsh(administrator):
    with translation.override("cy"):
        job = jobs.exchange_import_request(
            by=administrator, upload=upload(b"PK\x03\x04 damaged"), dry_run=True, enqueue=False
        )
    jobs.exchange_import_execute(job.pk)

    job.refresh_from_db()
    assert job.language == "cy"
    assert job.problems[0] == "exchange.zip: nid yw'n ffeil zip, neu mae wedi'i difrodi"
    assert job.problems[1].startswith("teams.csv: ar goll;")


def test_an_unexpected_error_fails_the_upload_with_a_reference_and_imports_nothing(waiting):
    client, job = waiting

    with mock.patch.object(jobs, "_record", side_effect=RuntimeError("boom")):
        assert jobs.exchange_import_execute(job.pk) == "failed"

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert f"(reference: exchange import {job.pk}). Nothing was imported." in job.error_message
    assert YoungPerson.objects.count() == 0
    assert job.upload.name == ""
    page = client.get(reverse("reports:exchange-import-detail", args=[job.pk])).content.decode()
    assert "The file could not be checked" in page
    assert f"reference: exchange import {job.pk}" in page


def test_a_lost_database_goes_back_to_the_queue_unless_it_is_the_last_try(waiting):
    _client, job = waiting
    lost = OperationalError("server closed the connection unexpectedly")

    with mock.patch.object(jobs, "_run", side_effect=lost), pytest.raises(OperationalError):
        jobs.exchange_import_execute(job.pk, final_attempt=False)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ImportStatus.QUEUED, 1)
    assert default_storage.exists(job.upload.name)

    with mock.patch.object(jobs, "_run", side_effect=lost):
        assert jobs.exchange_import_execute(job.pk) == "failed"
    job.refresh_from_db()
    assert job.error_message.startswith("The database could not be reached")


def test_an_upload_whose_worker_died_too_often_is_given_up(waiting):
    _client, job = waiting
    ExchangeImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, attempts=jobs.MAX_ATTEMPTS
    )

    assert jobs.exchange_import_execute(job.pk) == "failed"
    job.refresh_from_db()
    assert "interrupted 3 times" in job.error_message
    assert YoungPerson.objects.count() == 0
    assert job.upload.name == ""


def test_an_upload_whose_worker_died_is_started_again(waiting):
    _client, job = waiting
    ExchangeImport.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, attempts=1)

    assert jobs.exchange_import_execute(job.pk) == "succeeded"
    job.refresh_from_db()
    assert job.attempts == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")
def test_an_upload_another_worker_holds_is_left_alone(waiting):
    _client, job = waiting
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [jobs.LOCK_SPACE, job.pk])

        assert jobs.exchange_import_execute(job.pk) == "busy"
    finally:
        # Unlock before closing: the server ends a closed session's backend (and
        # frees its locks) a moment after the client has gone.
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [jobs.LOCK_SPACE, job.pk])
        other.close()

    job.refresh_from_db()
    assert (job.status, job.attempts) == (ImportStatus.QUEUED, 0)
    assert jobs.exchange_import_execute(job.pk) == "succeeded"


def test_housekeeping_sends_stuck_uploads_again(waiting, django_capture_on_commit_callbacks):
    _client, job = waiting
    ExchangeImport.objects.filter(pk=job.pk).update(queued_at=timezone.now() - timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.exchange_import_housekeeping().requeued == 1

    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED
    assert YoungPerson.objects.count() == 4
    assert jobs.exchange_import_housekeeping().requeued == 0


@pytest.mark.parametrize("count", [1, 12])
def test_upload_page_query_budget(administrator, count, django_assert_max_num_queries):
    """The latest uploads cost the same however many there are."""
    for number in range(count):
        ExchangeImport.objects.create(
            file_name=f"file-{number}.zip", size=1, dry_run=True, requested_by=administrator
        )
    client = client_for(administrator)
    client.get(URL)  # the session and language settle on the first page

    with django_assert_max_num_queries(UPLOAD_PAGE_BUDGET):
        response = client.get(URL)
    assert len(table_rows(response.content.decode())) == min(count, 10)


def test_lists_of_problems_are_cleared_after_the_retention_period(send, administrator, settings):
    """Problems quote the file's values; after ECM_REPORT_RETENTION_DAYS only the count stays."""
    settings.ECM_REPORT_RETENTION_DAYS = 7
    send(zipped(changed("young_people.csv", "female", "f")), "check")
    job = ExchangeImport.objects.get()

    assert jobs.exchange_import_housekeeping(now=job.finished_at + timedelta(days=6)) == (
        jobs.Housekeeping(requeued=0, problems_cleared=0)
    )
    assert jobs.exchange_import_housekeeping(now=job.finished_at + timedelta(days=8)) == (
        jobs.Housekeeping(requeued=0, problems_cleared=1)
    )
    job.refresh_from_db()
    assert (job.problems, job.problem_count) == ([], 1)
    page = client_for(administrator).get(reverse("reports:exchange-import-detail", args=[job.pk]))
    text = page.content.decode()
    assert "1 problem was found in exchange.zip. Nothing was imported." in text
    assert "The list of problems is kept for 7 days after the check" in text
    assert "gender" not in text
