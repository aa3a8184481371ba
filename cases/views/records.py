"""Recording things about one young person: needs, offences, orders, breaches, custody,
consent, TRM assessments and appointments, and archiving any of them.

Each view finds the young person through the scoped selector, parses a form, calls one
service and redirects back to the record with a message saying what was done (PRG).
"""

from datetime import date, datetime
from functools import partial, wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import dates, drafts
from accounts.access_log import get_visible_or_404

from .. import plan_links, rules, selectors, services
from ..forms.records import (
    AppointmentEditForm,
    AppointmentForm,
    BreachForm,
    ConsentForm,
    CustodyForm,
    NeedForm,
    OffenceForm,
    OrderForm,
    ParentConsentRequirementForm,
    RecordArchiveForm,
    TRMAssessmentForm,
    order_label,
)
from ..models import (
    Appointment,
    Breach,
    Consent,
    CustodyEpisode,
    Need,
    Offence,
    Order,
    TRMAssessment,
)
from .base import (
    add_service_errors,
    changed_fields,
    render_conflict,
    return_url,
    submitted,
    with_saved_version,
)

#: The records that can be archived, by the slug in their archive URL.
ARCHIVABLE = {
    "need": Need,
    "offence": Offence,
    "order": Order,
    "breach": Breach,
    "custody": CustodyEpisode,
    "consent": Consent,
    "trmassessment": TRMAssessment,
    "appointment": Appointment,
}


def changes_young_person(capability: str = "case.edit"):
    """View decorator: sign-in, the young person from `pk`, GET or POST only.

    Someone who cannot see the case gets a 404; someone who can read it but not use
    `capability` (a psychologist, for anything but TRM) a 403 (`young_person_for_action`).

    The view receives the young person instead of `pk`. Archived cases are kept as they
    were: readable, not added to.
    """

    def decorate(view):
        @login_required
        @require_http_methods(["GET", "POST"])
        @wraps(view)
        def wrapped(request, pk, **kwargs):
            young_person = selectors.young_person_for_action(
                request, pk, capability=capability, action="case.change", viewed_as="case.view"
            )
            if young_person.is_archived:
                messages.info(request, _("This record is archived and can no longer be changed."))
                return _back_to_record(young_person)
            return view(request, young_person, **kwargs)

        return wrapped

    return decorate


def _record_of(request, young_person, model, record_pk):
    """One record about this young person (404, logged, for anyone else's)."""
    return get_visible_or_404(
        request,
        selectors.records_about(young_person, model),
        action=f"{model._meta.model_name}.view",
        pk=record_pk,
    )


def _form_data(request):
    return request.POST if request.method == "POST" else None


def _back_to_record(young_person):
    return redirect("cases:youngperson-detail", pk=young_person.pk)


def _record_form(request, young_person, form, template: str, *, write, success):
    """GET shows the form; a valid POST goes to `write(**cleaned_data)` and back to the record.

    The service's ValidationError lands next to the fields it names.
    """
    if request.method == "POST" and form.is_valid():
        try:
            record = write(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success(record))
            return _back_to_record(young_person)
    return render(request, template, {"form": form, "young_person": young_person})


def _writer(service, request, young_person):
    return partial(service, by=request.user, young_person=young_person)


@drafts.kept
@changes_young_person()
def need_create(request, young_person):
    return _record_form(
        request,
        young_person,
        drafts.restore(request, NeedForm(_form_data(request))),
        "cases/need_form.html",
        write=_writer(services.need_record, request, young_person),
        success=lambda need: _("Need recorded: %(need)s") % {"need": need.category.label},
    )


@changes_young_person()
def offence_create(request, young_person):
    return _record_form(
        request,
        young_person,
        OffenceForm(_form_data(request)),
        "cases/offence_form.html",
        write=_writer(services.offence_record, request, young_person),
        success=lambda offence: _("Offence recorded"),
    )


@changes_young_person()
def order_create(request, young_person):
    return _record_form(
        request,
        young_person,
        OrderForm(_form_data(request)),
        "cases/order_form.html",
        write=_writer(services.order_record, request, young_person),
        success=lambda order: _("Order recorded: %(order)s") % {"order": order_label(order)},
    )


@changes_young_person()
def breach_create(request, young_person):
    return _record_form(
        request,
        young_person,
        BreachForm(_form_data(request), young_person=young_person),
        "cases/breach_form.html",
        write=_writer(services.breach_record, request, young_person),
        success=lambda breach: _("Breach recorded"),
    )


@changes_young_person()
def custody_create(request, young_person):
    return _record_form(
        request,
        young_person,
        CustodyForm(_form_data(request)),
        "cases/custody_form.html",
        write=_writer(services.custody_record, request, young_person),
        success=lambda episode: _("Custody episode recorded"),
    )


@changes_young_person()
def consent_create(request, young_person):
    """Both parties' decisions on both purposes; back to `?next=` (such as "Start ECM",
    which links here when consent is missing) or else to the record."""
    back = return_url(request)
    form = ConsentForm(_form_data(request), states=selectors.consent_states(young_person))
    if recorded := submitted(request, form, services.consents_record, young_person=young_person):
        decisions = "; ".join(
            _("%(party)s – %(purpose)s – %(decision)s")
            % {
                "party": consent.get_party_display(),
                "purpose": consent.get_purpose_display(),
                "decision": consent.get_decision_display(),
            }
            for consent in recorded
        )
        messages.success(request, _("Consent recorded: %(decisions)s") % {"decisions": decisions})
        return redirect(back) if back else _back_to_record(young_person)
    return render(
        request,
        "cases/consent_form.html",
        {"form": form, "young_person": young_person, "back": back},
    )


@changes_young_person()
def parent_requirement(request, young_person):
    return _record_form(
        request,
        young_person,
        ParentConsentRequirementForm(_form_data(request), young_person=young_person),
        "cases/consent_parent_requirement.html",
        write=_writer(services.parent_consent_requirement_set, request, young_person),
        success=lambda person: (
            _("Parent or carer consent is now required")
            if person.parent_consent_required
            else _("Parent or carer consent is now not required")
        ),
    )


# Psychologists may record TRM assessments (and nothing else) in the teams they serve.
@drafts.kept
@changes_young_person("case.trm.edit")
def trm_create(request, young_person):
    return _record_form(
        request,
        young_person,
        drafts.restore(request, TRMAssessmentForm(_form_data(request))),
        "cases/trmassessment_form.html",
        write=_writer(services.trm_assess, request, young_person),
        success=lambda assessment: _("TRM stage recorded: %(stage)s") % {"stage": assessment.stage},
    )


def _plan_items(young_person) -> list:
    links = plan_links.registered()
    return links.items_of(young_person) if links else []


def _link_to_plan(request, appointment, plan_item, *, was=None) -> None:
    """Record the plan item the appointment delivered (a plan item of another young person
    is refused by the plan's own service, its message put beside the question)."""
    links = plan_links.registered()
    if links is None or plan_item == was:
        return
    try:
        links.link(by=request.user, appointment=appointment, item_id=plan_item)
    except ValidationError as error:
        raise ValidationError({"plan_item": error.messages}) from error


def _appointment_log_writer(request, young_person):
    @transaction.atomic
    def write(*, plan_item=None, **values):
        appointment = services.appointment_log(by=request.user, young_person=young_person, **values)
        _link_to_plan(request, appointment, plan_item)
        return appointment

    return write


@drafts.kept
@changes_young_person()
def appointment_create(request, young_person):
    return _record_form(
        request,
        young_person,
        drafts.restore(
            request,
            AppointmentForm(_form_data(request), plan_items=_plan_items(young_person)),
        ),
        "cases/appointment_form.html",
        write=_appointment_log_writer(request, young_person),
        success=lambda appointment: (
            _("Appointment on %(date)s saved") % {"date": dates.in_words(appointment.starts_at)}
        ),
    )


@drafts.kept
@changes_young_person()
def appointment_edit(request, young_person, appointment_pk):
    appointment = _record_of(request, young_person, Appointment, appointment_pk)
    started = rules.appointment_started(appointment.starts_at, now=timezone.now())
    links = plan_links.registered()
    linked = links.linked_item_id(appointment) if links else None
    form_kwargs = {
        "started": started,
        "purpose_category_id": appointment.purpose_category_id,
        "plan_items": _plan_items(young_person),
    }
    if request.method != "POST":
        initial = AppointmentEditForm.initial_for(appointment) | {"plan_item": linked}
        form = drafts.restore(request, AppointmentEditForm(initial=initial, **form_kwargs))
        return _appointment_page(request, young_person, form, appointment)
    form = AppointmentEditForm(request.POST, **form_kwargs)
    if form.is_valid():
        values = dict(form.cleaned_data)
        plan_item = values.pop("plan_item", linked)
        try:
            with transaction.atomic():
                saved = services.appointment_update(
                    by=request.user, appointment=appointment, **values
                )
                _link_to_plan(request, saved, plan_item, was=linked)
        except services.ConflictError as conflict:
            return _appointment_conflict(
                request, young_person, form, conflict.current, started, form_kwargs["plan_items"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Appointment on %(date)s updated") % {"date": dates.in_words(saved.starts_at)},
            )
            return _back_to_record(young_person)
    return _appointment_page(request, young_person, form, appointment)


def _appointment_page(request, young_person, form, appointment):
    return render(
        request,
        "cases/appointment_form.html",
        {"form": form, "young_person": young_person, "appointment": appointment},
    )


def _appointment_conflict(request, young_person, form, current, started, plan_items=()):
    """Someone saved the appointment first: compare, and offer the user's input again.

    The form comes back with the user's values and the version now saved, so saving it is
    a deliberate choice to replace the other person's changes.
    """
    return render_conflict(
        request,
        form=with_saved_version(
            request,
            AppointmentEditForm,
            current,
            started=started,
            purpose_category_id=current.purpose_category_id,
            plan_items=plan_items,
        ),
        current=current,
        young_person=young_person,
        what=_("appointment"),
        fields=changed_fields(form, current, form.editable, form.describe),
    )


@changes_young_person()
def record_archive(request, young_person, kind, record_pk):
    model = ARCHIVABLE.get(kind)
    if model is None:
        raise Http404
    record = _record_of(request, young_person, model, record_pk)
    form = RecordArchiveForm(_form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.record_archive(by=request.user, record=record, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(record)s archived") % {"record": capfirst(model._meta.verbose_name)}
            )
            return _back_to_record(young_person)
    return render(
        request,
        "cases/record_archive.html",
        {
            "form": form,
            "young_person": young_person,
            "record": record,
            "what": model._meta.verbose_name,
            "summary_rows": _summary_rows(record),
        },
    )


#: Bookkeeping fields the archive page does not show when describing the record.
_NOT_DESCRIBED = {
    "id",
    "young_person",
    "recorded_by",
    "recorded_at",
    "archived_at",
    "archived_by",
    "archived_reason",
    "version",
    "practitioner",
}


def _summary_rows(record) -> list[dict]:
    """The record's own fields as GOV.UK summary list rows, so the user sees what goes."""
    rows = []
    for field in record._meta.concrete_fields:
        if field.name in _NOT_DESCRIBED:
            continue
        value = getattr(record, field.name)
        if value is None or value == "":
            continue
        if field.choices:
            value = getattr(record, f"get_{field.name}_display")()
        elif isinstance(value, datetime):
            value = dates.in_words_with_time(value)
        elif isinstance(value, date):
            value = dates.in_words(value)
        elif isinstance(value, Order):
            value = order_label(value)
        rows.append({"key": {"text": capfirst(field.verbose_name)}, "value": {"text": str(value)}})
    return rows
