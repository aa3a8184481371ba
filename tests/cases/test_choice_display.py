"""``get_FOO_display()`` on the case models translates the chosen label only, and says the
same as Django's own would."""

import pytest
from django.utils import translation

from cases.models import Appointment, AppointmentKind, Attendance, Consent, ConsentDecision


@pytest.mark.parametrize("language", ["en-gb", "cy"])
@pytest.mark.parametrize("kind", AppointmentKind.values)
def test_each_choice_shows_its_label_in_the_active_language(language, kind):
    with translation.override(language):
        shown = Appointment(kind=kind).get_kind_display()
        assert shown == str(AppointmentKind(kind).label)
    assert isinstance(shown, str)


def test_welsh_labels_are_welsh():
    with translation.override("cy"):
        assert Consent(decision=ConsentDecision.GIVEN).get_decision_display() == "Rhoddwyd"


def test_a_value_outside_the_choices_is_shown_as_it_is():
    assert Appointment(attendance="unknown").get_attendance_display() == "unknown"
    assert Appointment(attendance=Attendance.ATTENDED).get_attendance_display() == "Attended"
