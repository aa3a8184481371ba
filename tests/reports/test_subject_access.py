"""The subject access bundle of one young person (issue 17): a manager of the case's team
asks for it from the record page; it is a ZIP with a PDF chronology and a CSV for every
model that points at the young person; private reflective notes stay out; the request and
the download are access-logged; its files expire like a report's."""

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLogEntry, Role
from cases.models import YoungPerson
from reports import subject_access
from reports.models import ReportKind, ReportRun, RunStatus
from reports.services.housekeeping import report_housekeeping
from seed import factories
from supervision import services as supervision_services
from tests.conftest import client_for

CASE_NOTE = "Seren is settling at college; keep the Tuesday visits"
PRIVATE = "I felt stuck with this family"


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(
        team=team_a, practitioner=practitioner, reference="YP-SAR1", given_name="Seren"
    )


@pytest.fixture
def session(psychologist, practitioner, young_person):
    return supervision_services.session_record(
        by=psychologist,
        practitioner=practitioner,
        held_on=timezone.localdate() - timedelta(days=2),
        cases=[young_person],
        case_notes={young_person: CASE_NOTE},
        shared_notes="Caseload pressure discussed",
        private_notes=PRIVATE,
        duration_minutes=50,
        actions=[],
    )


def request_page(young_person):
    return reverse("reports:subject-access", kwargs={"pk": young_person.pk})


@pytest.fixture
def requested_bundle(django_capture_on_commit_callbacks):
    """Ask for the bundle as `manager` (the run is carried out in-process) and download it."""

    def request(manager, young_person) -> tuple[ReportRun, zipfile.ZipFile]:
        client = client_for(manager)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(request_page(young_person))
        return _downloaded(client, response)

    return request


def _downloaded(client, response) -> tuple[ReportRun, zipfile.ZipFile]:
    run = ReportRun.objects.get(kind=ReportKind.SUBJECT_ACCESS)
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:run-detail", kwargs={"pk": run.pk})
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    download = client.get(reverse("reports:run-download", kwargs={"pk": run.pk, "kind": "zip"}))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    return run, zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))


# --- Every model that points at the young person ------------------------------------------------


def _reaches_young_person(model, depth=4, seen=()) -> bool:
    """Independently of the bundle's own walk: does a chain of relations lead to YoungPerson?"""
    if model is YoungPerson:
        return True
    if depth == 0 or model in seen:
        return False
    for field in model._meta.get_fields():
        if field.auto_created or not field.is_relation or field.related_model is None:
            continue
        if not (field.many_to_one or field.one_to_one or field.many_to_many):
            continue
        if _reaches_young_person(field.related_model, depth - 1, (*seen, model)):
            return True
    return False


def linked_labels() -> set[str]:
    labels = {
        model._meta.label_lower
        for model in apps.get_models()
        if not model._meta.proxy and _reaches_young_person(model)
    }
    assert "supervision.supervisionnote" in labels  # the walk finds what it should
    return labels


def test_every_model_pointing_at_the_young_person_is_in_the_bundle_or_excluded_with_a_reason(
    manager, young_person, requested_bundle
):
    _run, bundle = requested_bundle(manager, young_person)
    in_bundle = {name.removesuffix(".csv") for name in bundle.namelist() if name.endswith(".csv")}
    for label, reason in subject_access.EXCLUDED.items():
        assert reason.strip(), f"{label} is excluded without a reason"
    missing = sorted(linked_labels() - in_bundle - set(subject_access.EXCLUDED))
    assert not missing, f"not in the subject access bundle and not excluded: {missing}"
    # History tables and the access log rows are there too.
    assert {"cases.historicalyoungperson", "supervision.historicalsupervisionnote"} <= in_bundle
    assert "accounts.accesslogentry" in in_bundle


# --- What the bundle holds ----------------------------------------------------------------------


def test_the_bundle_has_the_note_but_not_the_private_notes_and_says_so(
    manager, young_person, session, requested_bundle
):
    _run, bundle = requested_bundle(manager, young_person)
    everything = b"".join(bundle.read(name) for name in bundle.namelist())
    assert CASE_NOTE.encode() in bundle.read("supervision.supervisionnote.csv")
    assert PRIVATE.encode() not in everything
    sessions = list(
        csv.DictReader(io.StringIO(bundle.read("supervision.supervisionsession.csv").decode()))
    )
    assert [row["shared_notes"] for row in sessions] == ["Caseload pressure discussed"]
    assert "private_notes" not in sessions[0]
    readme = bundle.read("README.txt").decode()
    assert "Private reflective supervision notes are excluded" in readme
    # Columns naming other people are listed for redaction.
    assert "supervision.supervisionsession.csv: psychologist_id, practitioner_id" in readme
    assert "formulation.meetingattendance.csv: attendee_name" in readme
    own_record = next(line for line in readme.splitlines() if "cases.youngperson.csv:" in line)
    assert "parent_consent_reason" in own_record  # free text, but not the young person's name
    assert "given_name" not in own_record
    assert bundle.read("chronology.pdf").startswith(b"%PDF")


def test_another_young_persons_rows_stay_out(
    manager, young_person, session, practitioner, team_a, requested_bundle
):
    other = factories.YoungPersonFactory(team=team_a, practitioner=practitioner, reference="YP-X")
    _run, bundle = requested_bundle(manager, other)
    assert CASE_NOTE.encode() not in bundle.read("supervision.supervisionnote.csv")
    rows = list(csv.DictReader(io.StringIO(bundle.read("cases.youngperson.csv").decode())))
    assert [row["reference"] for row in rows] == ["YP-X"]


# --- Access log and expiry ----------------------------------------------------------------------


def test_the_request_and_the_download_are_logged_on_the_case(
    manager, young_person, requested_bundle
):
    run, _bundle = requested_bundle(manager, young_person)
    rows = AccessLogEntry.objects.filter(
        object_type="cases.youngperson", object_id=str(young_person.pk), user=manager
    )
    actions = set(rows.values_list("action", flat=True))
    assert {"subject_access.request", "subject_access.download"} <= actions
    assert rows.get(action="subject_access.download").detail == f"report run {run.pk}"


def test_the_bundle_expires_like_a_report(manager, young_person, requested_bundle):
    run, _bundle = requested_bundle(manager, young_person)
    run.refresh_from_db()
    assert run.expires_at is not None
    report_housekeeping(now=run.expires_at + timedelta(minutes=1))
    run.refresh_from_db()
    assert run.files_deleted_at is not None and not run.files.exists()


# --- Who may ask --------------------------------------------------------------------------------


def test_only_a_manager_of_the_team_sees_the_link_and_may_ask(
    manager, practitioner, young_person, team_b
):
    record = reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk})
    assert request_page(young_person) in client_for(manager).get(record).content.decode()
    assert request_page(young_person) not in client_for(practitioner).get(record).content.decode()
    assert client_for(practitioner).post(request_page(young_person)).status_code == 403
    other_manager = factories.user_with_role(Role.MANAGER, team_b, username="owain")
    assert client_for(other_manager).post(request_page(young_person)).status_code == 404
    assert not ReportRun.objects.exists()


def test_a_case_moved_to_another_team_before_the_run_fails_with_a_reason(
    manager, young_person, team_b
):
    from reports.services.execution import report_execute
    from reports.services.requests import subject_access_request

    run = subject_access_request(by=manager, young_person=young_person, enqueue=False)
    YoungPerson.objects.filter(pk=young_person.pk).update(team=team_b)
    report_execute(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "no longer one of your team's cases" in run.error_message


# --- Welsh --------------------------------------------------------------------------------------


def test_the_request_page_and_the_bundle_speak_welsh(
    manager, young_person, django_capture_on_commit_callbacks
):
    client = client_for(manager)
    page = client.get(request_page(young_person), HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert "Bwndel mynediad at ddata gwrthrych" in page
    assert "Gofyn am y bwndel" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(request_page(young_person), HTTP_ACCEPT_LANGUAGE="cy")
    run = ReportRun.objects.get(kind=ReportKind.SUBJECT_ACCESS)
    assert run.language == "cy"
    download = client.get(reverse("reports:run-download", kwargs={"pk": run.pk, "kind": "zip"}))
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert "Nid yw nodiadau myfyriol preifat" in bundle.read("README.txt").decode()


# --- Query budget -------------------------------------------------------------------------------

BUNDLE_QUERY_BUDGET = 70
RECORD_FACTORIES = (
    factories.NeedFactory,
    factories.OffenceFactory,
    factories.OrderFactory,
    factories.BreachFactory,
    factories.ConsentFactory,
    factories.TRMAssessmentFactory,
    factories.AppointmentFactory,
)


def _bundle_queries(young_person) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        subject_access.bundle_bytes(young_person)
    return len(queries)


def test_the_bundle_reads_each_kind_of_record_once_however_many_rows(team_a, practitioner):
    one = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
    many = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
    for make in RECORD_FACTORIES:
        make(young_person=one)
        make.create_batch(50, young_person=many)
    # One query per linked model, per kind of timeline record and for the access log; a new
    # linked model adds one.
    assert _bundle_queries(many) == _bundle_queries(one) <= BUNDLE_QUERY_BUDGET


def test_the_bundle_is_listed_with_the_managers_reports_without_a_referral_period(
    manager, young_person, requested_bundle
):
    run, _bundle = requested_bundle(manager, young_person)
    client = client_for(manager)
    listed = client.get(reverse("reports:run-list")).content.decode()
    assert "Subject access bundle" in listed
    assert " to </td>" not in listed
    page = client.get(reverse("reports:run-detail", kwargs={"pk": run.pk})).content.decode()
    assert "Bundle (ZIP)" in page
    assert "Referral period" not in page


def test_a_bundle_of_a_case_moved_to_another_team_is_no_longer_downloaded(
    manager, young_person, team_b, requested_bundle
):
    run, _bundle = requested_bundle(manager, young_person)
    YoungPerson.objects.filter(pk=young_person.pk).update(team=team_b)
    download = reverse("reports:run-download", kwargs={"pk": run.pk, "kind": "zip"})
    assert client_for(manager).get(download).status_code == 404
    denied = AccessLogEntry.objects.filter(action="report.download", allowed=False).get()
    assert denied.detail == "the case is no longer in the requester's teams"
