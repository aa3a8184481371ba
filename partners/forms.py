"""Forms a partner agency worker fills in. They check types and required answers; the rules
(a contact is not in the future nor before the young person's birth, durations within 12
hours; a handover's period and items) are `cases.rules`' and `partners.services`', applied
by `partners.services`. The YOT's handover form is here too: it is about partner work."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms.fields import date_field, radios, text_field
from cases.forms.records import AppointmentPurposeField
from cases.models import AppointmentOutcome, AppointmentPurpose

from .models import InvitationAnswer
from .selectors import items_to_hand_over
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


class HandoverItemChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, item):
        return _("%(title)s (%(agency)s)") % {"title": item.title, "agency": item.agency.label}


class HandoverForm(forms.Form):
    """Which open plan items go to their agencies after the order, why and until when."""

    items = HandoverItemChoices(
        label=_("Plan items to hand over"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each goes to the agency responsible for it on the plan"),
        error_messages={
            "required": _("Select at least one plan item to hand over"),
            "invalid_choice": _("Select plan items from the list"),
            "invalid_pk_value": _("Select plan items from the list"),
        },
    )
    reason = text_field(
        _("Why the agency continues this work"),
        required_message=_("Enter why the plan items are handed over"),
        help_text=_("The agency and the young person's record both show it"),
    )
    until = date_field(
        _("Handed over until"),
        required_message=_("Enter the date the handover ends"),
        invalid_message=_("The end of the handover must be a real date"),
        help_text=_("At most 12 months from today. The agency's access ends on this date"),
    )

    def __init__(self, *args, young_person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = items_to_hand_over(young_person)


class HandoverEndForm(forms.Form):
    end_reason = text_field(
        _("Why the handover ends early"),
        required_message=_("Enter why the handover ends early"),
        max_length=500,
        too_long_message=_("The reason must be 500 characters or fewer"),
        textarea=False,
    )
