"""Formulation rules (`formulation.rules`) at their boundaries."""

from datetime import date, timedelta

from formulation import rules

TODAY = date(2024, 6, 10)


def test_attendance_at_a_meeting_is_recorded_once_it_has_happened():
    assert rules.meeting_not_held_yet(TODAY, today=TODAY) is None
    assert rules.meeting_not_held_yet(TODAY + timedelta(days=1), today=TODAY) == (
        "A meeting on 11/06/2024 has not happened yet, so it cannot be recorded as held"
    )
