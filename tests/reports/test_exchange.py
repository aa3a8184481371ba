"""The exchange format (DESIGN.md section 8): import, validation, export and round trips."""

import io
import zipfile
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import (
    Agency,
    DedicatedRole,
    Membership,
    Role,
    Team,
    TrainingAttendance,
    TrainingCourse,
    UnitCost,
    User,
)
from cases.models import Appointment, ComplianceDecision, Consent, Need, Offence, YoungPerson
from eligibility.models import EligibilityDecision
from eligibility.services import eligibility_check
from formulation import services as formulation_services
from formulation.models import FormulationMeeting, InterventionItem, MeetingAttendance
from reports.exchange import importer, schema
from reports.exchange.exporter import export_exchange
from reports.exchange.importer import import_exchange
from reports.exchange.reader import _Reporter, parse_table
from reports.exchange.source import from_files, from_folder, from_zip
from reports.models import MeasureTarget
from seed import factories
from supervision import services as supervision_services
from supervision.models import SupervisionSession

FIXTURE = Path(__file__).parent / "fixtures" / "exchange_valid"

#: Every model an import may write to (for "nothing changed" checks).
WRITTEN = [
    Team,
    Agency,
    User,
    Membership,
    *(apps.get_app_config("cases").get_models()),
    *(apps.get_app_config("eligibility").get_models()),
    *(apps.get_app_config("formulation").get_models()),
    *(apps.get_app_config("supervision").get_models()),
    TrainingCourse,
    TrainingAttendance,
    DedicatedRole,
    UnitCost,
    MeasureTarget,
]


def fixture_files() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(FIXTURE.glob("*.csv"))}


def changed(name: str, old: str, new: str, files=None) -> dict[str, bytes]:
    """The fixture with one text replacement in one file."""
    files = dict(files or fixture_files())
    text = files[name].decode()
    assert old in text, f"{old!r} not in {name}"
    files[name] = text.replace(old, new, 1).encode()
    return files


def appended(name: str, line: str, files=None) -> dict[str, bytes]:
    files = dict(files or fixture_files())
    files[name] = files[name] + line.encode() + b"\n"
    return files


def run(files: dict[str, bytes], **options):
    return import_exchange(from_files(files), **options)


def problems(result) -> list[str]:
    return [str(problem) for problem in result.problems]


def state() -> dict[str, tuple[int, int]]:
    """Row count and history row count of every model an import may write to."""
    counts = {}
    for model in WRITTEN:
        history = getattr(model, "history", None)
        counts[model._meta.label] = (
            model._default_manager.count(),
            history.model.objects.count() if history is not None else None,
        )
    return counts


def rows_of(files: dict[str, bytes]) -> dict[str, Counter]:
    """Each file's rows as parsed values, order-insensitive (for comparing exports)."""
    parsed = {}
    for spec in schema.FILES:
        report = _Reporter()
        table = parse_table(spec, files[spec.name], report)
        assert report.problems == []
        parsed[spec.name] = Counter(
            tuple(row.values[column] for column in spec.column_names) for row in table.rows
        )
    return parsed


def exported(tmp_path, name="export") -> dict[str, bytes]:
    folder = tmp_path / name
    export_exchange(folder)
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- A valid exchange ---------------------------------------------------------------------------


def test_the_reasons_given_are_imported_and_exported(db, tmp_path):
    assert problems(run(fixture_files())) == []
    consent = Consent.objects.get(decision="withdrawn")
    assert (consent.reason.code, consent.own_words) == ("no_point", "It's my business, not theirs")
    rows = rows_of(exported(tmp_path))["consents.csv"]
    assert any(row[-2:] == ("no_point", "It's my business, not theirs") for row in rows)


def test_fixture_folder_imports_every_file(db):
    result = import_exchange(from_folder(FIXTURE))

    assert problems(result) == []
    assert {count.name: count.created for count in result.file_counts} == {
        "teams.csv": 2,
        "agencies.csv": 3,
        "staff.csv": 5,
        "young_people.csv": 4,
        "needs.csv": 4,
        "offences.csv": 7,
        "orders.csv": 2,
        "breaches.csv": 1,
        "custody.csv": 1,
        "consents.csv": 5,
        "trm_assessments.csv": 3,
        "appointments.csv": 6,
        "compliance_decisions.csv": 3,
        "formulation_meetings.csv": 2,
        "distance_ratings.csv": 2,
        "meeting_attendance.csv": 4,
        "interventions.csv": 3,
        "supervision_sessions.csv": 2,
        "supervision_notes.csv": 1,
        "oversight.csv": 2,
        "oversight_actions.csv": 2,
        "targets.csv": 2,
        "training_courses.csv": 1,
        "training_attendance.csv": 2,
        "dedicated_roles.csv": 1,
        "unit_costs.csv": 2,
    }
    person = YoungPerson.objects.get(reference="YP001")
    assert (person.team.code, person.practitioner.staff_ref) == ("cardiff", "S001")
    assert (person.ecm_start_date, person.ecm_end_date, person.end_reason) == (
        date(2016, 4, 1),
        date(2017, 3, 31),
        "completed",
    )
    evidence = Need.objects.get(young_person=person, category__code="domestic_abuse_experienced")
    assert evidence.evidence == "Children's services report.\nTwo incidents recorded."
    session = SupervisionSession.objects.get(session_ref="SV002")
    assert session.team.code == "swansea"
    assert list(
        InterventionItem.objects.filter(young_person=person).values_list("sequence", "title")
    ) == [
        (1, "Daily routine plan"),
        (2, "Trauma-focused work"),
    ]


def test_naive_appointment_times_are_london_time(db):
    import_exchange(from_folder(FIXTURE))

    summer = Appointment.objects.get(purpose="Getting to know you")
    assert summer.starts_at.astimezone(schema.LONDON).hour == 10
    assert summer.starts_at.utcoffset() == timedelta(0)
    assert summer.starts_at.hour == 9  # 10:00 BST is 09:00 UTC


def test_importing_the_fixture_into_an_empty_database_and_exporting_gives_the_same_rows(
    db, tmp_path
):
    import_exchange(from_folder(FIXTURE))

    assert rows_of(exported(tmp_path)) == rows_of(fixture_files())


def test_importing_the_same_files_again_changes_nothing(db):
    run(fixture_files())
    before = state()

    again = run(fixture_files())

    assert problems(again) == []
    assert (again.created, again.updated) == (0, 0)
    assert state() == before


def test_a_changed_value_updates_the_row_instead_of_duplicating_it(db):
    run(fixture_files())
    person = YoungPerson.objects.get(reference="YP002")

    result = run(changed("young_people.csv", "Gareth,Hughes", "Gareth,Hughes-Price"))

    assert result.counts["young_people.csv"].updated == 1
    assert YoungPerson.objects.filter(reference="YP002").count() == 1
    person.refresh_from_db()
    assert person.family_name == "Hughes-Price"
    assert person.version == 2
    assert person.history.count() == 2
    assert person.events.filter(action="exchange.updated").exists()


def test_each_imported_row_has_one_created_history_row_with_its_values(db, administrator):
    # On PostgreSQL the importer writes these rows with COPY; elsewhere through
    # django-simple-history. Both must give the same history.
    run(fixture_files(), by=administrator)

    for model in (YoungPerson, Appointment, Offence, Need, Team, Agency, User, InterventionItem):
        history_fields = [
            field.attname
            for field in model.history.model._meta.concrete_fields
            if not field.attname.startswith("history_")
        ]
        objects = list(model.objects.exclude(pk=administrator.pk))
        assert objects, model
        for obj in objects:
            (history,) = obj.history.all()
            assert history.history_type == "+"
            assert history.history_change_reason == importer.CHANGE_REASON
            assert history.history_user_id == administrator.pk
            assert abs(history.history_date - timezone.now()) < timedelta(minutes=5)
            for name in history_fields:
                assert getattr(history, name) == getattr(obj, name), (model, name)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_a_copied_row_that_breaks_a_constraint_is_djangos_integrity_error(db):
    factories.TeamFactory(code="wrexham")

    with pytest.raises(IntegrityError), transaction.atomic():
        importer.copy_rows(Team, [Team(code="wrexham", name="Wrexham again")])
    assert Team.objects.filter(code="wrexham").count() == 1


def test_imported_records_update_the_stored_case_summaries(db):
    from cases import summary
    from cases.models import CaseSummary
    from supervision import case_counts
    from supervision.models import SessionCases

    run(fixture_files())
    assert CaseSummary.objects.count() == YoungPerson.objects.count()
    assert summary.mismatches() == []
    # The imported sessions' counts of cases discussed, for each case's share of their time.
    assert SessionCases.objects.filter(cases__gt=0).exists()
    assert case_counts.mismatches() == []

    run(
        appended(
            "appointments.csv",
            "YP001,2016-09-01T10:00,one_to_one,review,,60,attended,3,achieved,,S001,",
        )
    )
    last = CaseSummary.objects.get(young_person__reference="YP001").last_contact_at
    assert last.date().isoformat() == "2016-09-01"
    assert summary.mismatches() == []


def test_a_new_record_for_an_existing_young_person_is_added_beside_the_old_ones(db):
    run(fixture_files())

    result = run(appended("offences.csv", "YP002,2016-05-20,Shoplifting,2,"))

    assert result.counts["offences.csv"].created == 1
    assert result.counts["offences.csv"].unchanged == 7
    assert Offence.objects.filter(young_person__reference="YP002").count() == 3


def test_a_zip_with_its_files_in_one_folder_is_read(db):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as writer:
        for name, data in fixture_files().items():
            writer.writestr(f"exchange/{name}", data)
    archive.seek(0)

    result = import_exchange(from_zip(archive))

    assert problems(result) == []
    assert YoungPerson.objects.count() == 4


def test_files_other_than_teams_and_young_people_may_be_absent(db):
    files = {name: data for name, data in fixture_files().items() if name in ("teams.csv",)}
    files["young_people.csv"] = (
        b"ref,team_code,given_name,family_name,date_of_birth,gender,ethnicity,referral_date,"
        b"practitioner_ref,parent_consent_required,started_on,ended_on,end_reason,"
        b"withdrawal_reason\r\n"
        b"YP010,cardiff,Nia,Roberts,2001-01-01,female,,2016-05-01,,,,,,\r\n"
    )

    result = run(files)

    assert problems(result) == []
    # Parent or carer consent defaults to required under 16, as on the referral form.
    assert YoungPerson.objects.get(reference="YP010").parent_consent_required is True


# --- Staff --------------------------------------------------------------------------------------


def test_imported_staff_cannot_sign_in_until_an_administrator_activates_them(db, client):
    run(fixture_files())

    user = User.objects.get(staff_ref="S002")
    assert user.username == "s002"
    assert user.is_active is False
    assert user.has_usable_password() is False
    assert (user.first_name, user.last_name) == ("Bryn", "Evans")
    assert set(user.memberships.values_list("role", "team__code")) == {
        (Role.MANAGER, "cardiff"),
        (Role.MANAGER, "swansea"),
        (Role.PRACTITIONER, "swansea"),
    }
    assert set(User.objects.get(staff_ref="E001").memberships.values_list("role", "team")) == {
        (Role.EVALUATOR, None)
    }
    client.post(reverse("accounts:login"), {"username": "s002", "password": ""})
    assert "_auth_user_id" not in client.session


def test_a_new_staff_member_cannot_take_an_existing_user_name(db):
    factories.UserFactory(username="s001")

    result = run(fixture_files())

    assert 'staff.csv:2: staff_ref: the user name "s001" is already taken by another user' in (
        problems(result)
    )


# --- Eligibility --------------------------------------------------------------------------------


def test_each_new_referral_gets_a_decision_by_the_policy_in_force_on_its_referral_date(db):
    result = run(fixture_files())

    decision = EligibilityDecision.objects.get(young_person__reference="YP001")
    assert decision.decided_on == date(2016, 3, 1)
    assert decision.reconstructed is True
    assert decision.made_by is None
    assert decision.policy.name == "ECM 2016 revised"
    assert decision.eligible is True
    assert EligibilityDecision.objects.get(young_person__reference="YP002").eligible is False
    assert (result.decisions, result.eligible) == (3, 1)


def test_a_referral_with_no_policy_in_force_is_reported_not_refused(db):
    result = run(fixture_files())

    assert result.no_policy == ["YP004"]
    assert not EligibilityDecision.objects.filter(young_person__reference="YP004").exists()
    assert YoungPerson.objects.filter(reference="YP004").exists()


def test_importing_an_unchanged_referral_again_makes_no_new_decision(db):
    run(fixture_files())

    result = run(fixture_files())

    assert result.decisions == 0
    assert EligibilityDecision.objects.count() == 3


# --- Problems -----------------------------------------------------------------------------------


def test_an_unknown_reference_is_reported_with_its_line(db):
    # needs.csv's third row spans two lines, so the new row is on line 7.
    result = run(appended("needs.csv", "YP999,mental_health,2016-06-01,"))

    assert problems(result) == ['needs.csv:7: young_person_ref: unknown young person "YP999"']
    assert YoungPerson.objects.count() == 0


def test_a_date_in_another_form_is_reported(db):
    result = run(changed("young_people.csv", "2001-09-02", "31/02/2001"))

    assert problems(result) == [
        'young_people.csv:3: date_of_birth: not a date in YYYY-MM-DD form (got "31/02/2001")'
    ]


def test_a_date_that_does_not_exist_is_reported(db):
    result = run(changed("orders.csv", "2016-05-01", "2016-02-30"))

    assert problems(result) == ['orders.csv:3: start_date: not a real date (got "2016-02-30")']


def test_a_bad_code_is_reported_with_the_allowed_values(db):
    result = run(changed("young_people.csv", "female", "f"))

    assert problems(result) == [
        'young_people.csv:2: gender: "f" is not an allowed value; use one of: '
        "female, male, other, not_stated"
    ]


def test_an_unknown_need_code_lists_the_vocabulary(db):
    result = run(changed("needs.csv", "mental_health", "anxiety"))

    (problem,) = problems(result)
    assert problem.startswith('needs.csv:6: need: "anxiety" is not an allowed value; use one of: ')
    assert "bereavement" in problem


def test_an_unknown_appointment_purpose_rejects_the_whole_import(db):
    before = state()

    result = run(changed("appointments.csv", "home_visit,family,", "home_visit,chess,"))

    (problem,) = problems(result)
    assert problem == (
        'appointments.csv:3: purpose_code: "chess" is not an allowed value; use one of: '
        "ete, family, health, offence_focused, other, practical_support, relationship, "
        "reparation, review, trm_stage_work"
    )
    assert result.written is False
    assert state() == before


def test_an_unknown_outcome_code_is_reported_with_the_allowed_values(db):
    result = run(changed("appointments.csv", "4,achieved,", "4,done,"))

    assert problems(result) == [
        'appointments.csv:2: outcome_code: "done" is not an allowed value; use one of: '
        "achieved, partly_achieved, not_achieved, not_applicable"
    ]


def test_imported_appointments_keep_their_purpose_outcome_and_duration(db):
    run(fixture_files())

    first = Appointment.objects.get(purpose="Getting to know you")
    call = Appointment.objects.get(purpose="Weekly check-in")
    assert (first.purpose_category.code, first.duration_minutes, first.outcome_code) == (
        "relationship",
        60,
        "achieved",
    )
    assert (call.purpose_category.code, call.outcome_code) == ("review", "partly_achieved")
    assert FormulationMeeting.objects.get(meeting_ref="M001").duration_minutes == 90


def test_a_gravity_outside_1_to_8_is_reported(db):
    result = run(changed("offences.csv", "Robbery,6", "Robbery,9"))

    assert problems(result) == [
        'offences.csv:8: gravity: must be a whole number from 1 to 8 (got "9")'
    ]


def test_a_duplicate_key_is_reported_with_the_first_line(db):
    result = run(
        appended(
            "young_people.csv", "YP001,cardiff,Ffion,Morgan,2000-05-14,female,,2016-03-01,,,,,,"
        )
    )

    assert problems(result) == ['young_people.csv:6: ref: duplicate key "YP001" (first on line 2)']


def test_a_file_that_is_not_utf8_is_reported(db):
    files = fixture_files()
    text = files["appointments.csv"].decode().replace("Good start", "Très bien")
    files["appointments.csv"] = text.encode("latin-1")
    position = text.index("è")

    result = run(files)

    assert problems(result) == [
        f"appointments.csv: not UTF-8 text (byte 0xe8 at position {position}); save it as UTF-8"
    ]


def test_a_byte_order_mark_is_accepted(db):
    files = fixture_files()
    files["teams.csv"] = b"\xef\xbb\xbf" + files["teams.csv"]

    assert problems(run(files)) == []


def test_a_missing_column_is_reported_on_the_header_line(db):
    files = fixture_files()
    lines = files["staff.csv"].decode().splitlines()
    files["staff.csv"] = "\n".join(
        ",".join(cell for index, cell in enumerate(line.split(",")) if index != 3) for line in lines
    ).encode()

    result = run(files)

    assert problems(result) == ["staff.csv:1: role: missing column"]


def test_an_unknown_column_is_reported(db):
    result = run(changed("teams.csv", "team_code,name", "team_code,name,region"))

    assert "teams.csv:1: region: unknown column; the columns are: team_code, name" in problems(
        result
    )


def test_unbalanced_quotes_are_reported_as_malformed_csv(db):
    result = run(changed("offences.csv", "Criminal damage", '"Criminal damage'))

    (problem,) = problems(result)
    assert problem.startswith("offences.csv:3: malformed CSV (")


def test_a_row_with_too_many_values_is_reported(db):
    result = run(changed("offences.csv", "Burglary (dwelling)", "Burglary, dwelling"))

    assert problems(result) == ["offences.csv:5: has 6 values but the header has 5 columns"]


def test_a_file_larger_than_the_limit_is_refused(db, settings):
    settings.ECM_EXCHANGE_MAX_FILE_BYTES = 450

    result = run(fixture_files())

    assert problems(result) == [
        "young_people.csv: the file is 511 bytes, more than the limit of 450 bytes",
        "consents.csv: the file is 484 bytes, more than the limit of 450 bytes",
        "appointments.csv: the file is 730 bytes, more than the limit of 450 bytes",
        "compliance_decisions.csv: the file is 457 bytes, more than the limit of 450 bytes",
    ]
    assert YoungPerson.objects.count() == 0


def test_a_zip_member_larger_than_the_limit_is_not_read(db, settings):
    settings.ECM_EXCHANGE_MAX_FILE_BYTES = 300
    files = fixture_files()

    source = from_zip(io.BytesIO(zipped(files)))

    assert "appointments.csv" not in source.files
    assert [str(problem) for problem in source.problems] == [
        f"{name}: the file is {len(data)} bytes, more than the limit of 300 bytes"
        for name, data in files.items()
        if len(data) > 300
    ]


def test_zip_members_with_unsafe_or_nested_paths_are_refused(db):
    files = fixture_files()
    files["../escape.csv"] = b"team_code,name\n"
    files["deep/inside/teams.csv"] = b"team_code,name\n"

    source = from_zip(io.BytesIO(zipped(files)))

    assert [str(problem) for problem in source.problems] == [
        "../escape.csv: unsafe file name in the zip; the files must be at the top level",
        "deep/inside/teams.csv: files in folders inside the zip are not read; "
        "put the CSV files at the top",
    ]
    assert "escape.csv" not in source.files
    assert source.files["teams.csv"] == files["teams.csv"]


def test_something_that_is_not_a_zip_is_reported(db):
    source = from_zip(io.BytesIO(b"teams.csv is not a zip"), name="teams.zip")

    assert [str(problem) for problem in source.problems] == [
        "teams.zip: not a zip file, or a damaged one"
    ]


def test_a_missing_required_file_and_an_unknown_file_are_reported(db):
    files = fixture_files()
    del files["teams.csv"]
    files["need.csv"] = b"young_person_ref\n"
    files["README.txt"] = b"notes"

    result = run(files)

    assert problems(result)[:2] == [
        "need.csv: not a file of the exchange format; the files are: "
        + ", ".join(spec.name for spec in schema.FILES),
        "teams.csv: missing; every exchange needs teams.csv and young_people.csv",
    ]
    assert result.ignored == ["README.txt"]


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        pytest.param(
            "young_people.csv",
            "2002-01-20",
            "2099-01-20",
            "young_people.csv:4: date_of_birth: Date of birth must be in the past",
            id="date-of-birth-in-the-future",
        ),
        pytest.param(
            "young_people.csv",
            "2002-01-20",
            "2010-01-20",
            "young_people.csv:4: date_of_birth: The young person must be at least 10 on the "
            "referral date (the age of criminal responsibility)",
            id="younger-than-10",
        ),
        pytest.param(
            "young_people.csv",
            "2016-04-01,2017-03-31",
            "2016-04-01,2016-03-31",
            "young_people.csv:2: ended_on: End date must be the same as or after the start date",
            id="end-before-start",
        ),
        pytest.param(
            "young_people.csv",
            "2016-07-01,,",
            ",2017-01-01,completed",
            "young_people.csv:3: ended_on: ECM cannot end before it has started",
            id="end-without-start",
        ),
        pytest.param(
            "orders.csv",
            "2016-01-15,2017-01-14",
            "2016-01-15,2015-01-14",
            "orders.csv:2: end_date: End date must be the same as or after the start date",
            id="order-ends-before-it-starts",
        ),
        pytest.param(
            "appointments.csv",
            "did_not_attend,,",
            "did_not_attend,3,",
            "appointments.csv:3: engagement: Only rate engagement when the young person attended",
            id="engagement-without-attendance",
        ),
        pytest.param(
            "appointments.csv",
            "Review of the plan,60,,",
            "Review of the plan,60,attended,",
            "appointments.csv:5: attendance: Attendance can only be recorded once the appointment "
            "has started",
            id="attendance-in-the-future",
        ),
        pytest.param(
            "appointments.csv",
            "Getting to know you,60,",
            "Getting to know you,0,",
            "appointments.csv:2: duration_minutes: The duration must be at least 1 minute",
            id="appointment-duration-zero",
        ),
        pytest.param(
            "appointments.csv",
            "Weekly check-in,15,",
            "Weekly check-in,721,",
            "appointments.csv:4: duration_minutes: The duration must be 720 minutes (12 hours) "
            "or less",
            id="appointment-duration-over-12-hours",
        ),
        pytest.param(
            "appointments.csv",
            "did_not_attend,,not_applicable",
            "did_not_attend,,achieved",
            "appointments.csv:3: outcome_code: The young person did not attend, so the outcome "
            "can only be “Not applicable” or left empty",
            id="outcome-on-a-missed-appointment",
        ),
        pytest.param(
            "formulation_meetings.csv",
            "P001,90",
            "P001,0",
            "formulation_meetings.csv:2: duration_minutes: The duration must be at least 1 minute",
            id="meeting-duration-zero",
        ),
        pytest.param(
            "consents.csv",
            "given,2016-03-10",
            "given,2016-02-10",
            "consents.csv:2: decided_on: Consent cannot be dated before the referral (01/03/2016)",
            id="consent-before-referral",
        ),
        pytest.param(
            "consents.csv",
            # Neither a note nor the young person's own words: nothing of what was said is kept.
            "Said they no longer want their information used,no_point,"
            '"It\'s my business, not theirs"',
            ",no_point,",
            "consents.csv:6: note: Record what the young person or family said when "
            "withdrawing consent, in the young person's own words or in the note",
            id="withdrawal-without-note",
        ),
        pytest.param(
            "offences.csv",
            "2016-04-02,Robbery,6,",
            "2016-04-02,Robbery,6,2016-03-01",
            "offences.csv:8: proven_on: Date proven cannot be before the date committed",
            id="proven-before-committed",
        ),
        pytest.param(
            "needs.csv",
            "2016-06-01,CAMHS",
            "1990-06-01,CAMHS",
            "needs.csv:6: recorded_on: Date identified cannot be before the young person's date "
            "of birth (02/09/2001)",
            id="need-before-birth",
        ),
        pytest.param(
            "trm_assessments.csv",
            "2016-07-15,2,",
            "2016-07-15,9,",
            "trm_assessments.csv:4: stage: there is no TRM stage 9; use one of: "
            "1, 2, 3, 4, 5, 6, 7",
            id="unknown-trm-stage",
        ),
        pytest.param(
            "young_people.csv",
            "2016-06-15,S001",
            "2016-06-15,P001",
            'young_people.csv:3: practitioner_ref: "P001" is not a practitioner in team "cardiff"',
            id="practitioner-outside-the-team",
        ),
        pytest.param(
            "formulation_meetings.csv",
            "initial,P001",
            "initial,S001",
            'formulation_meetings.csv:2: chair_ref: "S001" is not a psychologist serving team '
            '"cardiff"',
            id="chair-not-a-psychologist",
        ),
        pytest.param(
            "meeting_attendance.csv",
            "education,no,",
            "education,no,Mr Jenkins",
            "meeting_attendance.csv:4: attendee_name: only give a name when attended is yes",
            id="name-of-an-absent-agency",
        ),
        pytest.param(
            "supervision_sessions.csv",
            "YP001|YP002",
            "YP001|YP003",
            "supervision_sessions.csv:2: young_person_refs: the young people discussed must all "
            "be in one team (they are in cardiff, swansea)",
            id="cases-from-two-teams",
        ),
        pytest.param(
            "staff.csv",
            "E001,Dafydd Rees,,evaluator,",
            "E001,Dafydd Rees,,evaluator,cardiff",
            "staff.csv:6: team_codes: an evaluator works across all teams; leave team_codes empty",
            id="evaluator-with-teams",
        ),
        pytest.param(
            "consents.csv",
            "no_point,",
            "bored,",
            'consents.csv:6: reason: "bored" is not an allowed value; use one of: '
            "family_opposed, moved_away, no_point, other, relationship_with_worker, "
            "too_many_appointments",
            id="unknown-reason",
        ),
        pytest.param(
            "consents.csv",
            "participation,given,2016-03-10,S001,,,",
            "participation,given,2016-03-10,S001,,other,",
            "consents.csv:2: reason: A reason and the young person's words are recorded only "
            "when consent is refused or withdrawn",
            id="reason-for-consent-given",
        ),
        pytest.param(
            "young_people.csv",
            "2017-03-31,completed,",
            "2017-03-31,completed,moved_away",
            "young_people.csv:2: withdrawal_reason: A reason for withdrawing is recorded only "
            "when ECM ended as withdrawn",
            id="reason-for-completing",
        ),
        pytest.param(
            "meeting_attendance.csv",
            "M002,police",
            "M003,police",
            'meeting_attendance.csv:5: meeting_ref: unknown formulation meeting "M003"',
            id="unknown-meeting",
        ),
    ],
)
def test_the_services_rules_are_applied_to_imported_rows(db, name, old, new, expected):
    result = run(changed(name, old, new))

    assert problems(result) == [expected]
    assert YoungPerson.objects.count() == 0


def test_every_problem_in_every_file_is_reported_in_file_order(db):
    files = changed("young_people.csv", "female", "f")
    files = changed("offences.csv", "Robbery,6", "Robbery,0", files)
    files = changed("needs.csv", "2016-06-01", "2016-13-01", files)

    assert problems(run(files)) == [
        'young_people.csv:2: gender: "f" is not an allowed value; use one of: '
        "female, male, other, not_stated",
        'needs.csv:6: recorded_on: not a real date (got "2016-13-01")',
        'offences.csv:8: gravity: must be a whole number from 1 to 8 (got "0")',
    ]


def test_a_reference_to_an_invalid_row_still_counts_as_known(db):
    result = run(changed("young_people.csv", "2001-09-02", "not a date"))

    # One problem for the bad date; YP002's needs, offences and consents are not "unknown".
    assert problems(result) == [
        'young_people.csv:3: date_of_birth: not a date in YYYY-MM-DD form (got "not a date")'
    ]


# --- All or nothing -----------------------------------------------------------------------------


def test_one_bad_row_means_nothing_is_written(db):
    before = state()

    result = run(changed("interventions.csv", "Mentoring,2", "Mentoring,two"))

    assert problems(result) == [
        'interventions.csv:4: trm_stage: must be a whole number (got "two")'
    ]
    assert result.written is False
    assert state() == before


def test_a_dry_run_writes_nothing_and_says_what_would_be_created(db):
    before = state()

    result = run(fixture_files(), dry_run=True)

    assert problems(result) == []
    assert result.counts["young_people.csv"].created == 4
    assert result.decisions == 3
    assert state() == before


def test_a_dry_run_after_an_import_says_nothing_would_change(db):
    run(fixture_files())

    result = run(changed("teams.csv", "Swansea YOT", "Swansea and Neath YOT"), dry_run=True)

    assert (result.created, result.updated) == (0, 1)
    assert Team.objects.get(code="swansea").name == "Swansea YOT"


def test_a_failure_while_writing_rolls_back_everything_written_before_it(db, monkeypatch):
    before = state()

    def refuse(self):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(importer._Importer, "import_sessions", refuse)

    result = run(fixture_files())

    assert problems(result) == [
        "upload: the database refused the import (duplicate key value violates unique "
        "constraint); nothing was imported. If someone else changed the same records "
        "meanwhile, run the import again"
    ]
    assert state() == before


def test_changed_attendance_updates_the_agency_row(db):
    run(fixture_files())

    result = run(changed("meeting_attendance.csv", "education,no,", "education,yes,Mr Jenkins"))

    assert result.counts["meeting_attendance.csv"].updated == 1
    row = MeetingAttendance.objects.get(meeting__meeting_ref="M001", agency__code="education")
    assert (row.attended, row.attendee_name) == (True, "Mr Jenkins")


def test_changed_cases_discussed_update_the_supervision_session(db):
    run(fixture_files())

    result = run(changed("supervision_sessions.csv", "YP001|YP002", "YP001"))

    assert result.counts["supervision_sessions.csv"].updated == 1
    session = SupervisionSession.objects.get(session_ref="SV001")
    assert list(session.cases.values_list("reference", flat=True)) == ["YP001"]


def test_rows_for_one_staff_member_must_agree_on_name_and_email(db):
    result = run(
        changed(
            "staff.csv",
            "Bryn Evans,bryn.evans@example.org,practitioner",
            "Bryn Evan,bryn.evans@example.org,practitioner",
        )
    )

    assert problems(result) == ["staff.csv:4: name: differs from line 3 for the same staff_ref"]


def test_staff_references_differing_only_in_capitals_are_refused(db):
    result = run(appended("staff.csv", "s001,Sam Jones,,evaluator,"))

    assert problems(result) == [
        'staff.csv:7: staff_ref: would have the same user name as "S001" on line 2; staff '
        "references must differ by more than capital letters"
    ]


# --- Round trip ---------------------------------------------------------------------------------


@pytest.fixture
def varied_dataset(practitioner, other_practitioner, psychologist, evaluator, administrator):
    """Cases made the ways the service makes them: factories, services, screens (no refs)."""
    team_a = practitioner.memberships.get().team
    team_b = other_practitioner.memberships.get().team
    police, camhs = factories.AgencyFactory(code="police"), factories.AgencyFactory(code="camhs")
    for index, (team, worker) in enumerate([(team_a, practitioner), (team_b, other_practitioner)]):
        withdrew = {
            "date_of_birth": date(2006, 5, 1),
            "referral_date": date(2020, 1, 1),
            "ecm_start_date": date(2020, 2, 1),
            "ecm_end_date": date(2020, 9, 1),
            "end_reason": "withdrawn",
            "withdrawal_reason": factories.disengagement_reason("relationship_with_worker"),
        }
        person = factories.YoungPersonFactory(
            team=team,
            practitioner=worker,
            ethnicity=f'Group, "{index}"\nsecond line',
            **(withdrew if index else {}),
        )
        factories.NeedFactory(young_person=person)
        factories.NeedFactory(young_person=person)  # two identical records stay two
        factories.NeedFactory(young_person=person, category=factories.need_category("neglect"))
        factories.OffenceFactory(young_person=person, gravity=5, proven_on=None)
        factories.OrderFactory(young_person=person)
        factories.BreachFactory(young_person=person)
        factories.CustodyEpisodeFactory(young_person=person)
        factories.ConsentFactory(young_person=person, recorded_by=worker)
        factories.ConsentFactory(
            young_person=person,
            recorded_by=worker,
            purpose="evaluation",
            decision="refused",
            reason=factories.disengagement_reason("no_point"),
            own_words=f"=SUM(A{index}) 'not for me'",
        )
        factories.TRMAssessmentFactory(young_person=person, recorded_by=worker)
        factories.AppointmentFactory(young_person=person, practitioner=worker)
        factories.AppointmentFactory(
            young_person=person,
            practitioner=worker,
            purpose_category=factories.appointment_purpose("family"),
            purpose="",
            duration_minutes=None,
            outcome_code="partly_achieved",
            outcome="",
        )
        factories.AppointmentFactory(
            young_person=person,
            starts_at=timezone.now() + timedelta(days=7),
            attendance="",
            engagement=None,
            outcome="",
        )
        factories.OffenceFactory(
            young_person=person, archived_at=timezone.now(), archived_reason="Entered in error"
        )
    own = YoungPerson.objects.get(team=team_a)
    meeting = formulation_services.meeting_schedule(
        by=psychologist,
        young_person=own,
        held_on=timezone.localdate() - timedelta(days=5),
        kind="initial",
        agencies=[police, camhs],
    )
    formulation_services.meeting_record_attendance(
        by=psychologist,
        meeting=meeting,
        attendance={police.pk: (True, "PC Davies"), camhs.pk: (False, "")},
        duration_minutes=75,
    )
    formulation_services.intervention_add(
        by=practitioner,
        young_person=own,
        title="Routine plan",
        trm_stage=factories.trm_stage(1),
        agency=camhs,
    )
    supervision_services.session_record(
        by=psychologist,
        practitioner=practitioner,
        held_on=timezone.localdate() - timedelta(days=2),
        cases=[own],
    )


def test_export_then_import_changes_nothing_and_exports_the_same_bytes(
    db, tmp_path, varied_dataset
):
    first = exported(tmp_path, "first")
    before = state()

    result = run(first)

    assert problems(result) == []
    assert (result.created, result.updated) == (0, 0)
    assert state() == before
    assert exported(tmp_path, "second") == first


def test_export_leaves_out_archived_records_and_administrators(db, tmp_path, varied_dataset):
    files = rows_of(exported(tmp_path))

    assert sum(files["offences.csv"].values()) == 2
    assert "ada" not in {row[0] for row in files["staff.csv"]}
    assert ("eve", None) in {(row[0], row[4] or None) for row in files["staff.csv"]}


def test_a_zip_export_imports_back_unchanged(db, tmp_path, varied_dataset):
    export_exchange(tmp_path / "exchange.zip")
    before = state()

    result = import_exchange(from_zip(tmp_path / "exchange.zip"))

    assert problems(result) == []
    assert state() == before


# --- Speed --------------------------------------------------------------------------------------


def _appointments(count: int) -> dict[str, bytes]:
    lines = [
        f"YP00{1 + index % 2},2016-0{4 + index % 5}-{1 + index % 28:02d}T10:{index % 60:02d},"
        f"one_to_one,review,Session {index},60,attended,3,achieved,,S001,"
        for index in range(count)
    ]
    files = fixture_files()
    # The header and the missed appointments compliance_decisions.csv decides on.
    kept = [
        line for line in files["appointments.csv"].decode().splitlines() if "did_not_attend" in line
    ]
    files["appointments.csv"] = (
        files["appointments.csv"].decode().splitlines()[0]
        + "\n"
        + "\n".join([*kept, *lines])
        + "\n"
    ).encode()
    return files


def _queries_to_import(files) -> int:
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            assert problems(run(files)) == []
        transaction.set_rollback(True)
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_number_of_rows(db):
    # 5 and 30 rows fit in one batch even on SQLite (999 parameters per statement; an
    # appointment's history row has about 30 columns).
    assert _queries_to_import(_appointments(5)) == _queries_to_import(_appointments(30))


def test_the_number_of_queries_to_import_again_does_not_grow_with_the_number_of_rows(db):
    def queries_to_import_twice(files):
        with transaction.atomic():
            run(files)
            with CaptureQueriesContext(connection) as captured:
                assert run(files).created == 0
            transaction.set_rollback(True)
        return len(captured)

    assert queries_to_import_twice(_appointments(10)) == queries_to_import_twice(_appointments(400))


# --- Hostile input ------------------------------------------------------------------------------

_hostile = hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@_hostile
@given(data=st.binary(max_size=2000))
def test_random_bytes_as_a_csv_file_give_problems_not_errors(db, data):
    result = run({"young_people.csv": data, "teams.csv": fixture_files()["teams.csv"]})

    assert result.problems
    assert not YoungPerson.objects.exists()


@_hostile
@given(
    name=st.sampled_from([spec.name for spec in schema.FILES]),
    text=st.text(max_size=1500),
)
def test_random_text_under_a_valid_header_gives_problems_not_errors(db, name, text):
    files = {"teams.csv": b"team_code,name\n"}
    header = ",".join(schema.BY_NAME[name].column_names)
    files[name] = (header + "\n" + text).encode("utf-8", "surrogatepass")
    if name == "teams.csv":
        files["teams.csv"] = files[name]

    result = run(files)

    assert isinstance(result.problems, list)
    assert not YoungPerson.objects.exists()


@pytest.mark.parametrize("name", [spec.name for spec in schema.FILES])
def test_a_nul_in_a_short_row_is_a_problem_not_an_error(db, name):
    # Found by the test above: a row with too few values kept its key unchecked, and the
    # database driver refuses a NUL character in a query.
    files = {"teams.csv": b"team_code,name\n"}
    header = ",".join(schema.BY_NAME[name].column_names)
    files[name] = (header + "\n\x00\n").encode()
    if name == "teams.csv":
        files["teams.csv"] = files[name]

    result = run(files)

    assert any("has 1 values" in str(problem) for problem in result.problems), result.problems


@_hostile
@given(data=st.binary(max_size=3000))
def test_random_bytes_as_a_zip_give_problems_not_errors(db, data):
    source = from_zip(io.BytesIO(data))

    result = import_exchange(source)

    assert result.problems


# --- Commands -----------------------------------------------------------------------------------


def test_the_import_command_prints_progress_and_counts(db, capsys):
    call_command("import_exchange", str(FIXTURE))

    output = capsys.readouterr().out
    assert "Read young_people.csv: 4 rows" in output
    assert "Checked 76 rows: no problems" in output
    assert "young_people.csv: 4 rows; 4 created, 0 updated, 0 unchanged" in output
    assert "3 eligibility decisions made for new referrals (1 eligible)" in output
    assert "No eligibility policy was in force on the referral date of YP004" in output


def test_the_import_command_fails_with_every_problem_listed(db, tmp_path, capsys):
    folder = tmp_path / "bad"
    folder.mkdir()
    files = changed("young_people.csv", "female", "f")
    files = changed("offences.csv", "Robbery,6", "Robbery,9", files)
    for name, data in files.items():
        (folder / name).write_bytes(data)

    with pytest.raises(CommandError, match="2 problem\\(s\\) found; nothing was imported"):
        call_command("import_exchange", str(folder))

    errors = capsys.readouterr().err
    assert 'young_people.csv:2: gender: "f" is not an allowed value' in errors
    assert 'offences.csv:8: gravity: must be a whole number from 1 to 8 (got "9")' in errors
    assert YoungPerson.objects.count() == 0


def test_the_import_command_dry_run_writes_nothing(db, capsys):
    call_command("import_exchange", str(FIXTURE), "--dry-run")

    output = capsys.readouterr().out
    assert "Check only: nothing was saved." in output
    assert "young_people.csv: 4 rows; 4 would be created, 0 updated, 0 unchanged" in output
    assert YoungPerson.objects.count() == 0


def test_the_import_command_reports_a_path_that_does_not_exist(db, tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("import_exchange", str(tmp_path / "nowhere"))

    assert "nowhere: no such folder or file" in capsys.readouterr().err


def test_the_export_command_writes_every_file_and_prints_counts(db, tmp_path, capsys):
    import_exchange(from_folder(FIXTURE))

    call_command("export_exchange", str(tmp_path / "out.zip"))

    output = capsys.readouterr().out
    assert "young_people.csv: 4 rows" in output
    assert "Exported 76 rows in 26 files" in output
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert sorted(archive.namelist()) == sorted(spec.name for spec in schema.FILES)
        assert archive.read("teams.csv").decode().splitlines()[0] == "team_code,name"


def test_reconstructed_decisions_are_the_ones_the_eligibility_service_makes(db):
    run(fixture_files())
    imported = list(EligibilityDecision.objects.select_related("young_person"))

    for decision in imported:
        person = decision.young_person
        fresh = eligibility_check(
            by=None, young_person=person, decided_on=person.referral_date, reconstructed=True
        )
        assert [
            fresh.policy_id,
            fresh.decided_on,
            fresh.eligible,
            fresh.criteria,
            fresh.voluntary_participation,
            fresh.reconstructed,
        ] == [
            decision.policy_id,
            decision.decided_on,
            decision.eligible,
            decision.criteria,
            decision.voluntary_participation,
            decision.reconstructed,
        ]


def test_an_imported_referral_has_its_import_and_check_on_its_timeline(db):
    run(fixture_files())

    person = YoungPerson.objects.get(reference="YP001")
    assert set(person.events.values_list("action", flat=True)) == {
        "exchange.imported",
        "eligibility.checked",
    }


def test_a_supervision_session_needs_a_psychologist_and_a_practitioner(db):
    result = run(
        changed("supervision_sessions.csv", "2016-07-01,P001,S002", "2016-07-01,S001,E001")
    )

    assert problems(result) == [
        'supervision_sessions.csv:3: psychologist_ref: "S001" is not a psychologist',
        'supervision_sessions.csv:3: practitioner_ref: "E001" is not a practitioner',
    ]


def test_a_reference_cannot_contain_the_list_separator(db):
    result = run(changed("young_people.csv", "YP003,", "YP|003,"))

    assert (
        'young_people.csv:4: ref: cannot contain "|", which separates the items of a list '
        '(got "YP|003")' in problems(result)
    )


def test_a_header_cell_without_a_name_is_reported(db):
    result = run(changed("teams.csv", "team_code,name", "team_code,name,"))

    assert problems(result)[0] == (
        "teams.csv:1: column 3 has no name; remove it or name it one of: team_code, name"
    )


def test_records_for_an_archived_case_are_refused_and_nothing_is_saved(db):
    run(fixture_files())
    YoungPerson.objects.filter(reference="YP002").update(archived_at=timezone.now())
    before = state()
    files = appended("offences.csv", "YP002,2016-05-20,Shoplifting,2,")
    files = changed("young_people.csv", "Gareth,Hughes", "Gareth,Hughes-Price", files)

    result = run(files)

    assert problems(result) == [
        'young_people.csv:3: ref: "YP002" is archived and can no longer be changed',
        'offences.csv:9: young_person_ref: "YP002" is archived and can no longer be changed',
    ]
    assert state() == before


def test_unchanged_rows_of_an_archived_case_are_accepted(db):
    run(fixture_files())
    YoungPerson.objects.filter(reference="YP002").update(archived_at=timezone.now())

    assert problems(run(fixture_files())) == []


def test_a_member_of_staff_without_a_name_round_trips(db, tmp_path, practitioner):
    from django.core.management import call_command

    from accounts.models import User

    practitioner.first_name = practitioner.last_name = ""
    practitioner.staff_ref = "S-NONAME"
    practitioner.save()
    call_command("export_exchange", str(tmp_path / "out"))
    call_command("import_exchange", str(tmp_path / "out"))
    practitioner.refresh_from_db()
    assert (practitioner.first_name, practitioner.last_name) == ("", "")
    assert User.objects.filter(staff_ref="S-NONAME").count() == 1


# --- Compliance decisions -----------------------------------------------------------------------

DECISION_ROW = "YP001,2016-04-12T14:30:00+01:00,warning,No contact and no reason given"


def test_a_compliance_decision_is_found_again_by_its_missed_appointment(db):
    run(fixture_files())

    decision = ComplianceDecision.objects.get(appointment__purpose="Meet the family")
    assert (decision.decision, decision.decided_by.staff_ref) == ("warning", "S001")
    assert (decision.agreement, decision.agreed_by.staff_ref) == ("agreed", "S002")
    assert decision.breach is None  # a warning records no breach


def test_a_changed_compliance_decision_updates_it_instead_of_adding_one(db):
    run(fixture_files())

    result = run(
        changed(
            "compliance_decisions.csv",
            DECISION_ROW,
            "YP001,2016-04-12T14:30:00+01:00,extenuating_circumstances,Mother taken ill",
        )
    )

    assert problems(result) == []
    assert result.counts["compliance_decisions.csv"].updated == 1
    decision = ComplianceDecision.objects.get(appointment__purpose="Meet the family")
    assert (decision.decision, decision.reason, decision.version) == (
        "extenuating_circumstances",
        "Mother taken ill",
        2,
    )


def test_a_decision_on_an_attended_appointment_means_nothing_is_written(db):
    before = state()

    result = run(
        appended(
            "compliance_decisions.csv",
            "YP001,2016-04-05T10:00,warning,Late,2016-04-06,S001,no,,,",
        )
    )

    assert problems(result) == [
        "compliance_decisions.csv:5: appointment_starts_at: The young person attended this "
        "appointment: there is no absence to decide on"
    ]
    assert result.written is False
    assert state() == before


def test_a_manager_agreeing_their_own_decision_is_a_problem(db):
    result = run(
        changed(
            "compliance_decisions.csv",
            "2016-04-14,S001,yes,agreed",
            "2016-04-14,S002,yes,agreed",
        )
    )

    assert problems(result) == [
        "compliance_decisions.csv:2: agreed_by_ref: a manager cannot agree or disagree with "
        "their own decision"
    ]
    assert not ComplianceDecision.objects.exists()


def test_a_decision_on_no_appointment_is_a_problem(db):
    result = run(
        appended(
            "compliance_decisions.csv",
            "YP002,2016-07-09T09:15,warning,No contact,2016-07-10,S001,no,,,",
        )
    )

    assert problems(result) == [
        "compliance_decisions.csv:5: appointment_starts_at: the young person has no "
        "appointment at this time in appointments.csv or the service"
    ]
