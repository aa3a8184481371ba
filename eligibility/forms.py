"""Forms of the eligibility pages: the check, the override, starting and ending ECM, and the
managers' what-if and funnel filters.

Forms check types and required answers with GOV.UK-style messages; the rules (a policy in
force, the reason for an override, the blockers to starting, the reasons for withdrawing)
belong to `eligibility.services`, whose errors the views put next to the same fields. Field
names are the keyword arguments of the service each form feeds.
"""

from datetime import date

from dateutil.relativedelta import relativedelta
from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from cases.forms.fields import date_field, radios, yes_no
from cases.forms.records import disengagement_reason_field
from cases.models import EndReason

from .models import EligibilityPolicy, PolicyStatus

REASON_MAX_LENGTH = 2000

#: The team filter's value for "every team I manage".
ALL_TEAMS = "all"


# --- One young person ---------------------------------------------------------------------------


class EligibilityCheckForm(forms.Form):
    """Run a check. The voluntary question is asked only when the policy could use it."""

    voluntary_participation = yes_no(
        _("Is the young person taking part voluntarily (not on a statutory order)?"),
        required_message=_("Select yes if the young person is taking part voluntarily"),
    )

    def __init__(self, *args, policy: EligibilityPolicy | None, **kwargs):
        super().__init__(*args, **kwargs)
        if policy is None or not policy.voluntary_participation_allowed:
            # Nothing to ask: the policy requires a statutory order (or there is no policy).
            del self.fields["voluntary_participation"]
        else:
            self.fields["voluntary_participation"].help_text = _(
                "%(policy)s accepts voluntary participation instead of a statutory order. "
                "Answer yes only if the young person has agreed to take part without an order."
            ) % {"policy": escape(str(policy))}

    def clean(self):
        cleaned = super().clean()
        cleaned.setdefault("voluntary_participation", False)
        return cleaned


class EligibilityOverrideForm(forms.Form):
    eligible = forms.TypedChoiceField(
        label=_("What should the result be?"),
        choices=[("yes", _("Eligible")), ("no", _("Not eligible"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select eligible or not eligible"),
            "invalid_choice": _("Select eligible or not eligible"),
        },
    )
    reason = forms.CharField(
        label=_("Reason for the override"),
        help_text=_(
            "This is shown wherever the decision is shown, and kept with it. Say what the "
            "criteria did not take into account."
        ),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Give the reason for overriding the decision"),
            "max_length": _("Reason must be %(limit_value)d characters or fewer"),
        },
    )


class EcmStartForm(forms.Form):
    start_date = date_field(
        _("ECM start date"),
        required_message=_("Enter the ECM start date"),
        invalid_message=_("ECM start date must be a real date"),
        help_text=_("For example, 27/03/2026"),
    )


class EcmEndForm(forms.Form):
    end_date = date_field(
        _("ECM end date"),
        required_message=_("Enter the ECM end date"),
        invalid_message=_("ECM end date must be a real date"),
        help_text=_("For example, 27/03/2026"),
    )
    end_reason = radios(
        _("Why did ECM end?"),
        EndReason.choices,
        required_message=_("Select why ECM ended"),
        invalid_message=_("Select why ECM ended"),
    )
    withdrawal_reason = disengagement_reason_field(
        _("Reason for withdrawing"),
        help_text=_("Needed if the young person withdrew; leave empty otherwise"),
    )
    young_persons_reasons = forms.CharField(
        label=_("The young person's reasons"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=_(
            "Needed if the young person withdrew: why young people leave ECM is a key question "
            "of the evaluation. Record their reasons in their own words if you can."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": _("Reasons must be %(limit_value)d characters or fewer")},
    )


# --- Managers' reports --------------------------------------------------------------------------


def last_twelve_months(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today - relativedelta(months=12) + relativedelta(days=1), today


class TeamChoiceField(forms.ChoiceField):
    """ "All my teams" or one of the teams given (ids as strings; anything else is refused)."""

    def __init__(self, **kwargs):
        super().__init__(
            label=_("Team"),
            error_messages={"invalid_choice": _("Choose one of your teams")},
            **kwargs,
        )


class PeriodForm(forms.Form):
    """A period of referral dates and a team among the user's teams (a GET filter)."""

    date_from = date_field(
        _("Referred from"),
        required_message=_("Enter the first referral date of the period"),
        invalid_message=_("Referred from must be a real date"),
        help_text=_("For example, 01/04/2016"),
    )
    date_to = date_field(
        _("Referred to"),
        required_message=_("Enter the last referral date of the period"),
        invalid_message=_("Referred to must be a real date"),
        help_text=_("For example, 31/03/2017"),
    )
    team = TeamChoiceField()

    def __init__(self, *args, teams, **kwargs):
        """`teams`: the teams the user may report on (read once by the view)."""
        super().__init__(*args, **kwargs)
        self.teams_by_id = {str(team.pk): team for team in teams}
        self.fields["team"].choices = [
            (ALL_TEAMS, _("All my teams")),
            *((str(team.pk), team.label) for team in teams),
        ]

    @classmethod
    def defaults(cls) -> dict:
        date_from, date_to = last_twelve_months()
        return {
            "date_from": date_from.isoformat(),
            "date_to": date_to.isoformat(),
            "team": ALL_TEAMS,
        }

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error(
                "date_to",
                _("Referred to must be the same as or after referred from"),
            )
        return cleaned

    @property
    def chosen_team(self):
        """The team chosen, or None for all the user's teams."""
        return self.teams_by_id.get(self.cleaned_data.get("team"))


class PolicyField(forms.ModelChoiceField):
    def label_from_instance(self, policy):
        return _("%(policy)s – %(status)s") % {
            "policy": policy,
            "status": policy.get_status_display(),
        }


def _draft_first(policies):
    """Drafts first (they are what a what-if is for), then the rest by name and version."""
    return policies.annotate(
        draft_first=Case(
            When(status=PolicyStatus.DRAFT, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("draft_first", "name", "-version")


class WhatIfForm(PeriodForm):
    policy = PolicyField(
        label=_("Policy to try"),
        help_text=_("Usually a draft policy. Any policy can be tried."),
        queryset=EligibilityPolicy.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Choose a policy to try"),
            "invalid_choice": _("Choose one of the policies listed"),
        },
    )
    field_order = ["policy", "date_from", "date_to", "team"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = _draft_first(EligibilityPolicy.objects.all())

    @classmethod
    def defaults(cls) -> dict:
        defaults = super().defaults()
        first = _draft_first(EligibilityPolicy.objects.all()).values_list("pk", flat=True).first()
        if first is not None:
            defaults["policy"] = str(first)
        return defaults
