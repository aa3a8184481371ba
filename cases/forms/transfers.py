"""Forms of a transfer between YOTs: the sender's request, the receiver's decision, cancelling.

The rules (another team, one open request, a practitioner of the receiving team, a reason to
decline) are the services' (`cases.transfers`); their errors come back next to these fields.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .caseload import PractitionerField
from .fields import radios, text_field

_VERSION_MESSAGES = {
    "required": _("Open the transfer again and repeat your choice"),
    "invalid": _("Open the transfer again and repeat your choice"),
}


def _version():
    return forms.IntegerField(
        widget=forms.HiddenInput, label=_("Version"), error_messages=_VERSION_MESSAGES
    )


class TeamField(forms.ModelChoiceField):
    def label_from_instance(self, team):
        return team.label


class TransferRequestForm(forms.Form):
    to_team = TeamField(
        label=_("Which team is taking the case over?"),
        queryset=None,
        empty_label=_("Choose a team"),
        error_messages={
            "required": _("Choose the team taking the case over"),
            "invalid_choice": _("Choose a team from the list"),
        },
    )
    reason = text_field(
        _("Why is the case moving?"),
        required_message=_("Give a reason for the transfer"),
        max_length=2000,
        too_long_message=_("Reason must be 2000 characters or fewer"),
        help_text=_("For example, the family has moved to the other team's area"),
    )
    version = _version()

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_team"].queryset = teams


ACCEPT, DECLINE = "accept", "decline"


class TransferDecisionForm(forms.Form):
    """Accept (a practitioner and the consent confirmation) or decline (a reason)."""

    decision = radios(
        _("Will your team take the case over?"),
        [(ACCEPT, _("Accept the transfer")), (DECLINE, _("Decline the transfer"))],
        required_message=_("Choose whether to accept or decline the transfer"),
    )
    practitioner = PractitionerField(
        label=_("Practitioner who will work with the young person"),
        queryset=None,
        required=False,
        empty_label=_("Choose a practitioner"),
        error_messages={"invalid_choice": _("Choose a practitioner from the list")},
    )
    consent_rechecked = forms.BooleanField(
        label=_("I have re-checked the current consent decisions with the young person or family"),
        required=False,
    )
    decline_reason = text_field(
        _("If you decline: why?"),
        max_length=2000,
        too_long_message=_("Reason must be 2000 characters or fewer"),
    )
    version = _version()

    def __init__(self, *args, practitioners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = practitioners


class TransferCancelForm(forms.Form):
    version = _version()
