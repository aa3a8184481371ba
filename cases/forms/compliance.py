"""The compliance decision on a missed appointment, and the manager's agreement with it.

Field names are the keyword arguments of `cases.compliance`'s services.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ComplianceDecisionKind, ManagerAgreement
from .fields import date_field, radios, text_field

_VERSION_MESSAGES = {
    "required": _("Open the decision again and repeat your changes"),
    "invalid": _("Open the decision again and repeat your changes"),
}


class ComplianceDecisionForm(forms.Form):
    decision = radios(
        _("Decision"),
        ComplianceDecisionKind.choices,
        required_message=_("Choose the decision"),
    )
    reason = text_field(
        _("Reason"),
        required_message=_("Give the reason for the decision"),
        help_text=_(
            "What the young person or their family said, and why this response fits their "
            "circumstances"
        ),
    )
    decided_on = date_field(
        _("Date of decision"),
        required_message=_("Enter the date of the decision"),
        invalid_message=_("Date of decision must be a real date"),
    )


class ComplianceDecisionChangeForm(ComplianceDecisionForm):
    version = forms.IntegerField(
        widget=forms.HiddenInput, label=_("Version"), error_messages=_VERSION_MESSAGES
    )


class ComplianceAgreementForm(forms.Form):
    agreement = radios(
        _("Do you agree with this decision?"),
        ManagerAgreement.choices,
        required_message=_("Choose whether you agree or disagree"),
        inline=True,
    )
    reason = text_field(
        _("Reason"),
        required_message=_("Give the reason you agree or disagree"),
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput, label=_("Version"), error_messages=_VERSION_MESSAGES
    )
