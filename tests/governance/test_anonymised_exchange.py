"""The exchange export and an anonymised young person (issue 17): exported deliberately, with
coded facts only and marked anonymised; read back, they stay anonymised."""

from datetime import date

import pytest
from django.db import transaction
from django.urls import reverse

from cases.models import Need, YoungPerson
from governance import anonymise
from reports.exchange import schema
from reports.exchange.exporter import export_exchange
from reports.exchange.importer import import_exchange
from reports.exchange.source import from_files
from seed import factories
from tests.conftest import client_for

BORN = date(2009, 3, 17)
#: Everything anonymising removes from the young person's own row and their records.
REMOVED = {
    "given_name": "Zqgivenname",
    "family_name": "Zqfamilyname",
    "reference": "ZQREF-0001",
    "ethnicity": "Zqethnicity",
}
FREE_TEXT = {
    "need": "Zqneedevidence",
    "offence": "Zqoffencedescription",
    "breach": "Zqbreachnote",
    "appointment": "Zqappointmentnotes",
}


@pytest.fixture
def anonymised_person(team_a, practitioner):
    person = factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        date_of_birth=BORN,
        referral_date=date(2024, 5, 2),
        ecm_start_date=date(2024, 6, 3),
        **REMOVED,
    )
    factories.NeedFactory(young_person=person, evidence=FREE_TEXT["need"])
    factories.OffenceFactory(young_person=person, description=FREE_TEXT["offence"])
    factories.BreachFactory(young_person=person, note=FREE_TEXT["breach"])
    factories.AppointmentFactory(young_person=person, purpose=FREE_TEXT["appointment"])
    factories.YoungPersonFactory(team=team_a, family_name="Kestrelkept", reference="KEPT-9")
    with transaction.atomic():
        anonymise.anonymise_young_people([person.pk])
    person.refresh_from_db()
    return person


def _export(tmp_path) -> dict[str, str]:
    folder = tmp_path / "export"
    export_exchange(folder)
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.iterdir())}


def _young_person_row(files, reference) -> dict[str, str]:
    lines = files[schema.YOUNG_PERSON].splitlines()
    header = lines[0].split(",")
    row = next(line for line in lines[1:] if line.startswith(f"{reference},"))
    return dict(zip(header, row.split(","), strict=True))


def test_no_removed_value_of_an_anonymised_young_person_is_exported(anonymised_person, tmp_path):
    files = _export(tmp_path)

    everything = "\n".join(files.values())
    for value in [*REMOVED.values(), *FREE_TEXT.values(), BORN.isoformat(), "17/03/2009"]:
        assert value not in everything, value
    assert "Kestrelkept" in everything  # the export is not simply empty


def test_removed_text_is_an_empty_cell_or_where_a_value_is_required_the_marker(
    anonymised_person, tmp_path
):
    files = _export(tmp_path)

    need = files[schema.NEED].splitlines()[1].split(",")
    offence = files[schema.OFFENCE].splitlines()[1].split(",")
    assert need[-1] == ""  # evidence (optional)
    assert offence[2] == anonymise.MARKER  # description (the format requires one)
    assert anonymise.MARKER not in files[schema.YOUNG_PERSON]


def test_the_anonymised_young_person_is_exported_with_coded_facts_marked_anonymised(
    anonymised_person, tmp_path
):
    row = _young_person_row(_export(tmp_path), anonymised_person.reference)

    assert row["ref"] == f"{anonymise.REFERENCE_PREFIX}{anonymised_person.pk}"
    assert (row["given_name"], row["family_name"], row["ethnicity"]) == ("", "", "")
    assert row["anonymised_on"] == anonymised_person.anonymised_at.date().isoformat()
    assert row["age_at_ecm_start"] == "15"
    assert row["started_on"] == "2024-06-03"
    # The stand-in date of birth: the same age at ECM start, not the date removed.
    assert row["date_of_birth"] == "2009-06-03"


def test_someone_not_anonymised_is_exported_as_before(anonymised_person, tmp_path):
    row = _young_person_row(_export(tmp_path), "KEPT-9")

    assert row["family_name"] == "Kestrelkept"
    assert (row["anonymised_on"], row["age_at_ecm_start"]) == ("", "")


def test_an_anonymised_young_person_read_back_stays_anonymised(
    anonymised_person, tmp_path, practitioner
):
    files = _export(tmp_path)
    # Read back as someone new (the same files, under another reference).
    new_ref = "ANON-900001"
    files = {
        name: text.replace(f"{anonymised_person.reference},", f"{new_ref},")
        for name, text in files.items()
    }

    result = import_exchange(from_files({name: text.encode() for name, text in files.items()}))

    assert [str(problem) for problem in result.problems] == []
    person = YoungPerson.objects.get(reference=new_ref)
    assert person.anonymised_at is not None
    assert person.age_at_ecm_start == 15
    assert (person.given_name, person.family_name) == (anonymise.MARKER, anonymise.MARKER)
    assert person.date_of_birth == date(2009, 6, 3)
    assert Need.objects.filter(young_person=person).get().evidence == ""
    caseload = client_for(practitioner).get(reverse("cases:caseload")).content.decode()
    assert new_ref not in caseload


def test_a_file_without_the_anonymised_columns_still_imports(db):
    header = "ref,team_code,given_name,family_name,date_of_birth,gender,ethnicity,referral_date,"
    header += "practitioner_ref,parent_consent_required,started_on,ended_on,end_reason,"
    header += "withdrawal_reason"
    files = {
        schema.TEAM: b"team_code,name\r\nzz,Team ZZ\r\n",
        schema.YOUNG_PERSON: (
            f"{header}\r\nOLD-1,zz,Ann,Older,2010-01-01,female,,2025-01-02,,,,,,\r\n"
        ).encode(),
    }

    result = import_exchange(from_files(files))

    assert [str(problem) for problem in result.problems] == []
    assert YoungPerson.objects.get(reference="OLD-1").anonymised_at is None


def test_a_row_not_anonymised_still_needs_its_names(db):
    header = ",".join(schema.BY_NAME[schema.YOUNG_PERSON].column_names)
    files = {
        schema.TEAM: b"team_code,name\r\nzz,Team ZZ\r\n",
        schema.YOUNG_PERSON: (
            f"{header}\r\nOLD-2,zz,,Older,2010-01-01,female,,2025-01-02,,,,,,,,\r\n"
        ).encode(),
    }

    result = import_exchange(from_files(files))

    assert any(
        "given_name" in str(problem) and "a value is required" in str(problem)
        for problem in result.problems
    )
    assert not YoungPerson.objects.filter(reference="OLD-2").exists()
