"""The exchange files of supervision case notes, management oversight and its actions
(issue 15): they import, round-trip through an export, update a changed note or entry in
place, and a bad row means nothing is written."""

import pytest

from supervision.models import OversightAction, OversightEntry, SupervisionNote
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


# --- Oversight actions ----------------------------------------------------------------------------


def test_the_actions_of_an_oversight_are_imported_as_its_tasks(db):
    assert problems(run(fixture_files())) == []

    actions = {
        action.entry.oversight_ref: action
        for action in OversightAction.objects.select_related("entry", "assignee", "agency")
    }
    assert actions["OV001"].description == "Check college attendance with the practitioner"
    assert (actions["OV001"].assignee.staff_ref, actions["OV001"].done_on.isoformat()) == (
        "S001",
        "2016-06-30",
    )
    assert actions["OV002"].who == "Nia Owen (Education)"
    assert actions["OV002"].done_on is None


def test_oversight_actions_round_trip_through_an_export_and_reimporting_changes_nothing(
    db, tmp_path
):
    run(fixture_files())
    files = exported(tmp_path)
    for name in ("oversight.csv", "oversight_actions.csv"):
        assert rows_of(files)[name] == rows_of(fixture_files())[name]
    before = state()

    again = run(files)

    assert problems(again) == [] and (again.created, again.updated) == (0, 0)
    assert again.counts["oversight_actions.csv"].unchanged == 2
    assert state() == before


def test_an_oversight_made_on_screen_is_exported_under_its_generated_key(db, tmp_path):
    run(fixture_files())
    entry = OversightEntry.objects.get(oversight_ref="OV002")
    entry.oversight_ref = None
    entry.save()

    files = exported(tmp_path)

    key = f"ecm-oversight-{entry.pk}"
    assert {row[0] for row in rows_of(files)["oversight.csv"]} == {"OV001", key}
    assert {row[0] for row in rows_of(files)["oversight_actions.csv"]} == {"OV001", key}
    assert problems(run(files)) == []
    assert OversightEntry.objects.count() == 2


def test_a_changed_oversight_decision_updates_the_entry_as_its_next_version(db):
    run(fixture_files())

    result = run(changed("oversight.csv", "Step up contact to twice a week", "Weekly contact"))

    assert result.counts["oversight.csv"].updated == 1
    entry = OversightEntry.objects.get(oversight_ref="OV002")
    assert (entry.decision, entry.version) == ("Weekly contact", 2)


@pytest.mark.parametrize(
    "old,new,expected",
    [
        (
            "OV002,Arrange",
            "OV009,Arrange",
            'oversight_actions.csv:3: oversight_ref: unknown oversight entry "OV009"',
        ),
        (
            ",education,Nia Owen,",
            ",,Nia Owen,",
            "oversight_actions.csv:3: agency_code: give the agency of the person named",
        ),
        (
            ",education,Nia Owen,",
            ",education,,",
            "oversight_actions.csv:3: owner: give the name of the person at the agency",
        ),
        (
            ",education,Nia Owen,",
            ",,,",
            "oversight_actions.csv:3: assignee_ref: give who will do it: assignee_ref (a user "
            "of the service), or owner and agency_code (someone outside it)",
        ),
        (
            "practitioner,S001,,,",
            "practitioner,S001,education,Nia Owen,",
            "oversight_actions.csv:2: assignee_ref: give assignee_ref, or owner with "
            "agency_code, not both",
        ),
        (
            "practitioner,S001,,,",
            "practitioner,E001,,,",
            'oversight_actions.csv:2: assignee_ref: "E001" does not work in team "cardiff"',
        ),
    ],
)
def test_a_bad_oversight_action_means_nothing_is_written(db, old, new, expected):
    before = state()

    result = run(changed("oversight_actions.csv", old, new))

    assert problems(result) == [expected]
    assert result.written is False
    assert state() == before
