"""Rows of new agreed actions, as a formulation and a supervision session both add them.

Each row asks what is to be done, who will do it and by when (a form may add parts of its
own, such as the young person an action is about). "Who" is a user of the service, chosen
from the team's staff, or someone outside it: a name at an agency. Rows left empty are
ignored; a row filled in part gets a message on each missing part the form requires.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency

from .. import tasks
from .fields import date_field

#: How many new agreed actions one form can add (more can be added by saving again).
ACTION_ROWS = 3
ACTION_PARTS = ("description", "assignee", "agency", "owner", "due_on")
#: The parts a row must have; who does it ("assignee", or "owner" at an "agency") is always
#: required and checked on its own.
REQUIRED_PARTS = ("description", "due_on")

_MISSING = {
    "description": _("Enter what is to be done for action %(number)d"),
    "due_on": _("Enter the date action %(number)d is due by"),
}


def _prefix(number: int) -> str:
    return f"action_{number}_"


class AssigneeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


def add_action_fields(form, more=None, *, assignees) -> None:
    """Add the optional description / who / due date fields of every row to `form`.

    `assignees`: the users who may be given the action (the team's staff).
    `more(number)`: a form's own parts of row `number`, ``{part: field}``, added after the
    shared ones so that each row's fields stay together.
    """
    agencies = Agency.objects.order_by("name")
    for number in range(1, ACTION_ROWS + 1):
        prefix = _prefix(number)
        form.fields[f"{prefix}description"] = forms.CharField(
            label=_("Action %(number)d: what is to be done") % {"number": number},
            required=False,
            max_length=500,
            error_messages={
                "max_length": _("Action %(number)d must be 500 characters or fewer")
                % {"number": number}
            },
        )
        form.fields[f"{prefix}assignee"] = AssigneeChoice(
            label=_("Action %(number)d: who will do it") % {"number": number},
            queryset=assignees,
            required=False,
            empty_label=_("Someone outside the service (give their name and agency below)"),
            error_messages={"invalid_choice": _("Select a person from the list")},
        )
        form.fields[f"{prefix}agency"] = forms.ModelChoiceField(
            label=_("Action %(number)d: their agency, if outside the service") % {"number": number},
            queryset=agencies,
            required=False,
            empty_label="",
            error_messages={"invalid_choice": _("Select an agency from the list")},
        )
        form.fields[f"{prefix}owner"] = forms.CharField(
            label=_("Action %(number)d: their name, if outside the service") % {"number": number},
            required=False,
            max_length=200,
            error_messages={
                "max_length": _("Who will do action %(number)d must be 200 characters or fewer")
                % {"number": number}
            },
        )
        form.fields[f"{prefix}due_on"] = date_field(
            _("Action %(number)d: due by") % {"number": number},
            invalid_message=_("The due date of action %(number)d must be a real date")
            % {"number": number},
        )
        for part, field in (more(number) if more else {}).items():
            form.fields[f"{prefix}{part}"] = field


def clean_actions(form, *, parts=ACTION_PARTS, required=REQUIRED_PARTS) -> list[dict]:
    """The filled-in rows as dicts of `parts`; a half-filled row gets a message on each
    missing part of `required` and on who does it, and is left out. A row whose due date is
    not a real date already has its message and is left out too."""
    actions = []
    for number in range(1, ACTION_ROWS + 1):
        prefix = _prefix(number)
        if form.has_error(f"{prefix}due_on"):
            continue
        row = {part: form.cleaned_data.get(f"{prefix}{part}") for part in parts}
        row["description"] = (row["description"] or "").strip()
        row["owner"] = (row["owner"] or "").strip()
        if not any(row.values()):
            continue
        missing = [part for part in required if not row[part]]
        for part in missing:
            form.add_error(f"{prefix}{part}", _MISSING[part] % {"number": number})
        who = tasks.who_problem(row)
        if who:
            part, message = who
            form.add_error(f"{prefix}{part}", message % {"number": number})
        if not missing and not who:
            actions.append(row)
    return actions


def action_rows(form, parts=ACTION_PARTS) -> list[list]:
    """The action fields grouped by row, for the template."""
    return [
        [form[f"{_prefix(number)}{part}"] for part in parts] for number in range(1, ACTION_ROWS + 1)
    ]
