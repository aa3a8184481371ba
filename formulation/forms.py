"""Forms for formulation meetings, formulations and the intervention plan.

Forms check types and required answers; the rules (a meeting cannot be held in the future,
only invited agencies attend, due and review dates after the meeting) are
`formulation.services`' job, and the views put its errors back onto these forms.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency
from cases import tasks
from cases.forms.actions import action_rows, add_action_fields, clean_actions
from cases.forms.fields import date_field, radios, text_field
from cases.forms.records import TRMStageField
from cases.models import TRMStage

from .models import InterventionStatus, MeetingKind
from .services import FORMULATION_FIELDS, rating_field


def version_field():
    """The version the user started from, for the conflict check (absent for a new record)."""
    message = _("Open the page again and repeat your changes")
    return forms.IntegerField(
        widget=forms.HiddenInput,
        label=_("Version"),
        required=False,
        error_messages={"invalid": message},
    )


class AgencyChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class MeetingForm(forms.Form):
    """Schedule a formulation meeting (feeds `services.meeting_schedule`)."""

    held_on = date_field(
        _("Date of the meeting"),
        required_message=_("Enter the date of the meeting"),
        invalid_message=_("Date of the meeting must be a real date"),
        help_text=_("For example, 17/03/2026"),
    )
    kind = radios(
        _("Kind of meeting"),
        MeetingKind.choices,
        required_message=_("Select initial formulation or formulation review"),
        help_text=_("A review starts from the previous formulation"),
    )
    agencies = AgencyChoices(
        label=_("Agencies invited"),
        queryset=Agency.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The partner agencies asked to come; record who attended afterwards"),
        error_messages={"invalid_choice": _("Select agencies from the list")},
    )


class AttendanceForm(forms.Form):
    """Who came from each invited agency (feeds `services.meeting_record_attendance`).

    One yes/no question and one name per invited agency. An agency that was not invited
    can still arrive in the submitted data (a stale or tampered page); it is passed on so
    that the service refuses it by name rather than being silently dropped.
    """

    YES, NO = "yes", "no"

    duration_minutes = forms.IntegerField(
        label=_("How long the meeting lasted"),
        required=False,
        help_text=_("In minutes"),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
        error_messages={"invalid": _("Enter the duration as a whole number of minutes")},
    )

    def __init__(self, *args, invited, **kwargs):
        """`invited`: the meeting's attendance rows (with their agencies)."""
        super().__init__(*args, **kwargs)
        agencies = {row.agency_id: row.agency for row in invited}
        if self.data:
            extra = {
                int(key.removeprefix("attended_"))
                for key in self.data
                if key.startswith("attended_") and key.removeprefix("attended_").isdigit()
            } - set(agencies)
            for agency in Agency.objects.filter(pk__in=extra):
                agencies[agency.pk] = agency
        self.agency_ids = []
        rows = {row.agency_id: row for row in invited}
        for agency_id, agency in agencies.items():
            self.agency_ids.append(agency_id)
            row = rows.get(agency_id)
            self.fields[f"attended_{agency_id}"] = radios(
                _("Did %(agency)s attend?") % {"agency": agency.label},
                [(self.YES, _("Yes")), (self.NO, _("No"))],
                required_message=_("Say whether %(agency)s attended") % {"agency": agency.label},
                inline=True,
            )
            self.fields[f"name_{agency_id}"] = forms.CharField(
                label=_("Who attended from %(agency)s") % {"agency": agency.label},
                required=False,
                max_length=200,
                help_text=_("Name and role"),
                error_messages={"max_length": _("Name must be 200 characters or fewer")},
            )
            if row is not None and row.attended is not None:
                self.fields[f"attended_{agency_id}"].initial = self.YES if row.attended else self.NO
                self.fields[f"name_{agency_id}"].initial = row.attendee_name

    def clean(self):
        cleaned = super().clean()
        for agency_id in self.agency_ids:
            attended = cleaned.get(f"attended_{agency_id}") == self.YES
            name = (cleaned.get(f"name_{agency_id}") or "").strip()
            if attended and not name:
                label = self.fields[f"name_{agency_id}"].label
                self.add_error(
                    f"name_{agency_id}", _("%(question)s: enter a name") % {"question": label}
                )
        return cleaned

    def attendance(self) -> dict:
        """``{agency_id: (attended, name)}`` as the service takes it."""
        return {
            agency_id: (
                self.cleaned_data[f"attended_{agency_id}"] == self.YES,
                self.cleaned_data[f"name_{agency_id}"].strip(),
            )
            for agency_id in self.agency_ids
        }


class FormulationForm(forms.Form):
    """The formulation of one meeting (feeds `services.formulation_record`)."""

    presenting = text_field(
        _("Presenting problems"), help_text=_("What is happening now that brings concern")
    )
    predisposing = text_field(
        _("Predisposing factors"),
        help_text=_("Early experiences and circumstances that made the difficulties likely"),
    )
    precipitating = text_field(
        _("Precipitating factors"), help_text=_("What triggered the current difficulties")
    )
    perpetuating = text_field(
        _("Perpetuating factors"), help_text=_("What keeps the difficulties going")
    )
    protective = text_field(
        _("Protective factors"), help_text=_("Strengths, relationships and interests to build on")
    )
    timeline_notes = text_field(
        _("Life-story timeline"),
        help_text=_("Significant events in the young person's life, in order"),
    )
    young_person_views = text_field(_("The young person's views"))
    family_views = text_field(_("The family's views"))
    trm_stage = TRMStageField(
        label=_("TRM stage agreed"),
        queryset=TRMStage.objects.all(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select the TRM stage agreed"),
            "invalid_choice": _("Select one of the stages listed"),
        },
    )
    trm_reasoning = text_field(
        _("Why this stage"),
        required_message=_("Explain why this TRM stage was agreed"),
        help_text=_("This is also recorded as a TRM assessment on the date of the meeting"),
    )
    next_review_on = date_field(
        _("Next review"),
        invalid_message=_("Next review must be a real date"),
        help_text=_("The date of the next formulation review, after this meeting"),
    )
    version = version_field()

    def __init__(self, *args, team, **kwargs):
        """`team`: the young person's team, whose staff may be given the actions."""
        super().__init__(*args, **kwargs)
        add_action_fields(self, assignees=tasks.staff_of(team))

    def clean(self):
        cleaned = super().clean()
        cleaned["actions"] = clean_actions(self)
        return cleaned

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in FORMULATION_FIELDS}

    def action_rows(self):
        return action_rows(self)


class ItemForm(forms.Form):
    """An intervention plan item (feeds `services.intervention_add` / `intervention_update`)."""

    title = forms.CharField(
        label=_("What"),
        max_length=300,
        help_text=_("For example, weekly key-worker sessions to build a routine"),
        error_messages={
            "required": _("Say what the intervention is"),
            "max_length": _("What must be 300 characters or fewer"),
        },
    )
    trm_stage = TRMStageField(
        label=_("TRM stage it serves"),
        queryset=TRMStage.objects.all(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select the TRM stage the intervention serves"),
            "invalid_choice": _("Select one of the stages listed"),
        },
    )
    agency = forms.ModelChoiceField(
        label=_("Responsible agency"),
        queryset=Agency.objects.order_by("name"),
        required=False,
        empty_label=_("No agency"),
        error_messages={"invalid_choice": _("Select an agency from the list")},
    )
    responsible_person = forms.CharField(
        label=_("Responsible person"),
        max_length=200,
        required=False,
        help_text=_("Give an agency, a person, or both"),
        error_messages={"max_length": _("Responsible person must be 200 characters or fewer")},
    )
    planned_start = date_field(
        _("Planned start"), invalid_message=_("Planned start must be a real date")
    )
    status = radios(
        _("Status"),
        InterventionStatus.choices,
        required_message=_("Select the status"),
        inline=True,
    )
    sequence = forms.IntegerField(
        label=_("Order in the plan"),
        min_value=1,
        max_value=999,
        required=False,
        help_text=_("1 comes first. Leave empty to put it at the end"),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "invalid": _("Order in the plan must be a whole number"),
            "min_value": _("Order in the plan must be 1 or more"),
            "max_value": _("Order in the plan must be 999 or less"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].initial = InterventionStatus.PLANNED


class ItemEditForm(ItemForm):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        label=_("Version"),
        error_messages={
            "required": _("Open the plan again and repeat your changes"),
            "invalid": _("Open the plan again and repeat your changes"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sequence"].required = True
        self.fields["sequence"].help_text = _("1 comes first")
        self.fields["sequence"].error_messages["required"] = _("Enter the order in the plan")


NO_ITEM = "none"


def plan_item_label(item) -> str:
    return _("%(sequence)d. %(title)s (stage %(stage)d)") % {
        "sequence": item.sequence,
        "title": item.title,
        "stage": item.trm_stage.number,
    }


class AppointmentLinkForm(forms.Form):
    """Which plan item an appointment delivered (feeds `appointment_link_intervention`).

    GOV.UK radios cannot carry an empty value, so "none of them" has a value of its own.
    """

    item = forms.ChoiceField(
        label=_("Which intervention did this appointment deliver?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the intervention, or none of them"),
            "invalid_choice": _("Choose an intervention from this plan"),
        },
    )

    def __init__(self, *args, items, **kwargs):
        """`items`: the young person's plan items (a list, with their stages)."""
        super().__init__(*args, **kwargs)
        self.items = {str(item.pk): item for item in items}
        self.fields["item"].choices = [
            *((pk, plan_item_label(item)) for pk, item in self.items.items()),
            (NO_ITEM, _("None of the plan items")),
        ]

    def clean_item(self):
        return self.items.get(self.cleaned_data["item"])


class DistanceRatingsForm(forms.Form):
    """The young person's own rating and the practitioner's of each domain, 1–5, at one
    formulation (feeds `services.distance_ratings_record`). Either may be left empty here;
    the service insists on both or neither, naming the domain."""

    version = version_field()

    def __init__(self, *args, domains, **kwargs):
        super().__init__(*args, **kwargs)
        self.domains = domains
        for domain in domains:
            for rater, label in (
                ("self", _("%(domain)s: the young person's own rating (1 to 5)")),
                ("practitioner", _("%(domain)s: the practitioner's rating (1 to 5)")),
            ):
                message = _("%(domain)s: enter the rating as a whole number from 1 to 5") % {
                    "domain": domain.label
                }
                self.fields[rating_field(domain, rater)] = forms.IntegerField(
                    label=label % {"domain": domain.label},
                    required=False,
                    widget=forms.TextInput(
                        attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}
                    ),
                    error_messages={"invalid": message},
                )

    def domain_rows(self):
        """(domain, young person's field, practitioner's field) for the template."""
        return [
            (domain, self[rating_field(domain, "self")], self[rating_field(domain, "practitioner")])
            for domain in self.domains
        ]

    def ratings(self) -> dict:
        return {
            domain: (
                self.cleaned_data.get(rating_field(domain, "self")),
                self.cleaned_data.get(rating_field(domain, "practitioner")),
            )
            for domain in self.domains
        }
