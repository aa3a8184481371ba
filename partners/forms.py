"""Forms a partner agency worker fills in. They check types and required answers; the rules
(a contact is not in the future nor before the young person's birth, durations within 12
hours) are `cases.rules`', applied by `partners.services`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms.fields import date_field, radios, text_field
from cases.forms.records import AppointmentPurposeField
from cases.models import AppointmentOutcome, AppointmentPurpose

from .models import InvitationAnswer
from .services import PARTNER_STATUSES


def _version_field():
    return forms.IntegerField(
        widget=forms.HiddenInput,
        label=_("Version"),
        error_messages={
            "required": _("Open the page again and repeat your changes"),
            "invalid": _("Open the page again and repeat your changes"),
        },
    )


class ItemStatusForm(forms.Form):
    status = radios(
        _("Status"),
        [(status.value, status.label) for status in PARTNER_STATUSES],
        required_message=_("Select the status of the plan item"),
    )
    version = _version_field()


class ActionDoneForm(forms.Form):
    done_on = date_field(
        _("Date done"),
        required_message=_("Enter the date the action was done"),
        invalid_message=_("Date done must be a real date"),
        help_text=_("For example, 17/03/2026"),
    )


class ContactForm(forms.Form):
    contact_on = date_field(
        _("Date of the contact"),
        required_message=_("Enter the date of the contact"),
        invalid_message=_("Date of the contact must be a real date"),
        help_text=_("For example, 17/03/2026"),
    )
    purpose_category = AppointmentPurposeField(
        label=_("Purpose"),
        queryset=AppointmentPurpose.objects.filter(active=True),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select the purpose of the contact"),
            "invalid_choice": _("Select one of the purposes listed"),
        },
    )
    purpose = text_field(
        _("Purpose detail"),
        max_length=500,
        too_long_message=_("Purpose detail must be 500 characters or fewer"),
        help_text=_("What in particular the contact was for"),
        textarea=False,
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration"),
        help_text=_("In minutes"),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
        error_messages={
            "required": _("Enter how long the contact lasted, in minutes"),
            "invalid": _("Enter the duration as a whole number of minutes"),
        },
    )
    outcome_code = radios(
        _("Outcome"),
        AppointmentOutcome.choices,
        required_message=_("Select how far the contact achieved its purpose"),
        help_text=_("How far the contact achieved its purpose"),
    )
    outcome = text_field(_("Outcome note"), help_text=_("What happened and what was agreed"))


class InvitationForm(forms.Form):
    answer = radios(
        _("Will your agency come to the meeting?"),
        InvitationAnswer.choices,
        required_message=_("Select accept or decline"),
    )
    note = text_field(
        _("Note for the YOT"),
        max_length=500,
        too_long_message=_("The note must be 500 characters or fewer"),
        help_text=_("For example, who will come, or why no one can"),
        textarea=False,
    )
