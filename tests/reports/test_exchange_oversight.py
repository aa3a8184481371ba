"""The exchange files of supervision case notes and management oversight (issue 15):
they import, round-trip through an export, update a changed note in place, and a bad row
means nothing is written."""

from supervision.models import OversightEntry, SupervisionNote
from tests.reports.test_exchange import (
    changed,
    exported,
    fixture_files,
    problems,
    rows_of,
    run,
    state,
)


def test_the_notes_and_oversight_of_the_fixture_are_imported(db):
    result = run(fixture_files())

    assert problems(result) == []
    note = SupervisionNote.objects.get()
    assert (note.session.session_ref, note.young_person.reference, note.text) == (
        "SV001",
        "YP001",
        "Settling at college; keep the Tuesday visits",
    )
    entries = {
        entry.young_person.reference: entry
        for entry in OversightEntry.objects.select_related("young_person", "responds_to")
    }
    assert entries["YP001"].responds_to.session_ref == "SV001"
    assert entries["YP001"].manager.staff_ref == "S002"
    assert entries["YP002"].responds_to is None
    assert entries["YP002"].decision == "Step up contact to twice a week"


def test_notes_and_oversight_round_trip_and_reimporting_changes_nothing(db, tmp_path):
    run(fixture_files())
    files = exported(tmp_path)
    assert (
        rows_of(files)["supervision_notes.csv"] == rows_of(fixture_files())["supervision_notes.csv"]
    )
    assert rows_of(files)["oversight.csv"] == rows_of(fixture_files())["oversight.csv"]

    again = run(files)

    assert (again.counts["oversight.csv"].created, again.counts["oversight.csv"].unchanged) == (
        0,
        2,
    )
    assert again.counts["supervision_notes.csv"].unchanged == 1
    assert OversightEntry.objects.count() == 2


def test_a_changed_note_updates_it_as_its_next_version(db):
    run(fixture_files())

    result = run(changed("supervision_notes.csv", "keep the Tuesday visits", "visits on Fridays"))

    assert result.counts["supervision_notes.csv"].updated == 1
    note = SupervisionNote.objects.get()
    assert (note.text, note.version) == ("Settling at college; visits on Fridays", 2)


def test_a_note_about_a_case_not_discussed_means_nothing_is_written(db):
    before = state()

    result = run(changed("supervision_notes.csv", "SV001,YP001", "SV002,YP001"))

    assert problems(result) == [
        'supervision_notes.csv:2: young_person_ref: "YP001" is not among the young people '
        'discussed in session "SV002"'
    ]
    assert result.written is False
    assert state() == before


def test_oversight_by_someone_not_managing_the_team_means_nothing_is_written(db):
    before = state()

    result = run(changed("oversight.csv", "2016-07-20,S002", "2016-07-20,S001"))

    assert problems(result) == [
        'oversight.csv:3: manager_ref: "S001" is not a manager of team "cardiff"'
    ]
    assert result.written is False
    assert state() == before


def test_oversight_naming_an_unknown_session_is_refused(db):
    result = run(changed("oversight.csv", "three months,SV001", "three months,SV009"))

    assert problems(result) == [
        'oversight.csv:2: responds_to_session_ref: unknown supervision session "SV009"'
    ]
    assert result.written is False
