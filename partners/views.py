"""The partner agency worker's pages (issue 18), and the record page's card of partner work.

Every page starts from `selectors.young_people_for_partner`: a young person outside it is a
404 (logged, like any record outside a user's scope), and anyone who is not a partner gets a
403. Every page that names a young person writes the access log, a list as one row.

The YOT's pages for continuity after the order (hand plan items over, end a handover early)
are found like every YOT page about a case (`cases.selectors.young_person_for_action`):
another team's case is a logged 404, a team member without `partner.handover` a logged 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import dates, policy
from accounts.access_log import find_visible_or_404, get_visible_or_404, record_list_view
from cases import selectors as case_selectors
from cases.services import ConflictError
from cases.views.base import add_service_errors, submitted
from formulation.models import InterventionStatus

from . import selectors, services, timeline
from .forms import (
    ActionDoneForm,
    ContactForm,
    HandoverEndForm,
    HandoverForm,
    InvitationForm,
    ItemStatusForm,
)

#: Young people on a page of the partner's list (an agency working with several YOTs can
#: reach hundreds).
HOME_PER_PAGE = 50


def _agency(request):
    agency = selectors.agency_of(request.user)
    if agency is None:
        raise PermissionDenied
    return agency


def _young_person(request, pk, *, action: str):
    """The young person if the partner's agency works with them today, logged as viewed."""
    agency = _agency(request)
    young_person = get_visible_or_404(
        request, selectors.young_people_for_partner(request.user), action=action, pk=pk
    )
    return agency, young_person


def _to_young_person(young_person):
    return redirect("partners:youngperson-detail", pk=young_person.pk)


@login_required
@require_GET
def home(request):
    """The young people the partner's agency works with, and each one's current TRM stage."""
    agency = _agency(request)
    page = Paginator(selectors.young_people_for_partner(request.user), HOME_PER_PAGE).get_page(
        request.GET.get("page")
    )
    young_people = list(page.object_list)
    record_list_view(
        request,
        action="partner.home",
        count=len(young_people),
        total=page.paginator.count,
        filters={"page": page.number if page.number > 1 else None},
    )
    return render(
        request,
        "partners/home.html",
        {
            "agency": agency,
            "page": page,
            "rows": [
                {
                    "young_person": person,
                    "after_the_order": selectors.continues_after_the_order(person),
                    "stage": selectors.current_stage(person),
                }
                for person in young_people
            ],
        },
    )


@login_required
@require_GET
def young_person_detail(request, pk):
    """Only what the partner may read (DESIGN.md section 6): name, date of birth, the current
    TRM stage and its guidance, and their own agency's items, actions, invitations (with the
    formulation's summary) and contacts."""
    agency, young_person = _young_person(request, pk, action="partner.youngperson.view")
    after_the_order = selectors.continues_after_the_order(young_person)
    return render(
        request,
        "partners/youngperson_detail.html",
        {
            "agency": agency,
            "young_person": young_person,
            "after_the_order": after_the_order,
            "stage": None if after_the_order else selectors.current_stage(young_person),
            "items": list(selectors.items_for_agency(young_person, agency)),
            "open_statuses": selectors.OPEN_ITEM_STATUSES,
            "actions": list(selectors.actions_for_agency(young_person, agency)),
            "invitations": list(selectors.invitations_for_agency(young_person, agency)),
            "contacts": list(selectors.contacts_for_agency(young_person, agency)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_update(request, pk, item_pk):
    agency, young_person = _young_person(request, pk, action="partner.item.view")
    item = find_visible_or_404(
        request,
        selectors.items_for_agency(young_person, agency).exclude(status=InterventionStatus.STOPPED),
        action="partner.item.view",
        pk=item_pk,
    )
    if request.method != "POST":
        form = ItemStatusForm(initial={"status": item.status, "version": item.version})
    else:
        form = ItemStatusForm(request.POST)
        if form.is_valid():
            try:
                saved = services.partner_item_update(
                    by=request.user, item=item, **form.cleaned_data
                )
            except ConflictError as conflict:
                # Offer the form again from the saved version, saying what it now says.
                form = ItemStatusForm({**request.POST.dict(), "version": conflict.current.version})
                form.is_valid()
                form.add_error(
                    None,
                    _(
                        "Someone else changed this plan item while you were editing it: "
                        "its status is now “%(status)s”. Choose the status again."
                    )
                    % {"status": conflict.current.get_status_display()},
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("“%(title)s” is now %(status)s")
                    % {"title": saved.title, "status": saved.get_status_display().lower()},
                )
                return _to_young_person(young_person)
    return render(
        request,
        "partners/interventionitem_form.html",
        {"form": form, "young_person": young_person, "item": item},
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_complete(request, pk, action_pk):
    agency, young_person = _young_person(request, pk, action="partner.action.view")
    action = find_visible_or_404(
        request,
        selectors.actions_for_agency(young_person, agency).filter(done_on__isnull=True),
        action="partner.action.view",
        pk=action_pk,
    )
    form = ActionDoneForm(request.POST or None, initial={"done_on": timezone.localdate()})
    if submitted(request, form, services.partner_action_complete, action=action):
        messages.success(request, _("Action marked done: %(action)s") % {"action": action})
        return _to_young_person(young_person)
    return render(
        request,
        "partners/agreedaction_form.html",
        {"form": form, "young_person": young_person, "action": action},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request, pk):
    agency, young_person = _young_person(request, pk, action="partner.contact.view")
    form = ContactForm(request.POST or None)
    if submitted(request, form, services.partner_contact_record, young_person=young_person):
        messages.success(request, _("Contact recorded"))
        return _to_young_person(young_person)
    return render(
        request,
        "partners/partnercontact_form.html",
        {"form": form, "young_person": young_person, "agency": agency},
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_answer(request, pk, invitation_pk):
    agency, young_person = _young_person(request, pk, action="partner.invitation.view")
    invitation = find_visible_or_404(
        request,
        selectors.invitations_for_agency(young_person, agency),
        action="partner.invitation.view",
        pk=invitation_pk,
    )
    response = getattr(invitation, "partner_response", None)
    initial = {"answer": response.answer, "note": response.note} if response else {}
    form = InvitationForm(request.POST or None, initial=initial)
    if submitted(request, form, services.partner_invitation_answer, invitation=invitation):
        messages.success(request, _("Your answer has been sent to the YOT"))
        return _to_young_person(young_person)
    return render(
        request,
        "partners/invitation_form.html",
        {"form": form, "young_person": young_person, "invitation": invitation},
    )


# --- Continuity after the order: the YOT's pages -----------------------------------------------


def _yot_young_person(request, pk):
    return case_selectors.young_person_for_action(
        request, pk, capability="partner.handover", action="partner.handover"
    )


def _to_record(young_person):
    return redirect("cases:youngperson-detail", pk=young_person.pk)


@login_required
@require_http_methods(["GET", "POST"])
def handover_create(request, pk):
    """Hand named plan items over to their agencies once ECM has ended."""
    young_person = _yot_young_person(request, pk)
    today = timezone.localdate()
    form = HandoverForm(
        request.POST or None,
        young_person=young_person,
        initial={"until": services.handover_default_until(today)},
    )
    if handovers := submitted(request, form, services.items_hand_over, young_person=young_person):
        messages.success(
            request,
            _("Handed over until %(date)s: %(items)s")
            % {
                "date": dates.in_words(handovers[0].until),
                "items": ", ".join(handover.item.title for handover in handovers),
            },
        )
        return _to_record(young_person)
    return render(
        request,
        "partners/itemhandover_form.html",
        {
            "form": form,
            "young_person": young_person,
            "without_agency": selectors.open_items_without_agency(young_person),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def handover_end(request, pk, handover_pk):
    """End a running handover early: the agency's access to the item ends at once."""
    young_person = _yot_young_person(request, pk)
    handover = find_visible_or_404(
        request,
        selectors.handovers_of(young_person).filter(
            ended_on__isnull=True, until__gte=timezone.localdate()
        ),
        action="partner.handover",
        pk=handover_pk,
    )
    form = HandoverEndForm(request.POST or None)
    if submitted(request, form, services.item_handover_end, handover=handover):
        messages.success(
            request,
            _("The handover of “%(title)s” to %(agency)s has ended")
            % {"title": handover.item.title, "agency": handover.agency.label},
        )
        return _to_record(young_person)
    return render(
        request,
        "partners/itemhandover_end.html",
        {"form": form, "young_person": young_person, "handover": handover},
    )


# --- The record page's card (cases.panels) ------------------------------------------------------


def panel_context(request, young_person) -> dict | None:
    """The record page's "Partner agencies" card: the plan items handed over after the order,
    the latest contacts agencies recorded and the latest changes partners made. Two
    queries, three after the order; shown to those who read the case."""
    if not policy.may(request.user, "case.read", young_person.team):
        return None
    contacts = list(selectors.contacts_of(young_person)[: selectors.PANEL_LIMIT])
    updates = [
        {"event": event, "words": timeline.describe_update(event)[0]}
        for event in timeline.updates_of(young_person)[: selectors.PANEL_LIMIT]
    ]
    today = timezone.localdate()
    # Handovers are made only once ECM has ended: a case still on ECM costs no query.
    handovers = [
        {"handover": handover, "running": handover.is_running(today)}
        for handover in (
            selectors.handovers_of(young_person) if young_person.ecm_end_date is not None else ()
        )
    ]
    return {
        "young_person": young_person,
        "contacts": contacts,
        "updates": updates,
        "handovers": handovers,
        "may_hand_over": young_person.ecm_end_date is not None
        and young_person.archived_at is None
        and services.may_hand_over(request.user, young_person),
        "may_end_handovers": services.may_hand_over(request.user, young_person),
    }
