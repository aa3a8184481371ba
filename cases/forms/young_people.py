"""Forms for one young person: the referral, corrections to their details, archiving.

Forms check types and required fields with GOV.UK-style messages; the domain rules (date of
birth in the past, old enough at referral, unique reference) are the services' job, and
their errors are put back onto these forms by the views.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Role, User

from ..models import Gender
from .fields import date_field, radios


class YoungPersonDetailsForm(forms.Form):
    """The details a practitioner records at referral and may correct later."""

    given_name = forms.CharField(
        label=_("Given name"),
        max_length=100,
        error_messages={
            "required": _("Enter the young person's given name"),
            "max_length": _("Given name must be 100 characters or fewer"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    family_name = forms.CharField(
        label=_("Family name"),
        max_length=100,
        error_messages={
            "required": _("Enter the young person's family name"),
            "max_length": _("Family name must be 100 characters or fewer"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    date_of_birth = date_field(
        _("Date of birth"),
        required_message=_("Enter the date of birth"),
        invalid_message=_("Date of birth must be a real date"),
        help_text=_("For example, 27/03/2010"),
    )
    gender = radios(
        _("Gender"),
        Gender.choices,
        required_message=_("Select the young person's gender"),
        invalid_message=_("Select the young person's gender"),
    )
    ethnicity = forms.CharField(
        label=_("Ethnicity"),
        max_length=100,
        required=False,
        help_text=_("As the young person describes it"),
        error_messages={"max_length": _("Ethnicity must be 100 characters or fewer")},
    )
    referral_date = date_field(
        _("Referral date"),
        required_message=_("Enter the referral date"),
        invalid_message=_("Referral date must be a real date"),
        help_text=_("For example, 03/03/2026"),
    )


class ReferralForm(YoungPersonDetailsForm):
    """Add a referral: the young person's details, their team and allocated practitioner.

    Teams are those where the user may edit cases; practitioners are those of these teams,
    grouped by team so that a user in several teams sees whose team each one is in (the
    service checks that the practitioner works in the team chosen).
    """

    field_order = [
        "team",
        "reference",
        "given_name",
        "family_name",
        "date_of_birth",
        "gender",
        "ethnicity",
        "referral_date",
        "practitioner",
    ]

    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=None,
        empty_label=_("Select a team"),
        error_messages={
            "required": _("Select the team"),
            "invalid_choice": _("Select one of your teams"),
        },
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=64,
        help_text=_("The young person's reference in your case management system"),
        error_messages={
            "required": _("Enter the reference"),
            "max_length": _("Reference must be 64 characters or fewer"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    practitioner = forms.ModelChoiceField(
        label=_("Allocated practitioner"),
        queryset=None,
        required=False,
        empty_label=_("Not allocated yet"),
        error_messages={"invalid_choice": _("Select a practitioner from the list")},
    )

    def __init__(self, *args, user, teams, **kwargs):
        """`teams`: the teams where `user` may add referrals (a queryset)."""
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        memberships = list(
            Membership.objects.filter(team__in=teams, role=Role.PRACTITIONER, user__is_active=True)
            .select_related("user", "team")
            .order_by("team__name", "user__first_name", "user__last_name", "user__username")
        )
        team_ids = set(teams.values_list("pk", flat=True))
        if len(team_ids) == 1:
            self.fields["team"].initial = next(iter(team_ids))
        practitioner_field = self.fields["practitioner"]
        practitioner_field.queryset = User.objects.filter(
            pk__in={membership.user_id for membership in memberships}
        )
        if len(team_ids) > 1:
            groups: dict[str, list] = {}
            for membership in memberships:
                groups.setdefault(membership.team.label, []).append(
                    (membership.user_id, str(membership.user))
                )
            practitioner_field.choices = [("", practitioner_field.empty_label), *groups.items()]
        if any(membership.user_id == user.pk for membership in memberships):
            practitioner_field.initial = user.pk


class YoungPersonEditForm(YoungPersonDetailsForm):
    """Correct the details; `version` is the one the user started from (conflict check)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    error_messages_version = _("The page was out of date. Open the record again and retry.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].error_messages = {
            "required": self.error_messages_version,
            "invalid": self.error_messages_version,
            "min_value": self.error_messages_version,
        }


class ArchiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you archiving this record?"),
        max_length=500,
        help_text=_("For example, referred in error or a duplicate of another record"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Enter the reason for archiving"),
            "max_length": _("Reason must be 500 characters or fewer"),
        },
    )
