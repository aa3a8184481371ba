"""Forms for clinical supervision sessions.

Forms check types and required answers, and offer as cases only the practitioner's
caseload in the session's team; the rules (the practitioner works in a team the psychologist
serves, every young person named is that team's, no session in the future) are
`supervision.services`' job, and the views put its errors back onto these forms.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Role
from cases import tasks
from cases.forms import actions
from cases.forms.fields import date_field, text_field

#: A session's actions may be about one young person, and need no due date.
ACTION_PARTS = (*actions.ACTION_PARTS, "young_person")
REQUIRED_ACTION_PARTS = ("description",)


class CaseChoices(forms.ModelMultipleChoiceField):
    """Young people by reference and name (all of one team: the session's)."""

    def label_from_instance(self, obj):
        return f"{obj.reference} – {obj.full_name}"


def _young_person_field(young_people):
    """An action may name the young person it is about (one of the session's team)."""

    def fields(number: int) -> dict:
        return {
            "young_person": forms.ModelChoiceField(
                label=_("Action %(number)d: about which young person") % {"number": number},
                queryset=young_people,
                required=False,
                empty_label=_("Not about one young person"),
                error_messages={"invalid_choice": _("Select a young person from the list")},
            )
        }

    return fields


def duration_field(*, required=True):
    """Minutes, a whole number; the range (more than 0, at most 12 hours) is the service's."""
    return forms.IntegerField(
        required=required,
        label=_("Duration of the session (minutes)"),
        help_text=_("For example, 60. At most 12 hours (720 minutes)"),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "govuk-input--width-4", "spellcheck": "false"}
        ),
        error_messages={
            "required": _("Enter how long the session lasted, in minutes"),
            "invalid": _("Duration of the session must be a whole number of minutes"),
        },
    )


def case_note_name(young_person) -> str:
    return f"case_note_{young_person.pk}"


class SessionNotesForm(forms.Form):
    """What both the new-session and the edit forms ask: cases, notes, new actions.

    Each box names who reads it: a note per case discussed goes on that young person's
    record (everyone who may read it); the shared notes go to the practitioner and the team
    manager; the private reflective notes stay with the practitioner and the psychologist.
    """

    cases = CaseChoices(
        label=_("Cases discussed"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The young people allocated to the practitioner; the team manager and the case "
            "record show that these were discussed"
        ),
        error_messages={"invalid_choice": _("Select cases from the list")},
    )
    shared_notes = text_field(
        _("Notes for the practitioner and the team manager"),
        help_text=_(
            "Seen by you, the practitioner and the team manager; not on any young person's record"
        ),
    )
    private_notes = text_field(
        _("Private reflective notes"),
        help_text=_(
            "Seen only by you and the practitioner: never by the team manager, never on a "
            "young person's record, never exported"
        ),
    )

    def __init__(self, *args, young_people, team, practitioner=None, **kwargs):
        """`young_people`: the cases that may be chosen (the practitioner's caseload in the
        session's team); `team`: the session's team, whose staff may be given actions;
        `practitioner`: whose caseload it is, named in the hint and errors."""
        super().__init__(*args, **kwargs)
        young_people = young_people.order_by("reference")
        cases = self.fields["cases"]
        cases.queryset = young_people
        self.case_people = list(young_people)
        for person in self.case_people:
            self.fields[case_note_name(person)] = text_field(
                _("Note for the record of %(ref)s – %(name)s")
                % {"ref": person.reference, "name": person.full_name},
                help_text=_(
                    "Seen on %(name)s's record by everyone who may read it: the team's "
                    "practitioners and managers, and the psychologists serving the team. Tick "
                    "the case as discussed to keep it"
                )
                % {"name": person.full_name},
            )
        actions.add_action_fields(
            self, _young_person_field(young_people), assignees=tasks.staff_of(team)
        )
        if practitioner is not None:
            named = {"name": practitioner}
            cases.help_text = (
                _(
                    "The young people allocated to %(name)s; the team manager and the case record "
                    "show that these were discussed"
                )
                % named
            )
            cases.error_messages["invalid_choice"] = (
                _("Select only young people allocated to %(name)s") % named
            )

    def clean(self):
        cleaned = super().clean()
        cleaned["actions"] = actions.clean_actions(
            self, parts=ACTION_PARTS, required=REQUIRED_ACTION_PARTS
        )
        cleaned["case_notes"] = {
            person: cleaned.get(case_note_name(person), "") for person in self.case_people
        }
        return cleaned

    def case_note_fields(self):
        """The note boxes, one per case that may be discussed (in the cases' order)."""
        return [self[case_note_name(person)] for person in self.case_people]

    def action_rows(self):
        return actions.action_rows(self, ACTION_PARTS)


class PractitionerChoices(forms.ModelChoiceField):
    """Practitioners in the teams served (one choice per practitioner and team)."""

    def label_from_instance(self, obj):
        return str(obj.user)


class PractitionerChoiceForm(forms.Form):
    """Recording a session, first step: who was supervised, in which team.

    The next step offers the cases of that practitioner's caseload in that team, so the
    choice is one of the practitioner's memberships of a team the psychologist serves; the
    list is grouped by team when the psychologist serves several.
    """

    supervised = PractitionerChoices(
        label=_("Practitioner supervised"),
        queryset=Membership.objects.none(),
        empty_label=_("Select the practitioner"),
        error_messages={
            "required": _("Select the practitioner supervised"),
            "invalid_choice": _("Select a practitioner from the list"),
        },
    )

    def __init__(self, *args, teams, **kwargs):
        """`teams`: the teams the psychologist serves (a queryset)."""
        super().__init__(*args, **kwargs)
        queryset = (
            Membership.objects.filter(team__in=teams, role=Role.PRACTITIONER, user__is_active=True)
            .select_related("user", "team")
            .order_by("team__name", "user__first_name", "user__last_name", "user__username")
        )
        field = self.fields["supervised"]
        field.queryset = queryset
        groups: dict[str, list] = {}
        for membership in queryset:
            groups.setdefault(membership.team.label, []).append(
                (membership.pk, str(membership.user))
            )
        if len(groups) > 1:
            field.choices = [("", field.empty_label), *groups.items()]
        else:
            flat = [choice for group in groups.values() for choice in group]
            field.choices = [("", field.empty_label), *flat]


class SessionForm(SessionNotesForm):
    """Record a supervision session, second step (feeds `services.session_record`).

    The practitioner and the team were chosen in the first step (`PractitionerChoiceForm`);
    the cases offered are that practitioner's caseload in that team.
    """

    field_order = ["held_on", "duration_minutes", "cases", "shared_notes", "private_notes"]

    held_on = date_field(
        _("Date of the session"),
        required_message=_("Enter the date of the session"),
        invalid_message=_("Date of the session must be a real date"),
        help_text=_("For example, 17/03/2026"),
    )
    duration_minutes = duration_field()

    def service_arguments(self) -> dict:
        names = (
            "held_on",
            "duration_minutes",
            "cases",
            "case_notes",
            "shared_notes",
            "private_notes",
            "actions",
        )
        return {name: self.cleaned_data[name] for name in names}


class SessionEditForm(SessionNotesForm):
    """Revise the notes of a session (feeds `services.session_update`)."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        label=_("Version"),
        error_messages={
            "required": _("Open the session again and repeat your changes"),
            "invalid": _("Open the session again and repeat your changes"),
        },
    )
    # Sessions recorded before durations were asked have none; left empty, it stays so.
    duration_minutes = duration_field(required=False)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "version": data["version"],
            "shared_notes": data["shared_notes"],
            "private_notes": data["private_notes"],
            "cases": data["cases"],
            "case_notes": data["case_notes"],
            "duration_minutes": data["duration_minutes"],
            "new_actions": data["actions"],
        }


class SessionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(date)s: %(psychologist)s with %(practitioner)s") % {
            "date": obj.held_on.strftime("%d/%m/%Y"),
            "psychologist": obj.psychologist,
            "practitioner": obj.practitioner,
        }


class OversightForm(forms.Form):
    """A manager's oversight of one case (feeds `services.oversight_record`, and
    `services.oversight_update` with `version`). The rules are the service's."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reviewed_on = date_field(
        _("Date of the oversight"),
        required_message=_("Enter the date of the oversight"),
        invalid_message=_("Date of the oversight must be a real date"),
        help_text=_("For example, 17/03/2026"),
    )
    reviewed = text_field(
        _("What you reviewed"),
        required_message=_("Say what you reviewed"),
        help_text=_(
            "For example, the plan, recent contact, risk, the last supervision's actions. "
            "Everyone who may read this young person's record sees it"
        ),
    )
    decision = text_field(
        _("Decision"),
        required_message=_("Say what you decided"),
        help_text=_("Everyone who may read this young person's record sees it"),
    )
    responds_to = SessionChoice(
        label=_("In response to a clinical supervision session"),
        queryset=None,
        required=False,
        empty_label=_("Not in response to a supervision session"),
        help_text=_("The sessions in which this case was discussed, newest first"),
        error_messages={"invalid_choice": _("Select a supervision session from the list")},
    )

    def __init__(self, *args, sessions, team, **kwargs):
        """`sessions`: the supervision sessions that discussed the case; `team`: the case's
        team, whose staff may be given actions."""
        super().__init__(*args, **kwargs)
        self.fields["responds_to"].queryset = sessions
        actions.add_action_fields(self, assignees=tasks.staff_of(team))

    def clean(self):
        cleaned = super().clean()
        cleaned["actions"] = actions.clean_actions(self)
        return cleaned

    def action_rows(self):
        return actions.action_rows(self)

    def service_arguments(self) -> dict:
        names = ("reviewed_on", "reviewed", "decision", "responds_to")
        return {name: self.cleaned_data[name] for name in names}
