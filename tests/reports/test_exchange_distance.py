"""Distance-travelled ratings are exchanged (issue 15): distance_ratings.csv, one row per
domain rated at a formulation meeting, keyed by (meeting_ref, domain). A rating belongs to the
meeting's formulation, which formulation_meetings.csv's trm_stage stands for."""

from formulation.models import DistanceRating, Formulation
from tests.reports.test_exchange import (
    changed,
    exported,
    fixture_files,
    problems,
    rows_of,
    run,
    state,
)


def _ratings() -> dict[str, tuple]:
    return {
        rating.domain.code: (
            rating.formulation.meeting.meeting_ref,
            rating.self_rating,
            rating.practitioner_rating,
            rating.recorded_by.staff_ref,
        )
        for rating in DistanceRating.objects.select_related(
            "domain", "formulation__meeting", "recorded_by"
        )
    }


def test_the_ratings_of_the_fixture_are_imported_with_their_formulation(db):
    assert problems(run(fixture_files())) == []

    assert _ratings() == {
        "self_confidence": ("M001", 2, 3, "S001"),
        "anger_management": ("M001", 3, 2, "P001"),
    }
    formulation = Formulation.objects.get()
    assert (formulation.meeting.meeting_ref, formulation.trm_stage.number) == ("M001", 2)
    assert formulation.recorded_by.staff_ref == "P001"  # the meeting's chair


def test_ratings_round_trip_and_reimporting_changes_nothing(db, tmp_path):
    run(fixture_files())
    files = exported(tmp_path)
    for name in ("formulation_meetings.csv", "distance_ratings.csv"):
        assert rows_of(files)[name] == rows_of(fixture_files())[name]
    before = state()

    again = run(files)

    assert problems(again) == [] and (again.created, again.updated) == (0, 0)
    assert again.counts["distance_ratings.csv"].unchanged == 2
    assert state() == before


def test_a_changed_rating_updates_it_and_makes_the_formulations_next_version(db):
    run(fixture_files())

    result = run(changed("distance_ratings.csv", "self_confidence,2,3", "self_confidence,4,3"))

    assert problems(result) == []
    assert result.counts["distance_ratings.csv"].updated == 1
    assert _ratings()["self_confidence"] == ("M001", 4, 3, "S001")
    assert Formulation.objects.get().version == 2
    assert DistanceRating.objects.count() == 2


def test_an_unknown_domain_code_means_nothing_is_written(db):
    before = state()

    result = run(changed("distance_ratings.csv", "anger_management", "patience"))

    assert problems(result) == [
        'distance_ratings.csv:3: domain: "patience" is not an allowed value; use one of: '
        "anger_management, emotional_resilience, family_chaos_resilience, self_confidence"
    ]
    assert result.written is False
    assert state() == before


def test_a_rating_on_a_meeting_without_a_formulation_is_refused(db):
    result = run(changed("distance_ratings.csv", "M001,anger_management", "M002,anger_management"))

    assert problems(result) == [
        'distance_ratings.csv:3: meeting_ref: meeting "M002" has no formulation, which ratings '
        "belong to: give the TRM stage it agreed (trm_stage) in formulation_meetings.csv"
    ]
    assert result.written is False


def test_a_rating_off_the_scale_and_an_unknown_meeting_are_reported(db):
    files = changed("distance_ratings.csv", "self_confidence,2,3", "self_confidence,6,3")
    files = changed("distance_ratings.csv", "M001,anger_management", "M009,anger_management", files)

    result = run(files)

    assert problems(result) == [
        'distance_ratings.csv:2: self_rating: must be a whole number from 1 to 5 (got "6")',
        'distance_ratings.csv:3: meeting_ref: unknown formulation meeting "M009"',
    ]
    assert not DistanceRating.objects.exists()
