"""An appointment's link to the intervention-plan item it delivered (issue 15) is exchanged:
appointments.csv's `plan_item` is the item's position in the young person's plan, as
interventions.csv lists it (1 = first)."""

from formulation.models import DeliveredIntervention
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


def _delivered() -> dict[str, str]:
    return {
        link.appointment.purpose: link.item.title
        for link in DeliveredIntervention.objects.select_related("appointment", "item")
    }


def test_the_appointments_of_the_fixture_are_linked_to_their_plan_items(db):
    assert problems(run(fixture_files())) == []

    assert _delivered() == {
        "Getting to know you": "Daily routine plan",
        "Weekly check-in": "Mentoring",
    }


def test_plan_links_round_trip_and_reimporting_changes_nothing(db, tmp_path):
    run(fixture_files())
    files = exported(tmp_path)
    assert rows_of(files)["appointments.csv"] == rows_of(fixture_files())["appointments.csv"]
    before = state()

    again = run(files)

    assert problems(again) == [] and (again.created, again.updated) == (0, 0)
    assert state() == before


def test_a_link_to_an_item_already_in_the_plan_is_made(db):
    run(fixture_files())
    line = "YP001,2016-09-01T10:00,one_to_one,review,Planning the trauma work,60,attended,4,"
    line += "achieved,,S001,2"

    assert problems(run(appended("appointments.csv", line))) == []

    assert _delivered()["Planning the trauma work"] == "Trauma-focused work"


def test_a_position_past_the_end_of_the_plan_means_nothing_is_written(db):
    before = state()

    result = run(changed("appointments.csv", "partly_achieved,,S001,1", "partly_achieved,,S001,3"))

    assert problems(result) == [
        "appointments.csv:4: plan_item: there is no plan item 3: the young person's plan has 1 item"
    ]
    assert result.written is False
    assert state() == before


def test_a_position_that_is_not_a_number_is_reported(db):
    result = run(changed("appointments.csv", "partly_achieved,,S001,1", "partly_achieved,,S001,x"))

    assert problems(result) == [
        'appointments.csv:4: plan_item: must be a whole number from 1 to 9999 (got "x")'
    ]
