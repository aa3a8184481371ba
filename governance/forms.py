"""The legal hold form: which young person (by reference) and why. The rules (a reason, one
open hold, a case the user may hold) are the services' (`governance.holds`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms.fields import text_field

from .holds import PLACE_REASON_MISSING, REASON_MAX_LENGTH, REASON_TOO_LONG, RELEASE_REASON_MISSING


class LegalHoldForm(forms.Form):
    reference = text_field(
        _("Young person's reference"),
        required_message=_("Enter the young person's reference"),
        max_length=64,
        too_long_message=_("A reference is 64 characters or fewer"),
        textarea=False,
    )
    reason = text_field(
        _("Why must the record be kept?"),
        required_message=PLACE_REASON_MISSING,
        max_length=REASON_MAX_LENGTH,
        too_long_message=REASON_TOO_LONG,
        help_text=_("For example, a claim or an inquiry that needs the record"),
    )

    def clean_reference(self):
        return self.cleaned_data["reference"].strip()


class LegalHoldReleaseForm(forms.Form):
    reason = text_field(
        _("Why can the hold be released?"),
        required_message=RELEASE_REASON_MISSING,
        max_length=REASON_MAX_LENGTH,
        too_long_message=REASON_TOO_LONG,
        help_text=_("For example, the claim was settled or the inquiry has reported"),
    )
