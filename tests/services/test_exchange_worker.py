"""An uploaded exchange file checked and imported by a real Celery worker on Redis against
PostgreSQL (`make test-services`): the web request only stores the file and queues it."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import YoungPerson
from reports.exchange import jobs
from reports.models import ExchangeImport, ImportStatus
from tests.reports.test_exchange import fixture_files, zipped
from tests.services.test_report_worker import files_root  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.services


def test_an_upload_is_imported_by_a_real_worker(
    celery_worker_process,
    files_root,  # noqa: F811
    administrator,
):
    celery_worker_process("imports")
    upload = SimpleUploadedFile("exchange.zip", zipped(fixture_files()))
    job = jobs.exchange_import_request(by=administrator, upload=upload, dry_run=False)
    assert (files_root / job.upload.name).is_file()

    deadline = time.monotonic() + 120
    while job.is_active and time.monotonic() < deadline:
        time.sleep(0.5)
        job.refresh_from_db()

    assert job.status == ImportStatus.SUCCEEDED, (job.status, job.problems, job.error_message)
    assert (job.created, job.attempts, job.upload.name) == (72, 1, "")  # every fixture row
    assert YoungPerson.objects.count() == 4
    assert not any(path.is_file() for path in (files_root / jobs.FOLDER).rglob("*"))
    assert ExchangeImport.objects.count() == 1
