"""Targets, the training register and unit costs are exchanged (issue 16): targets.csv,
training_courses.csv, training_attendance.csv, dedicated_roles.csv and unit_costs.csv, checked
by the rules of the pages administrators use, all or nothing."""

from datetime import date
from decimal import Decimal

from django.utils.translation import override

from accounts.models import DedicatedRole, TrainingAttendance, TrainingCourse, UnitCost
from reports.models import MeasureTarget
from tests.reports.test_exchange import (
    appended,
    changed,
    exported,
    fixture_files,
    problems,
    rows_of,
    run,
    state,
)

FILES = (
    "targets.csv",
    "training_courses.csv",
    "training_attendance.csv",
    "dedicated_roles.csv",
    "unit_costs.csv",
)


def test_the_fixture_imports_targets_training_roles_and_costs(db):
    assert problems(run(fixture_files())) == []

    assert sorted(
        MeasureTarget.objects.values_list(
            "measure_id", "team__code", "period_start", "period_end", "direction", "value"
        )
    ) == [
        ("attendance_rate", None, *_dates("2024-01-01", "2024-12-31"), "higher", Decimal(75)),
        ("referrals", "cardiff", None, None, "higher", Decimal("12.5")),
    ]
    course = TrainingCourse.objects.get(code="clinical_supervision")
    assert (course.name, course.name_cy, course.ecm) == (
        "Clinical supervision skills",
        "Sgiliau goruchwylio clinigol",
        False,
    )
    assert sorted(
        TrainingAttendance.objects.values_list("user__staff_ref", "course__code", "attended_on")
    ) == [
        ("S001", "ecm_practitioner", *_dates("2024-01-10")),
        ("S002", "ecm_manager", *_dates("2024-02-05")),
    ]
    role = DedicatedRole.objects.select_related("user", "team").get()
    assert (role.user.staff_ref, role.kind, role.team.code, role.held_to) == (
        "S002",
        "lead",
        "cardiff",
        None,
    )
    assert sorted(UnitCost.objects.values_list("role", "hourly_cost")) == [
        ("practitioner", Decimal("32.50")),
        ("psychologist", Decimal("61.20")),
    ]


def _dates(*texts):
    return tuple(date.fromisoformat(text) for text in texts)


def test_round_trip_into_an_empty_database_and_reimporting_changes_nothing(db, tmp_path):
    run(fixture_files())
    files = exported(tmp_path)
    for name in FILES:
        assert rows_of(files)[name] == rows_of(fixture_files())[name], name
    before = state()

    again = run(files)

    assert problems(again) == [] and (again.created, again.updated) == (0, 0)
    assert {name: again.counts[name].unchanged for name in FILES} == {
        "targets.csv": 2,
        "training_courses.csv": 5,
        "training_attendance.csv": 2,
        "dedicated_roles.csv": 1,
        "unit_costs.csv": 2,
    }
    assert state() == before


def test_a_role_given_an_end_is_updated(db):
    run(fixture_files())

    result = run(changed("dedicated_roles.csv", "2024-01-01,", "2024-01-01,2024-06-30"))

    assert problems(result) == [] and result.counts["dedicated_roles.csv"].updated == 1
    assert DedicatedRole.objects.get().held_to.isoformat() == "2024-06-30"


def _refused(files) -> list[str]:
    before = state()
    found = problems(run(files))
    assert state() == before  # one bad row: nothing at all is imported
    return found


def test_a_target_breaking_the_target_rules_is_refused_with_the_pages_words(db):
    (found,) = _refused(changed("targets.csv", "higher,75", "higher,120"))
    assert found.startswith("targets.csv:2: value: ")
    assert found.endswith("is a percentage: enter a target from 0 to 100.")
    assert _refused(changed("targets.csv", "attendance_rate,", "no_such_measure,")) == [
        "targets.csv:2: measure_id: There is no measure “no_such_measure”. Choose one from the "
        "measure catalogue."
    ]
    assert _refused(changed("targets.csv", "2024-12-31", "2023-12-31")) == [
        "targets.csv:2: period_end: The end of the period must be the same as or after its start"
    ]
    assert _refused(changed("targets.csv", "higher,75", "up,75"))[0].startswith(
        "targets.csv:2: direction: "
    )


def test_targets_that_overlap_are_refused(db):
    overlapping = appended("targets.csv", "attendance_rate,,2024-06-01,,lower,50")
    assert _refused(overlapping) == [
        "targets.csv:4: period_start: overlaps the target on line 2 for the same measure and "
        "team: change the dates so that they do not overlap"
    ]
    run(fixture_files())
    found = _refused(appended("targets.csv", "referrals,cardiff,2025-01-01,,lower,3"))
    assert found == [
        "targets.csv:4: period_start: There is already a target for this measure and Cardiff "
        "YOT in force any period. Change its dates or these so that they do not overlap."
    ]


def test_bad_training_rows_are_refused(db):
    assert _refused(changed("training_attendance.csv", "ecm_manager", "juggling")) == [
        'training_attendance.csv:3: course_code: unknown training course "juggling"'
    ]
    assert _refused(changed("training_attendance.csv", "S001", "S999")) == [
        'training_attendance.csv:2: staff_ref: unknown member of staff "S999"'
    ]
    assert _refused(changed("training_attendance.csv", "2024-01-10", "2999-01-10")) == [
        "training_attendance.csv:2: attended_on: The date attended must be today or in the past"
    ]
    assert _refused(changed("training_courses.csv", "no\n", "maybe\n"))[0].startswith(
        "training_courses.csv:2: ecm: must be yes or no"
    )


def test_bad_role_and_cost_rows_are_refused(db):
    assert _refused(changed("dedicated_roles.csv", "2024-01-01,", "2024-01-01,2023-01-01")) == [
        "dedicated_roles.csv:2: held_until: The end of the role cannot be before its start."
    ]
    assert _refused(changed("dedicated_roles.csv", "lead", "boss"))[0].startswith(
        'dedicated_roles.csv:2: role: "boss" is not an allowed value'
    )
    assert _refused(changed("unit_costs.csv", "32.5", "0")) == [
        "unit_costs.csv:2: hourly_cost: an hourly cost must be more than 0"
    ]
    assert _refused(changed("unit_costs.csv", "32.5", "32.505"))[0].startswith(
        "unit_costs.csv:2: hourly_cost: must be a number of at least 0 with at most 2 decimal"
    )


def test_a_saved_cost_is_never_changed_by_an_import(db):
    run(fixture_files())

    found = _refused(changed("unit_costs.csv", "32.5", "40"))

    assert found == [
        "unit_costs.csv:2: hourly_cost: a cost of 32.50 an hour from 2024-01-01 is already "
        "saved for this role, and a saved cost is never changed: give a new cost a later "
        "valid_from"
    ]
    later = run(appended("unit_costs.csv", "practitioner,40,2025-04-01"))
    assert problems(later) == [] and later.counts["unit_costs.csv"].created == 1


def test_the_new_problems_are_in_welsh_for_a_welsh_reader(db):
    with override("cy"):
        found = _refused(changed("training_attendance.csv", "ecm_manager", "juggling"))
        found += _refused(changed("unit_costs.csv", "32.5", "0"))

    assert found == [
        'training_attendance.csv:3: course_code: cwrs hyfforddi anhysbys "juggling"',
        "unit_costs.csv:2: hourly_cost: rhaid i gost yr awr fod yn fwy na 0",
    ]
