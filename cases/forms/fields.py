"""The form fields every app's forms are built from, each with GOV.UK-style error messages.

A date is typed as YYYY-MM-DD (the browser's date picker) or DD/MM/YYYY everywhere, and a
radio group answers an unknown choice the same way on every page, so these live once here.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _messages(**messages) -> dict:
    return {code: text for code, text in messages.items() if text}


def date_field(label, *, invalid_message, required_message="", help_text=""):
    """A date typed as YYYY-MM-DD (the browser's date picker) or DD/MM/YYYY.

    Optional unless `required_message` says what to ask for when it is missing.
    """
    return forms.DateField(
        label=label,
        required=bool(required_message),
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=DATE_INPUT_FORMATS,
        error_messages=_messages(required=required_message, invalid=invalid_message),
    )


def text_field(
    label, *, required_message="", max_length=None, too_long_message="", help_text="", textarea=True
):
    """Optional unless `required_message` says what to ask for when it is missing."""
    return forms.CharField(
        label=label,
        required=bool(required_message),
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 4}) if textarea else forms.TextInput,
        error_messages=_messages(required=required_message, max_length=too_long_message),
    )


def radios(label, choices, *, required_message, invalid_message="", help_text="", inline=False):
    """One choice from a fixed list; an unknown value is told `invalid_message`, by default
    to pick one of the options listed."""
    return forms.ChoiceField(
        label=label,
        choices=choices,
        help_text=help_text,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"} if inline else {}),
        error_messages={
            "required": required_message,
            "invalid_choice": invalid_message or _("Select one of the options listed"),
        },
    )


def yes_no(label, *, required_message, help_text=""):
    """Yes/no radios whose cleaned value is a bool."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        help_text=help_text,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        error_messages={"required": required_message, "invalid_choice": required_message},
    )
