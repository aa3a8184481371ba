"""Forms of the report pages: requesting a run, and filtering the managers' action lists.

The forms check types and required answers with GOV.UK-style messages; the rules (the
period's order, the ranges, which teams the user may report on) belong to
`reports.services.requests.report_request`, whose errors the view puts next to the same fields.
"""

from datetime import date

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.forms.fields import date_field, radios, yes_no

from .models import ReportKind
from .services.requests import DEFAULT_THRESHOLD


def _whole_number(label, *, message, help_text="", low, high):
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=low,
        max_value=high,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "govuk-input--width-3", "spellcheck": "false"}
        ),
        error_messages={
            "required": message,
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
    )


class RunRequestForm(forms.Form):
    """What a report run takes (DESIGN.md section 7). Field names are the service's
    parameter names, so its errors land next to the right field."""

    kind = radios(
        _("What do you want?"),
        ReportKind.choices,
        required_message=_("Choose a kind of report"),
        invalid_message=_("Choose a kind of report"),
    )
    date_from = date_field(
        _("Referred from"),
        required_message=_("Enter the first referral date of the period"),
        invalid_message=_("Referred from must be a real date"),
        help_text=_("Young people referred on or after this date. For example, 01/04/2016"),
    )
    date_to = date_field(
        _("Referred to"),
        required_message=_("Enter the last referral date of the period"),
        invalid_message=_("Referred to must be a real date"),
        help_text=_("Young people referred on or before this date. For example, 31/03/2017"),
    )
    teams = forms.MultipleChoiceField(
        label=_("Teams"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave every box unticked to report on all the teams you may see."),
        error_messages={"invalid_choice": _("Choose only teams from the list")},
    )
    follow_up_months = _whole_number(
        _("Follow-up months"),
        message=_("Enter follow-up months as a whole number from 1 to 60"),
        help_text=_("Outcomes compare this many months before and after each ECM start."),
        low=1,
        high=60,
    )
    as_of = date_field(
        _("Outcomes as of"),
        invalid_message=_("Outcomes as of must be a real date"),
        help_text=_("Leave empty for today. Only young people followed up by then count."),
    )
    fidelity_window_days = _whole_number(
        _("Window for the first formulation, in days"),
        message=_("Enter the window as a whole number of days from 1 to 365"),
        help_text=_("The initial formulation meeting should be held this many days after start."),
        low=1,
        high=365,
    )
    suppression = yes_no(
        _("Suppress small numbers?"),
        help_text=_(
            "Counts below the threshold, rates and means over fewer young people, and any "
            "other count that would give one of them away, are shown as “Suppressed”. Use it "
            "for reports shared outside the team."
        ),
        required_message=_("Choose whether to suppress small numbers"),
    )
    suppression_threshold = _whole_number(
        _("Suppression threshold"),
        message=_("Enter the threshold as a whole number from 2 to 100"),
        low=2,
        high=100,
    )

    def __init__(self, *args, teams, may_request_dataset: bool, **kwargs):
        """`teams`: the teams the user may report on; `may_request_dataset`: evaluators."""
        super().__init__(*args, **kwargs)
        self.fields["teams"].choices = [(team.code, team.label) for team in teams]
        if not may_request_dataset:
            self.fields["kind"].choices = [(ReportKind.EVALUATION, ReportKind.EVALUATION.label)]
            self.fields["kind"].widget = forms.HiddenInput()

    @classmethod
    def initial_values(cls) -> dict:
        today = timezone.localdate()
        return {
            "kind": ReportKind.EVALUATION,
            "date_from": date(today.year - 1, 1, 1),
            "date_to": date(today.year - 1, 12, 31),
            "follow_up_months": 12,
            "fidelity_window_days": settings.ECM_FORMULATION_WINDOW_DAYS,
            "suppression": "no",
            "suppression_threshold": DEFAULT_THRESHOLD,
        }

    def parameters(self) -> dict:
        """The service's `parameters` from the cleaned data."""
        data = self.cleaned_data
        return {
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "teams": data["teams"] or "all",
            "follow_up_months": data["follow_up_months"],
            "as_of": data["as_of"],
            "fidelity_window_days": data["fidelity_window_days"],
            "suppression": data["suppression"],
            "suppression_threshold": data["suppression_threshold"],
        }


ALL = "all"


class ActionListForm(forms.Form):
    """Which of the manager's teams, and which action (a case warning code)."""

    team = forms.ChoiceField(
        label=_("Team"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of your teams")},
    )
    action = forms.ChoiceField(
        label=_("Action needed"),
        required=False,
        error_messages={"invalid_choice": _("Choose an action from the list")},
    )

    def __init__(self, *args, teams, actions, **kwargs):
        """`teams`: the manager's teams; `actions`: (code, label) of the action lists."""
        super().__init__(*args, **kwargs)
        self.teams_by_code = {team.code: team for team in teams}
        self.fields["team"].choices = [
            (ALL, _("All my teams")),
            *((team.code, team.label) for team in teams),
        ]
        self.fields["action"].choices = [(ALL, _("Any action")), *actions]

    @property
    def chosen_team(self):
        if not self.is_bound or not self.is_valid():
            return None
        return self.teams_by_code.get(self.cleaned_data.get("team") or "")

    @property
    def chosen_action(self) -> str:
        if not self.is_bound or not self.is_valid():
            return ""
        action = self.cleaned_data.get("action") or ""
        return "" if action == ALL else action
