"""The shared form fields (cases.forms.fields) every app's forms are built from."""

from datetime import date

import pytest
from django import forms
from django.core.exceptions import ValidationError

from cases.forms.fields import date_field, radios, yes_no


def test_a_date_is_read_from_the_date_picker_or_as_day_month_year():
    field = date_field("Seen on", invalid_message="Seen on must be a real date")
    assert field.clean("2026-03-27") == date(2026, 3, 27)
    assert field.clean("27/03/2026") == date(2026, 3, 27)


def test_a_date_is_optional_unless_a_required_message_is_given():
    assert date_field("Seen on", invalid_message="x").clean("") is None
    required = date_field("Seen on", invalid_message="x", required_message="Enter the date")
    with pytest.raises(ValidationError, match="Enter the date"):
        required.clean("")


def test_an_unknown_choice_is_told_to_pick_one_listed_unless_the_field_says_otherwise():
    choices = [("a", "A"), ("b", "B")]
    with pytest.raises(ValidationError, match="Select one of the options listed"):
        radios("Pick", choices, required_message="Pick one").clean("z")
    worded = radios("Pick", choices, required_message="Pick one", invalid_message="Pick one")
    with pytest.raises(ValidationError, match="Pick one"):
        worded.clean("z")
    assert isinstance(worded.widget, forms.RadioSelect)


def test_yes_no_answers_a_bool_and_asks_the_same_question_when_missing_or_unknown():
    field = yes_no("Voluntary?", required_message="Select yes if voluntary")
    assert field.clean("yes") is True
    assert field.clean("no") is False
    for value in ("", "maybe"):
        with pytest.raises(ValidationError, match="Select yes if voluntary"):
            field.clean(value)
