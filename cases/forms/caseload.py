"""Forms of the list pages: the caseload and team filters (GET) and case reallocation (POST).

The filter forms only parse the query string. A value that does not parse (a status or stage
that does not exist) is reported beside the field and otherwise ignored, so a hand-edited or
stale link still shows the list instead of an error page.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases import selectors, warnings
from cases.models import Status

SEARCH_MAX_LENGTH = 100


class CaseloadFilterForm(forms.Form):
    """Search by name or reference, filter by status, current TRM stage and warning."""

    q = forms.CharField(
        label=_("Search by name or reference"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        error_messages={
            "max_length": _("Search must be %(limit_value)d characters or fewer"),
        },
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Status.choices],
        error_messages={"invalid_choice": _("Choose a status from the list")},
    )
    stage = forms.TypedChoiceField(
        label=_("TRM stage"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a TRM stage from the list")},
    )
    warning = forms.ChoiceField(
        label=_("Warning"),
        required=False,
        error_messages={"invalid_choice": _("Choose a warning from the list")},
    )

    def __init__(self, *args, stages, **kwargs):
        """`stages`: the TRM stages by id (read once per page by the view)."""
        super().__init__(*args, **kwargs)
        self.stages_by_number = {stage.number: stage for stage in stages.values()}
        self.fields["stage"].choices = [("", _("Any stage"))] + [
            (number, str(stage)) for number, stage in sorted(self.stages_by_number.items())
        ]
        # The registry's warnings, as the home page and the team view count them.
        self.fields["warning"].choices = [
            ("", _("Any or none")),
            *((provider.code, provider.label) for provider in warnings.providers()),
        ]

    def filters(self) -> dict:
        """The selector's keyword arguments from the values that are valid (others ignored)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "search": (data.get("q") or "").strip(),
            "status": data.get("status") or "",
            "stage": self.stages_by_number.get(data.get("stage")),
            "warning": data.get("warning") or "",
        }

    @property
    def is_filtered(self) -> bool:
        return any(self.filters().values())


NOT_ALLOCATED = "none"


class TeamCasesFilterForm(CaseloadFilterForm):
    """The team's cases: the caseload filters plus the allocated practitioner."""

    practitioner = forms.ChoiceField(
        label=_("Practitioner"),
        required=False,
        error_messages={"invalid_choice": _("Choose a practitioner from the list")},
    )

    def __init__(self, *args, practitioners, **kwargs):
        """`practitioners`: the people who hold cases in the team or work in it."""
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].choices = [
            ("", _("Anyone")),
            (NOT_ALLOCATED, _("Not allocated")),
            *((str(user.pk), str(user)) for user in practitioners),
        ]

    def filters(self) -> dict:
        filters = super().filters()
        filters["practitioner_id"] = self.cleaned_data.get("practitioner") or None
        return filters


class AppointmentFilterForm(forms.Form):
    """Which of my appointments to list: all upcoming and recent ones, or one filter."""

    when = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("Upcoming and recent")),
            (selectors.APPOINTMENTS_TODAY, _("Today")),
            (selectors.APPOINTMENTS_WEEK, _("The next 7 days")),
            (selectors.APPOINTMENTS_UNRECORDED, _("Past, attendance or outcome not recorded")),
        ],
        error_messages={"invalid_choice": _("Choose which appointments to show from the list")},
    )

    def chosen(self) -> str:
        """The filter asked for, or "" (all) when none or one that does not exist."""
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("when") or ""


#: Ids beyond this cannot exist and some databases refuse to compare with them.
MAX_ID = 2**63 - 1


class YoungPeopleField(forms.ModelMultipleChoiceField):
    def clean(self, value):
        for item in value or ():
            number = _id(item)
            if number is not None and not 0 < number <= MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super().clean(value)

    def label_from_instance(self, young_person):
        if young_person.practitioner is None:
            allocated = _("not allocated")
        else:
            allocated = _("allocated to %(name)s") % {"name": young_person.practitioner}
        return f"{young_person.full_name} ({young_person.reference}), {allocated}"


class PractitionerField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return str(user)


class ReallocateForm(forms.Form):
    """Move one or many of a team's cases to one of its practitioners, with a reason.

    The cases offered (and accepted) come only from the team's own cases, so an id from
    another team is refused exactly like one that does not exist.
    """

    young_people = YoungPeopleField(
        label=_("Young people to reallocate"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Select at least one young person"),
            "invalid_choice": _("Select young people from this team's cases only"),
            "invalid_pk_value": _("Select young people from this team's cases only"),
        },
    )
    practitioner = PractitionerField(
        label=_("Reallocate to"),
        queryset=None,
        empty_label=_("Choose a practitioner"),
        error_messages={
            "required": _("Choose the practitioner who will take the cases"),
            "invalid_choice": _("Choose a practitioner who works in this team"),
        },
    )
    reason = forms.CharField(
        label=_("Reason for the reallocation"),
        help_text=_("This is recorded on each case's history."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Give a reason for the reallocation"),
            "max_length": _("Reason must be %(limit_value)d characters or fewer"),
        },
    )

    def __init__(self, *args, cases, practitioners, selected=(), offered=None, **kwargs):
        """`cases`: the team's cases; `selected`: the ids chosen (only these are offered).

        `practitioners` is the queryset a choice is checked against; `offered`, when the
        page has already read those practitioners, lists them for the drop-down without
        reading them again.
        """
        super().__init__(*args, **kwargs)
        ids = _ids(selected)
        self.fields["young_people"].queryset = (
            cases.filter(pk__in=ids) if ids else cases
        ).select_related("team", "practitioner")
        field = self.fields["practitioner"]
        field.queryset = practitioners
        if offered is not None:
            field.choices = [
                ("", field.empty_label),
                *((user.pk, field.label_from_instance(user)) for user in offered),
            ]


def _id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _ids(values) -> list[int]:
    """The values that could be ids; anything else cannot match a case."""
    return [number for number in map(_id, values) if number is not None and 0 < number <= MAX_ID]
