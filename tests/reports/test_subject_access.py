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
from django.test import RequestFactory
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
    assert (
        "supervision.supervisionsession.csv: psychologist_name, practitioner_name, shared_notes"
        in readme
    )
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


def _rows(bundle, name) -> list[dict]:
    return list(csv.DictReader(io.StringIO(bundle.read(name).decode())))


def test_staff_are_named_and_codes_are_labelled_beside_the_ids(
    manager, psychologist, young_person, session, requested_bundle
):
    psychologist.first_name, psychologist.last_name = "Pat", "Pritchard"
    psychologist.save()
    factories.ConsentFactory(young_person=young_person, recorded_by=manager)
    _run, bundle = requested_bundle(manager, young_person)
    (row,) = _rows(bundle, "supervision.supervisionsession.csv")
    assert row["psychologist_id"] == str(psychologist.pk)
    assert row["psychologist_name"] == "Pat Pritchard"
    assert row["practitioner_name"] == practitioner_name(row["practitioner_id"])
    assert row["team_label"] == "Team A"
    (own,) = _rows(bundle, "cases.youngperson.csv")
    assert own["team_label"] == "Team A"
    assert own["gender_label"] == young_person.get_gender_display()
    (consent,) = _rows(bundle, "cases.consent.csv")
    assert consent["recorded_by_name"] == manager.get_full_name()
    assert consent["decision"] and consent["decision_label"] == str(
        dict(consent_labels())[consent["decision"]]
    )


def practitioner_name(pk) -> str:
    from accounts.models import User

    return User.objects.get(pk=pk).get_full_name()


def consent_labels():
    from cases.models import Consent

    return Consent._meta.get_field("decision").flatchoices


def test_staff_names_show_in_welsh_bundles_with_welsh_labels(
    manager, young_person, requested_bundle, settings
):
    from django.utils import translation

    with translation.override("cy"):
        data = subject_access.bundle_bytes(young_person)
        expected = str(young_person.get_gender_display())
    bundle = zipfile.ZipFile(io.BytesIO(data))
    (own,) = _rows(bundle, "cases.youngperson.csv")
    assert own["gender_label"] == expected
    assert "Wrth ymyl dolen at aelod o staff" in bundle.read("README.txt").decode()


def test_a_group_sessions_shared_notes_are_withheld_and_its_case_note_given(
    manager, psychologist, practitioner, team_a, young_person, session, requested_bundle
):
    other = factories.YoungPersonFactory(team=team_a, practitioner=practitioner, given_name="Ifan")
    supervision_services.session_record(
        by=psychologist,
        practitioner=practitioner,
        held_on=timezone.localdate() - timedelta(days=1),
        cases=[young_person, other],
        case_notes={young_person: "Seren: keep college going", other: "Ifan: housing"},
        shared_notes="Ifan's housing and Seren's college both discussed",
        private_notes="",
        duration_minutes=60,
        actions=[],
    )
    _run, bundle = requested_bundle(manager, young_person)
    everything = b"".join(bundle.read(name) for name in bundle.namelist())
    assert b"Ifan's housing" not in everything
    assert b"Ifan: housing" not in everything
    sessions = _rows(bundle, "supervision.supervisionsession.csv")
    assert sorted(row["shared_notes"] for row in sessions) == [
        "Caseload pressure discussed",  # only this young person discussed: given, flagged
        "[withheld: this session also discussed other young people; what it said about this "
        "young person is in supervision.supervisionnote.csv]",
    ]
    notes = [row["text"] for row in _rows(bundle, "supervision.supervisionnote.csv")]
    assert sorted(notes) == sorted([CASE_NOTE, "Seren: keep college going"])
    readme = bundle.read("README.txt").decode()
    assert "for sessions that also discussed other young people they are withheld" in readme


def test_access_log_rows_about_the_young_persons_records_are_in_the_bundle(
    manager, practitioner, team_a, young_person, session, requested_bundle
):
    from accounts.access_log import record_access

    mine = factories.AppointmentFactory(young_person=young_person)
    other_person = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
    theirs = factories.AppointmentFactory(young_person=other_person)
    request = RequestFactory().get("/")
    request.user = practitioner
    record_access(request, action="appointment.view", obj=mine)
    record_access(request, action="supervision.view", obj=session)
    record_access(request, action="appointment.view", obj=theirs)
    record_access(request, action="case.view", obj=other_person)
    _run, bundle = requested_bundle(manager, young_person)
    rows = _rows(bundle, "accounts.accesslogentry.csv")
    about = {(row["object_type"], row["object_id"]) for row in rows}
    assert ("cases.appointment", str(mine.pk)) in about
    assert ("supervision.supervisionsession", str(session.pk)) in about
    assert ("cases.youngperson", str(young_person.pk)) in about  # the request itself
    assert ("cases.appointment", str(theirs.pk)) not in about
    assert ("cases.youngperson", str(other_person.pk)) not in about
    viewed = next(row for row in rows if row["object_type"] == "cases.appointment")
    assert viewed["username"] == "alice"
    assert viewed["user_name"] == practitioner.get_full_name()


def test_every_name_column_and_free_text_is_flagged_for_redaction_alike(
    manager, young_person, requested_bundle
):
    """Staff names, other people's names and typed text are flagged the same way in every
    file; the young person's own name is not."""
    _run, bundle = requested_bundle(manager, young_person)
    readme = bundle.read("README.txt").decode()
    flagged = {}
    for line in readme.splitlines():
        name, sep, columns = line.strip().partition(".csv: ")
        if sep and not columns.isdigit():
            flagged[f"{name}.csv"] = set(columns.split(", "))
    for name in bundle.namelist():
        if not name.endswith(".csv"):
            continue
        header = next(csv.reader(io.StringIO(bundle.read(name).decode())))
        own = name in {"cases.youngperson.csv", "cases.historicalyoungperson.csv"}
        names = {
            column
            for column in header
            if column.endswith("name") and not (own and column in {"given_name", "family_name"})
        }
        names |= {"history_change_reason"} & set(header)
        assert names <= flagged.get(name, set()), f"{name}: {names - flagged.get(name, set())}"
        # An id is not a name: the name beside it is what is flagged.
        assert not {column for column in flagged.get(name, set()) if column.endswith("_id")}
    assert {"psychologist_name", "practitioner_name"} <= flagged[
        "supervision.supervisionsession.csv"
    ]
    assert {"username", "user_name", "detail"} <= flagged["accounts.accesslogentry.csv"]
    assert "In chronology.pdf, the Recorded by column names staff" in readme


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

# One query per kind of record about the young person (legal holds, retention items and
# partner agencies' contacts, answers and plan items handed over included), so it grows only
# with new kinds.
BUNDLE_QUERY_BUDGET = 77
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
