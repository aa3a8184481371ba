"""Anonymising young people (issue 17, "Anonymise, don't break the evaluation"): their names,
references, dates of birth and free text are gone from every table, history and access log
included; everyone else's stay; the evaluation's figures are the same before and after."""

import json
from datetime import date, timedelta

import factory
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import CharField, F, TextField, Value
from django.db.models.functions import Cast, Concat
from django.db.transaction import TransactionManagementError
from django.test import RequestFactory
from django.utils import timezone

from accounts.access_log import record_access, record_list_view
from accounts.models import AccessLogEntry, Draft, Role
from cases.models import Appointment, CaseEvent, YoungPerson, age_on
from eligibility.models import EligibilityDecision, EligibilityPolicy
from eligibility.reference_data import ensure_default_policies
from governance import anonymise
from reports import exports
from reports.comparison.build import comparison_document
from reports.dataset import dataset_rows
from reports.measures import Scope, compute_all
from reports.models import ReportFile, ReportKind, ReportRun, RunStatus
from seed import factories
from supervision import services as supervision_services

WHOLE_PERIOD = {"date_from": date(2000, 1, 1), "date_to": date(2100, 1, 1)}


def factory_sequence():
    """Family names found nowhere else: Zqfamily0001, Zqfamily0002 …"""
    return factory.Sequence(lambda n: f"Zqfamily{n:04d}")


def planted(person_id: int) -> str:
    """The start of every distinctive value planted in a young person's records."""
    return f"ZQ{person_id}Q-"


#: The young person's own names and reference stay as they are, to be found elsewhere.
IDENTITY = {"given_name", "family_name", "reference"}


def plant(person: YoungPerson) -> None:
    """Give every free-text column of every record about `person` (history included) a
    value found nowhere else: ``ZQ<id>Q-<column>-<row>``. Records shared with other young
    people (supervision sessions) get the person's name and reference among other words."""
    for linked in anonymise.linked_models().values():
        columns = [
            field.name
            for field in anonymise.free_text_columns(linked.model)
            if field.name not in IDENTITY
        ]
        rows = linked.rows([person.pk])
        if not columns:
            continue
        if linked.shared:
            words = f" {person.given_name} {person.family_name} ({person.reference}) "
            columns = [
                field.name
                for field in anonymise.free_text_columns(linked.model)
                if isinstance(field, TextField)
            ]
            rows.update(**{column: Concat(F(column), Value(words)) for column in columns})
            continue
        rows.update(
            **{
                column: Concat(Value(f"{planted(person.pk)}{column}-"), Cast("pk", CharField()))
                for column in columns
            }
        )


def text_columns() -> list[tuple[str, str]]:
    """(table, column) for every text-like column of every table in the database."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                kind = connection.introspection.get_field_type(column.type_code, column)
                if kind in ("CharField", "TextField", "JSONField", "SlugField"):
                    found.append((table, column.name))
    assert ("cases_historicalyoungperson", "given_name") in found
    return found


class Database:
    """Every text value of every text-like column of every table, read by raw SQL."""

    def __init__(self):
        quote = connection.ops.quote_name
        self.values: dict[str, list[str]] = {}
        with connection.cursor() as cursor:
            for table, column in text_columns():
                cursor.execute(
                    f"SELECT CAST({quote(column)} AS TEXT) FROM {quote(table)}"  # noqa: S608
                )
                found = [row[0] for row in cursor.fetchall() if row[0]]
                self.values[f"{table}.{column}"] = [value.upper() for value in found]

    def containing(self, text: str) -> list[str]:
        """Every table.column holding `text` in any letter case."""
        text = text.upper()
        return [place for place, values in self.values.items() if any(text in v for v in values)]


def evaluation(**period) -> str:
    """The evaluation report's JSON document, its comparison and the dataset's rows."""
    scope = Scope(**period)
    document = exports.evaluation_document({}, compute_all(scope))
    document["comparison"] = comparison_document(scope)
    document["dataset"] = [dict(row) for row in dataset_rows(scope)[1]]
    return json.dumps(document, sort_keys=True, default=str)


def anonymised(ids) -> dict[str, int]:
    with transaction.atomic():
        return anonymise.anonymise_young_people(ids)


# --- A varied record: the demonstration data, plus distinctive values -----------------------


@pytest.fixture
def demo(db, monkeypatch):
    """The demonstration data (without the evaluator's first report, which takes long)."""
    monkeypatch.setattr(
        "seed.management.commands.seed_demo.seed_report_run", lambda evaluator: False
    )
    call_command("seed_demo", "--force")
    return list(YoungPerson.objects.order_by("pk"))


@pytest.fixture
def named(team_a):
    """Two young people with distinctive names, records of every kind and activity that
    names them outside their records: a shared supervision session, list searches in the
    access log, a draft, a subject access bundle."""
    team = team_a
    practitioner = factories.user_with_role(Role.PRACTITIONER, team, username="zq-practitioner")
    psychologist = factories.user_with_role(Role.PSYCHOLOGIST, team, username="zq-psychologist")
    people = []
    for given, family in (("Zephyrine", "Quillfeather"), ("Keturah", "Brightwater")):
        person = factories.YoungPersonFactory(
            team=team,
            practitioner=practitioner,
            given_name=given,
            family_name=family,
            reference=f"ZQREF-{family.upper()}",
            date_of_birth=date(2009, 3, 17),
            referral_date=date(2023, 5, 2),
            ecm_start_date=date(2023, 6, 20),
            ethnicity="Welsh",
            end_note=f"{given} said it helped",
        )
        appointment = factories.AppointmentFactory(young_person=person)
        factories.ComplianceDecisionFactory(young_person=person)
        for record_factory in (
            factories.NeedFactory,
            factories.OffenceFactory,
            factories.OrderFactory,
            factories.BreachFactory,
            factories.ConsentFactory,
            factories.TRMAssessmentFactory,
            factories.InterventionItemFactory,
        ):
            record_factory(young_person=person)
        meeting = factories.FormulationMeetingFactory(young_person=person, meeting_ref=family)
        factories.MeetingAttendanceFactory(meeting=meeting, attendee_name=f"{family}'s aunt")
        factories.AgreedActionFactory(formulation=factories.FormulationFactory(meeting=meeting))
        CaseEvent.objects.create(
            young_person=person,
            action="case.ended",
            data={"end_reason": "completed", "young_persons_reasons": f"{given}: it helped"},
        )
        appointment.outcome = f"{given} came with her aunt"
        appointment.save()  # a second version in the history table
        people.append(person)
    supervision_services.session_record(
        by=psychologist,
        practitioner=practitioner,
        held_on=timezone.localdate() - timedelta(days=3),
        cases=people,
        case_notes={person: f"{person.given_name} is settling" for person in people},
        shared_notes="Discussed Zephyrine Quillfeather and Keturah Brightwater together",
        private_notes="Worried about ZQREF-QUILLFEATHER and ZQREF-BRIGHTWATER",
        actions=[
            {
                "description": "Call Zephyrine's school",
                "young_person": people[0],
                "assignee": practitioner,
                "due_on": timezone.localdate() + timedelta(days=7),
            }
        ],
        duration_minutes=40,
    )
    request = RequestFactory().get("/cases/caseload/?search=Zephyrine+Quillfeather")
    request.user = practitioner
    record_list_view(
        request, action="caseload.view", count=1, filters={"search": "Zephyrine Quillfeather"}
    )
    request = RequestFactory().get("/cases/caseload/?search=Keturah")
    request.user = practitioner
    record_list_view(request, action="caseload.view", count=1, filters={"search": "Keturah"})
    for person in people:
        request = RequestFactory().get(f"/cases/young-people/{person.pk}/")
        request.user = practitioner
        record_access(request, action="case.view", obj=person)
        Draft.objects.create(
            owner=practitioner,
            key=f"/cases/young-people/{person.pk}/needs/new/",
            data={"evidence": [f"{person.given_name} told me"]},
        )
    for person in people:
        plant(person)
    return people


@pytest.fixture
def bundle(named, settings, tmp_path):
    """A stored subject access bundle about the first named young person."""
    settings.MEDIA_ROOT = tmp_path
    run = ReportRun.objects.create(
        kind=ReportKind.SUBJECT_ACCESS,
        parameters={"young_person_id": named[0].pk},
        status=RunStatus.SUCCEEDED,
    )
    stored = tmp_path / "reports" / str(run.pk) / "token" / "zip.zip"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(b"Zephyrine Quillfeather")
    ReportFile.objects.create(
        run=run,
        kind="zip",
        file=f"reports/{run.pk}/token/zip.zip",
        name="bundle.zip",
        content_type="application/zip",
        size=22,
        sha256="0" * 64,
    )
    return run, stored


# --- Every model about a young person is covered ----------------------------------------------


def _reaches_young_person(model, depth=anonymise.MAX_DEPTH + 1, seen=()) -> bool:
    """Independently of the module's own walk: does a chain of relations lead to YoungPerson?"""
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


def test_every_model_about_a_young_person_and_its_history_is_anonymised():
    linked = anonymise.linked_models()
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed or not _reaches_young_person(model):
            continue
        assert model._meta.label_lower in linked, f"{model._meta.label_lower} is left out"
        history = anonymise._history_model(model)
        if history is not None:
            assert history._meta.label_lower in linked, f"{history._meta.label_lower} left out"
    assert linked["supervision.historicalsupervisionsession"].shared
    assert not linked["formulation.historicalagreedaction"].shared


def test_every_json_or_file_column_about_a_young_person_is_decided_on():
    undecided = {
        label: columns
        for label, linked in anonymise.linked_models().items()
        if (columns := anonymise.unclassified_columns(linked.model))
    }
    assert undecided == {}
    for label, columns in anonymise.CODED.items():
        fields = {field.name for field in apps.get_model(label)._meta.concrete_fields}
        assert columns <= fields, f"CODED names columns {label} does not have"


# --- Gone, and only theirs ----------------------------------------------------------------------


def test_sql_finds_none_of_their_values_anywhere_but_finds_everyone_elses(demo, named):
    gone, kept = named[0], named[1]
    others = demo[1::2]
    for person in others:
        plant(person)
    before = Database()
    for value in ("Zephyrine", "Quillfeather", "ZQREF-QUILLFEATHER", planted(gone.pk)):
        assert before.containing(value), f"the fixture plants {value}"

    anonymised([gone.pk, *(person.pk for person in demo[0::2])])

    after = Database()
    for value in ("Zephyrine", "Quillfeather", "ZQREF-QUILLFEATHER", planted(gone.pk)):
        assert after.containing(value) == [], value
    for person in demo[0::2]:
        assert after.containing(planted(person.pk)) == [], person.pk
    # Everyone else's are all still there, history included.
    assert set(after.containing(planted(kept.pk))) >= {
        "cases_youngperson.end_note",
        "cases_historicalyoungperson.ethnicity",
        "cases_historicalappointment.outcome",
        "formulation_formulation.trm_reasoning",
        "formulation_meetingattendance.attendee_name",
        "supervision_supervisionnote.text",
    }
    for person in others:
        assert after.containing(planted(person.pk)), person.pk
    for value in ("Keturah", "Brightwater", "ZQREF-BRIGHTWATER"):
        assert {
            "supervision_supervisionsession.shared_notes",
            "supervision_historicalsupervisionsession.private_notes",
        } <= set(after.containing(value)), value
    assert after.containing("search='Keturah'") == ["accounts_accesslogentry.detail"]


def test_the_young_person_keeps_coded_facts_and_a_date_of_birth_giving_the_same_age(named):
    person = named[0]
    real_birth = person.date_of_birth
    anonymised([person.pk])

    person.refresh_from_db()
    assert (person.given_name, person.family_name) == ("[removed]", "[removed]")
    assert person.reference == f"ANON-{person.pk}"
    assert person.ethnicity == "[removed]"
    assert person.date_of_birth == date(2009, 6, 20) != real_birth
    assert person.age_at_ecm_start == 14 == age_on(real_birth, person.ecm_start_date)
    assert person.anonymised_at is not None
    assert (person.gender, person.referral_date, person.ecm_start_date) == (
        "male",
        date(2023, 5, 2),
        date(2023, 6, 20),
    )
    history = list(person.history.values_list("date_of_birth", "reference", "given_name"))
    assert history and set(history) == {(date(2009, 6, 20), f"ANON-{person.pk}", "[removed]")}
    appointment = Appointment.objects.get(young_person=person, attendance="attended")
    assert (appointment.outcome, appointment.attendance) == ("[removed]", "attended")
    event = CaseEvent.objects.get(young_person=person, action="case.ended")
    assert event.data == {"end_reason": "completed", "young_persons_reasons": "[removed]"}


def test_a_young_person_who_never_started_keeps_their_age_on_the_latest_eligibility_decision(
    named,
):
    person = factories.YoungPersonFactory(
        team=named[0].team, date_of_birth=date(2010, 11, 30), referral_date=date(2024, 1, 10)
    )
    ensure_default_policies(EligibilityPolicy)
    policy = EligibilityPolicy.objects.first()
    for decided_on in (date(2024, 1, 12), date(2024, 12, 1)):
        EligibilityDecision.objects.create(
            young_person=person, policy=policy, decided_on=decided_on, eligible=True, criteria=[]
        )
    anonymised([person.pk])
    person.refresh_from_db()
    assert person.date_of_birth == date(2010, 12, 1)
    assert (
        age_on(person.date_of_birth, date(2024, 12, 1))
        == 14
        == age_on(date(2010, 11, 30), date(2024, 12, 1))
    )
    assert person.age_at_ecm_start is None


def test_the_access_log_keeps_who_looked_at_what_without_their_names(named):
    gone = named[0]
    anonymised([gone.pk])
    search = AccessLogEntry.objects.get(path__startswith="/cases/caseload/?[removed]")
    assert search.detail == "young people shown: 1; filters: search='[removed] [removed]'"
    assert search.username == "zq-practitioner"
    view = AccessLogEntry.objects.get(object_type="cases.youngperson", object_id=str(gone.pk))
    assert view.path == f"/cases/young-people/{gone.pk}/"
    kept = AccessLogEntry.objects.get(path="/cases/caseload/?search=Keturah")
    assert kept.detail == "young people shown: 1; filters: search='Keturah'"


def test_their_drafts_and_subject_access_bundles_are_deleted(
    named, bundle, django_capture_on_commit_callbacks
):
    run, stored = bundle
    with django_capture_on_commit_callbacks(execute=True):
        counts = anonymised([named[0].pk])
    assert counts["accounts.draft"] == 1
    assert counts["reports.reportfile"] == 1
    assert list(Draft.objects.values_list("key", flat=True)) == [
        f"/cases/young-people/{named[1].pk}/needs/new/"
    ]
    assert not stored.exists()
    run.refresh_from_db()
    assert run.files_deleted_at is not None
    assert not run.files.exists()


# --- The evaluation does not change -------------------------------------------------------------


def test_the_evaluation_report_is_identical_before_and_after(demo):
    before = evaluation(**WHOLE_PERIOD)
    last_year = {"date_from": date.today() - timedelta(days=365), "date_to": date.today()}
    before_last_year = evaluation(**last_year)
    anonymised([person.pk for person in demo[0::2]])
    assert YoungPerson.objects.filter(anonymised_at__isnull=False).count() == len(demo[0::2])
    assert evaluation(**WHOLE_PERIOD) == before
    assert evaluation(**last_year) == before_last_year


# --- Idempotent, counted, and only in a transaction -----------------------------------------


def test_a_second_run_changes_nothing_and_says_so(named):
    ids = [person.pk for person in named]
    first = anonymised(ids)
    assert first["cases.youngperson"] == 2
    assert first["cases.historicalyoungperson"] >= 2
    assert first["cases.appointment"] >= 4
    assert first["supervision.supervisionsession"] == 1
    assert first["accounts.accesslogentry"] == 2
    before = {person.pk: person for person in YoungPerson.objects.filter(pk__in=ids)}
    assert anonymised(ids) == {}
    for person in YoungPerson.objects.filter(pk__in=ids):
        assert (person.date_of_birth, person.anonymised_at, person.version) == (
            before[person.pk].date_of_birth,
            before[person.pk].anonymised_at,
            before[person.pk].version,
        )


def test_more_young_people_than_one_pass_takes_are_all_anonymised(team_a, practitioner):
    people = factories.YoungPersonFactory.create_batch(
        anonymise.PEOPLE_PER_PASS + 30, team=team_a, family_name=factory_sequence()
    )
    for person in people:
        request = RequestFactory().get(f"/cases/caseload/?search={person.family_name}")
        request.user = practitioner
        record_list_view(
            request, action="caseload.view", count=1, filters={"search": person.family_name}
        )
    counts = anonymised([person.pk for person in people])
    assert counts["cases.youngperson"] == len(people)
    assert counts["accounts.accesslogentry"] == len(people)
    assert set(AccessLogEntry.objects.values_list("detail", flat=True)) == {
        "young people shown: 1; filters: search='[removed]'"
    }


def test_nothing_to_anonymise_changes_nothing(db):
    assert anonymised([]) == {}


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_run_outside_a_transaction(named):
    with pytest.raises(TransactionManagementError):
        anonymise.anonymise_young_people([named[0].pk])
    assert YoungPerson.objects.get(pk=named[0].pk).anonymised_at is None


# --- The access log is still append-only for everything else ---------------------------------


@pytest.fixture
def entry(practitioner):
    request = RequestFactory().get("/cases/caseload/?search=Seren")
    request.user = practitioner
    return record_access(request, action="caseload.view", detail="search='Seren'")


def test_the_database_still_refuses_other_updates_of_the_access_log(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_accesslogentry SET detail = '[removed]'")
    entry.refresh_from_db()
    assert entry.detail == "search='Seren'"


def test_during_an_anonymisation_only_detail_and_path_may_change_and_only_to_the_marker(entry):
    statements = (
        "UPDATE accounts_accesslogentry SET username = 'someone', detail = '[removed]'",
        "UPDATE accounts_accesslogentry SET detail = 'rewritten'",
    )
    for statement in statements:
        with (
            pytest.raises(DatabaseError),
            transaction.atomic(),
            anonymise._access_log_open_for_anonymisation(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    with (
        transaction.atomic(),
        anonymise._access_log_open_for_anonymisation(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE accounts_accesslogentry SET detail = 'search=''[removed]'''")
    entry.refresh_from_db()
    assert (entry.detail, entry.username) == ("search='[removed]'", "alice")
    # Closed again once the anonymisation is over.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_accesslogentry SET detail = '[removed]'")
