"""Forms for the records about a young person (needs, offences, orders, consent, TRM, ...).

Forms check only types and required answers; the domain rules (dates against the date of
birth or the referral, engagement only when attended, ...) belong to `cases.services`, whose
errors the views put next to the same fields. Each form's field names are the keyword
arguments of the service it feeds, so a view passes `form.cleaned_data` straight through.
"""

import json

from django import forms
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts import dates

from .. import rules
from ..models import (
    AppointmentKind,
    AppointmentOutcome,
    AppointmentPurpose,
    Attendance,
    ConsentDecision,
    ConsentParty,
    ConsentPurpose,
    DisengagementReason,
    NeedCategory,
    Order,
    OrderType,
    TRMStage,
)
from .fields import date_field, radios, text_field, yes_no

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]

#: The rules' own words for a score off its scale, translated when shown.
GRAVITY_MESSAGE = lazy(rules.gravity_message, str)()
ENGAGEMENT_MESSAGE = lazy(rules.engagement_message, str)()

#: The radio for an appointment that has not happened yet. GOV.UK radios cannot carry an
#: empty value (the template pack drops a blank choice), so it has a value of its own that
#: the form turns back into "no attendance recorded".
NOT_HAPPENED_YET = "not_happened_yet"


def order_label(order: Order) -> str:
    """How an order is named in a list of one young person's orders."""
    return _("%(type)s from %(date)s") % {
        "type": order.get_order_type_display(),
        "date": dates.in_words(order.start_date),
    }


class NeedCategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


def disengagement_reason_field(label, help_text=""):
    """The reason a young person gave for refusing or withdrawing (the editable vocabulary);
    optional here because whether it is needed depends on the decision (the service says)."""
    return NeedCategoryField(
        label=label,
        queryset=DisengagementReason.objects.filter(active=True),
        required=False,
        empty_label=None,
        help_text=help_text,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Select one of the reasons listed")},
    )


class NeedForm(forms.Form):
    category = NeedCategoryField(
        label=_("Need"),
        queryset=NeedCategory.objects.filter(active=True),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select the need"),
            "invalid_choice": _("Select one of the needs listed"),
        },
    )
    recorded_on = date_field(
        _("Date identified"),
        required_message=_("Enter the date the need was identified"),
        invalid_message=_("Date identified must be a real date"),
    )
    evidence = text_field(
        _("Evidence"),
        help_text=_("What shows this need and where it is recorded, for example an assessment"),
    )


class OffenceForm(forms.Form):
    committed_on = date_field(
        _("Date committed"),
        required_message=_("Enter the date the offence was committed"),
        invalid_message=_("Date committed must be a real date"),
    )
    description = text_field(
        _("Description"),
        required_message=_("Enter a description of the offence"),
        max_length=500,
        too_long_message=_("Description must be 500 characters or fewer"),
        textarea=False,
    )
    # The range is the service's rule; the form only insists on a whole number.
    gravity = forms.IntegerField(
        label=_("Gravity score"),
        help_text=_("YJB seriousness score, 1 (least serious) to 8 (most serious)"),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "govuk-input--width-2", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the gravity score"), "invalid": GRAVITY_MESSAGE},
    )
    proven_on = date_field(
        _("Date proven"),
        help_text=_("Leave empty if the offence has not been proven"),
        invalid_message=_("Date proven must be a real date"),
    )


class OrderForm(forms.Form):
    order_type = radios(
        _("Type of order"), OrderType.choices, required_message=_("Select the type of order")
    )
    start_date = date_field(
        _("Start date"),
        required_message=_("Enter the date the order started"),
        invalid_message=_("Start date must be a real date"),
    )
    end_date = date_field(
        _("End date"),
        help_text=_("Leave empty if the order has not ended"),
        invalid_message=_("End date must be a real date"),
    )


class OrderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return order_label(obj)


class BreachForm(forms.Form):
    breach_date = date_field(
        _("Date of breach"),
        required_message=_("Enter the date of the breach"),
        invalid_message=_("Date of breach must be a real date"),
    )
    order = OrderChoiceField(
        label=_("Order breached"),
        queryset=Order.objects.none(),
        required=False,
        empty_label=_("Not linked to an order"),
        error_messages={"invalid_choice": _("Choose one of this young person's orders")},
    )
    note = text_field(_("Note"))

    def __init__(self, *args, young_person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].queryset = Order.objects.filter(
            young_person=young_person, archived_at__isnull=True
        ).order_by("-start_date", "-id")


class CustodyForm(forms.Form):
    start_date = date_field(
        _("Start date"),
        required_message=_("Enter the date custody started"),
        invalid_message=_("Start date must be a real date"),
    )
    end_date = date_field(
        _("End date"),
        help_text=_("Leave empty if the young person is still in custody"),
        invalid_message=_("End date must be a real date"),
    )


#: The consent page's radio for leaving a party's decision on a purpose as it is.
NO_NEW_DECISION = "unchanged"


def consent_field_name(party: str, purpose: str) -> str:
    return f"{party}_{purpose}"


def _current_decision(state) -> str:
    if state.latest is None:
        current = _("No decision recorded yet.")
    else:
        current = _("Current decision: %(decision)s on %(date)s.") % {
            "decision": state.latest.get_decision_display(),
            "date": dates.in_words(state.latest.decided_on),
        }
    if not state.required:
        current = f"{current} {_('Their consent is not required for this young person.')}"
    return current


class ConsentForm(forms.Form):
    """Both parties' decisions on both purposes on one page (feeds
    `services.consents_record`); a question left at "No new decision" records nothing.

    `states`: the current decision of each party for each purpose (`selectors.consent_states`),
    which the questions show as their hints.
    """

    decided_on = date_field(
        _("Date of the decisions"),
        required_message=_("Enter the date of the decisions"),
        invalid_message=_("Date of the decisions must be a real date"),
    )
    note = text_field(
        _("Note"),
        help_text=_(
            "When consent is withdrawn, record here what the family said, unless the young "
            "person's own words above say it"
        ),
    )
    reason = disengagement_reason_field(
        _("Reason for refusing or withdrawing"),
        help_text=_("Needed when consent is refused or withdrawn; leave empty otherwise"),
    )
    own_words = text_field(
        _("In the young person's own words"),
        help_text=_("Only when consent is refused or withdrawn"),
    )

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = {}
        for state in states:
            name = consent_field_name(state.party, state.purpose)
            self.questions[name] = (state.party, state.purpose)
            self.fields[name] = forms.ChoiceField(
                label=_("%(party)s – %(purpose)s")
                % {
                    "party": ConsentParty(state.party).label,
                    "purpose": ConsentPurpose(state.purpose).label,
                },
                choices=[(NO_NEW_DECISION, _("No new decision")), *ConsentDecision.choices],
                initial=NO_NEW_DECISION,
                required=False,
                help_text=_current_decision(state),
                widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
                error_messages={"invalid_choice": _("Select one of the options listed")},
            )
        self.order_fields([*self.questions, "decided_on", "reason", "own_words", "note"])

    def clean(self):
        cleaned = super().clean()
        decisions = {}
        for name, question in self.questions.items():
            decision = cleaned.pop(name, None)
            if decision and decision != NO_NEW_DECISION:
                decisions[question] = decision
        if not decisions and self.questions and not self.has_error(next(iter(self.questions))):
            self.add_error(
                next(iter(self.questions)),
                _("Select at least one decision to record, for either person"),
            )
        cleaned["decisions"] = decisions
        return cleaned

    def party_fields(self):
        """The questions grouped by party, in order: (party label, bound fields)."""
        groups: dict[str, list] = {}
        for name, (party, _purpose) in self.questions.items():
            groups.setdefault(party, []).append(self[name])
        return [(ConsentParty(party).label, fields) for party, fields in groups.items()]


class ParentConsentRequirementForm(forms.Form):
    required = yes_no(
        _("Parent or carer consent required?"),
        required_message=_("Select yes if parent or carer consent is required"),
    )
    reason = text_field(
        _("Reason"),
        required_message=_("Explain why the requirement is changing"),
        max_length=500,
        too_long_message=_("Reason must be 500 characters or fewer"),
        help_text=_("For example: lives independently and makes their own decisions"),
    )

    def __init__(self, *args, young_person, **kwargs):
        kwargs.setdefault(
            "initial", {"required": "yes" if young_person.parent_consent_required else "no"}
        )
        super().__init__(*args, **kwargs)


class StageLabel(str):
    """A stage's name that also carries its underlying need, shown as the radio's hint."""

    hint: str = ""

    @classmethod
    def of(cls, stage: TRMStage) -> "StageLabel":
        label = cls(str(stage))
        label.hint = stage.underlying_need_label
        return label


class TRMStageField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return StageLabel.of(obj)


class TRMAssessmentForm(forms.Form):
    stage = TRMStageField(
        label=_("TRM stage"),
        queryset=TRMStage.objects.all(),
        widget=forms.RadioSelect,
        help_text=_("Each stage shows the young person's underlying need at that stage"),
        error_messages={
            "required": _("Select the TRM stage"),
            "invalid_choice": _("Select one of the stages listed"),
        },
    )
    assessed_on = date_field(
        _("Date assessed"),
        required_message=_("Enter the date of the assessment"),
        invalid_message=_("Date assessed must be a real date"),
    )
    rationale = text_field(
        _("Rationale"),
        required_message=_("Explain why the young person is at this stage"),
        help_text=_("What the young person presents with that shows this stage"),
    )


#: The engagement radio for "no rating": stored as empty, like an appointment not attended.
NOT_RATED = "not_rated"
#: The engagement scale as radios; its two ends say what they mean.
ENGAGEMENT_ENDS = {
    rules.ENGAGEMENT_MIN: _("1 – not engaged"),
    rules.ENGAGEMENT_MAX: _("5 – fully engaged"),
}
ENGAGEMENT_CHOICES = [
    (NOT_RATED, _("Not rated")),
    *((str(score), ENGAGEMENT_ENDS.get(score, str(score))) for score in rules.ENGAGEMENT_SCALE),
]


class AppointmentPurposeField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


#: The usual duration of each kind of contact, for the form's hint (in the reader's language).
def _duration_hint() -> str:
    usual = "; ".join(
        _("%(kind)s %(minutes)d") % {"kind": AppointmentKind(kind).label, "minutes": minutes}
        for kind, minutes in rules.DEFAULT_DURATION_MINUTES.items()
    )
    return _(
        "In minutes. Filled in with the usual length for the kind of contact (%(usual)s): "
        "change it if it was different"
    ) % {"usual": usual}


class AppointmentForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=DATETIME_INPUT_FORMATS,
        error_messages={
            "required": _("Enter the date and time of the appointment"),
            "invalid": _("Date and time must be a real date and time"),
        },
    )
    kind = radios(
        _("Kind of contact"), AppointmentKind.choices, required_message=_("Select the kind")
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration"),
        required=False,
        help_text=lazy(_duration_hint, str)(),
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
        error_messages={"invalid": _("Enter the duration as a whole number of minutes")},
    )
    purpose_category = AppointmentPurposeField(
        label=_("Purpose"),
        queryset=AppointmentPurpose.objects.filter(active=True),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select the purpose of the appointment"),
            "invalid_choice": _("Select one of the purposes listed"),
        },
    )
    purpose = text_field(
        _("Purpose detail"),
        max_length=500,
        too_long_message=_("Purpose detail must be 500 characters or fewer"),
        help_text=_("What in particular the appointment was for"),
        textarea=False,
    )
    attendance = forms.ChoiceField(
        label=_("Attendance"),
        choices=[(NOT_HAPPENED_YET, _("Not happened yet")), *Attendance.choices],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Select one of the options listed")},
    )
    engagement = forms.TypedChoiceField(
        label=_("Engagement"),
        choices=ENGAGEMENT_CHOICES,
        coerce=lambda value: None if value == NOT_RATED else int(value),
        empty_value=None,
        required=False,
        help_text=_(
            "Only when the young person attended: choosing another attendance clears the rating"
        ),
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        error_messages={"invalid_choice": ENGAGEMENT_MESSAGE},
    )
    outcome_code = forms.ChoiceField(
        label=_("Outcome"),
        choices=AppointmentOutcome.choices,
        required=False,
        help_text=_(
            "How far the appointment achieved its purpose. Needed once the young person has "
            "attended; a missed or cancelled appointment can only be “Not applicable”"
        ),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Select one of the options listed")},
    )
    outcome = text_field(
        _("Outcome note"),
        help_text=_(
            "What happened and what was agreed; for a missed or cancelled appointment, what was "
            "done about it"
        ),
    )

    def __init__(self, *args, purpose_category_id=None, plan_items=(), **kwargs):
        """`plan_items`: (id, title) of the young person's intervention-plan items, if any
        (cases.plan_links); the form then asks which one the appointment delivered."""
        kwargs.setdefault("initial", {"attendance": NOT_HAPPENED_YET, "engagement": NOT_RATED})
        super().__init__(*args, **kwargs)
        if plan_items:
            self.fields["plan_item"] = forms.TypedChoiceField(
                label=_("Intervention from the plan"),
                help_text=_("The item of the young person's intervention plan it delivered"),
                choices=[("", _("Not linked to the plan")), *plan_items],
                coerce=int,
                empty_value=None,
                required=False,
                error_messages={"invalid_choice": _("Select one of the interventions listed")},
            )
            order = list(self.fields)
            order.remove("plan_item")
            order.insert(order.index("purpose") + 1, "plan_item")
            self.order_fields(order)
        if purpose_category_id is not None:
            # An appointment keeps a purpose an administrator has since stopped offering.
            self.fields["purpose_category"].queryset = AppointmentPurpose.objects.filter(
                Q(active=True) | Q(pk=purpose_category_id)
            )
        self.fields["duration_minutes"].widget.attrs["data-default-durations"] = json.dumps(
            {str(kind): minutes for kind, minutes in rules.DEFAULT_DURATION_MINUTES.items()}
        )

    def clean_attendance(self):
        attendance = self.cleaned_data["attendance"]
        return "" if attendance == NOT_HAPPENED_YET else attendance

    def clean(self):
        """A rating belongs to an attended appointment: any other attendance clears it, as
        the page itself does when attendance changes (static/cases/appointment-form.js)."""
        cleaned = super().clean()
        if "engagement" in cleaned and cleaned.get("attendance") != Attendance.ATTENDED:
            cleaned["engagement"] = None
        return cleaned

    def describe(self, name: str, value) -> str:
        """A field's value as the user reads it (for the conflict page's comparison)."""
        if name == "attendance":
            value = value or NOT_HAPPENED_YET
        if value is None or value == "":
            return ""
        if isinstance(value, AppointmentPurpose):
            return value.label
        if name == "starts_at":
            return dates.in_words_with_time(value)
        choices = getattr(self.fields[name], "choices", None)
        if choices:
            return str(dict(choices).get(str(value), value))
        return str(value)


#: What the edit page lets a practitioner correct, in the order the form shows them.
APPOINTMENT_EDITABLE = (
    "starts_at",
    "kind",
    "duration_minutes",
    "purpose_category",
    "purpose",
    "attendance",
    "engagement",
    "outcome_code",
    "outcome",
)


#: What can be recorded about an appointment only once it has started.
APPOINTMENT_HOW_IT_WENT = ("attendance", "engagement", "outcome_code", "outcome")


class AppointmentEditForm(AppointmentForm):
    """The same questions, plus the version the user started from (for the conflict check).

    Before the appointment starts (`started` false) only its plan can change: the form
    leaves out attendance, engagement and outcome, which the service keeps as they are.
    """

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        label=_("Version"),
        error_messages={
            "required": _("Open the appointment again and repeat your changes"),
            "invalid": _("Open the appointment again and repeat your changes"),
        },
    )

    def __init__(self, *args, started: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.started = started
        if not started:
            for name in APPOINTMENT_HOW_IT_WENT:
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        posted_attendance = self.data.get("attendance", "")
        if not self.started and (
            (self.data.get("outcome") or "").strip()
            or self.data.get("outcome_code")
            or posted_attendance not in ("", NOT_HAPPENED_YET)
        ):
            # A page kept open from elsewhere, or a crafted post: say so rather than drop it.
            self.add_error(
                None,
                _(
                    "This appointment has not started yet: record attendance and the outcome "
                    "once it has"
                ),
            )
        return cleaned

    @property
    def editable(self) -> tuple[str, ...]:
        """The appointment's fields this form changes (for the conflict comparison)."""
        return tuple(name for name in APPOINTMENT_EDITABLE if name in self.fields)

    @classmethod
    def initial_for(cls, appointment) -> dict:
        initial = {
            name: getattr(appointment, name)
            for name in APPOINTMENT_EDITABLE
            if name != "purpose_category"
        }
        initial["purpose_category"] = appointment.purpose_category_id
        initial["attendance"] = appointment.attendance or NOT_HAPPENED_YET
        initial["engagement"] = (
            str(appointment.engagement) if appointment.engagement is not None else NOT_RATED
        )
        initial["version"] = appointment.version
        return initial


class RecordArchiveForm(forms.Form):
    reason = text_field(
        _("Why are you archiving this record?"),
        required_message=_("Give a reason for archiving"),
        max_length=500,
        too_long_message=_("Reason must be 500 characters or fewer"),
        help_text=_("For example: recorded against the wrong young person"),
    )
