"""Transfer between YOTs (issue 17): the sending manager's request from the record page, the
managers' list of transfers, one transfer (the receiving manager decides, the sender may
cancel), all through `cases.transfers`.

Who gets what (tests/permissions/rows_transfers.py): only managers hold `case.transfer`. A
transfer is found only from or into the user's teams (404 otherwise, logged); the receiving
manager decides, the sending manager cancels (403 the other way round). Every page names a
young person, so each request writes an access-log row.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policy
from accounts.access_log import get_visible_or_404, record_access, record_list_view

from .. import selectors, services, transfers
from ..forms.transfers import (
    ACCEPT,
    TransferCancelForm,
    TransferDecisionForm,
    TransferRequestForm,
)
from ..models import ConsentDecision, ConsentParty, ConsentPurpose
from .base import add_service_errors

ACTION_LABELS = {
    "transfer.request": gettext_lazy("Opened or used the transfer request"),
    "transfer.list": gettext_lazy("Viewed the list of transfers"),
    "transfer.view": gettext_lazy("Opened or decided a transfer"),
    "transfer.cancel": gettext_lazy("Cancelled a transfer"),
}

EVENT_LABELS = {
    "case.transfer_requested": gettext_lazy("Transfer to another team requested"),
    "case.transfer_cancelled": gettext_lazy("Transfer cancelled"),
    "case.transfer_declined": gettext_lazy("Transfer declined"),
    "case.transferred": gettext_lazy("Case transferred to another team"),
    "consent.rechecked": gettext_lazy("Current consent decisions re-checked"),
}

#: What the transfer events record, as the history page names it.
EVENT_DETAILS = {
    "to_team": services.EventDetail(gettext_lazy("Receiving team"), "team"),
    "previous_team": services.EventDetail(gettext_lazy("Team before"), "team"),
    "tasks_reassigned": services.EventDetail(
        gettext_lazy("Open tasks passed to the new practitioner")
    ),
}

#: Decided transfers the list page shows below the waiting ones (newest first).
RECENT_DECIDED = 50

_CHANGED_MEANWHILE = gettext_lazy(
    "Someone else changed this meanwhile. Check what is shown now and try again."
)


@login_required
@require_http_methods(["GET", "POST"])
def request_transfer(request, pk):
    """The sending manager asks another team to take the case over."""
    young_person = selectors.young_person_for_action(
        request, pk, capability=transfers.CAPABILITY, action="transfer.request"
    )
    waiting = transfers.open_transfer_of(young_person)
    form = TransferRequestForm(
        request.POST or None,
        teams=transfers.teams_to_transfer_to(young_person),
        initial={"version": young_person.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            transfer = transfers.transfer_request(
                by=request.user, young_person=young_person, **form.cleaned_data
            )
        except services.ConflictError:
            form.add_error(None, _CHANGED_MEANWHILE)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Transfer of %(name)s to %(team)s requested")
                % {"name": young_person.full_name, "team": transfer.to_team.label},
            )
            return redirect("cases:youngperson-detail", pk=young_person.pk)
    return render(
        request,
        "cases/casetransfer_form.html",
        {"form": form, "young_person": young_person, "waiting": waiting},
    )


@login_required
@require_GET
def transfer_list(request):
    """Requests waiting for the manager's decision, their own waiting ones, recent decisions."""
    policy.require(request.user, transfers.CAPABILITY)
    incoming = list(transfers.incoming_for(request.user))
    outgoing = list(transfers.outgoing_for(request.user))
    decided = list(
        transfers.transfers_visible_to(request.user).exclude(status="requested")[:RECENT_DECIDED]
    )
    rows = incoming + outgoing + decided
    record_list_view(
        request,
        action="transfer.list",
        count=len(rows),
        what="transfers",
        young_people=len({row.young_person_id for row in rows}),
    )
    return render(
        request,
        "cases/casetransfer_list.html",
        {"incoming": incoming, "outgoing": outgoing, "decided": decided},
    )


def _transfer_for(request, transfer_pk, action):
    return get_visible_or_404(
        request, transfers.transfers_visible_to(request.user), action=action, pk=transfer_pk
    )


def _decide(request, transfer, form):
    data = form.cleaned_data
    if data["decision"] == ACCEPT:
        transfers.transfer_accept(
            by=request.user,
            transfer=transfer,
            version=data["version"],
            practitioner=data["practitioner"],
            consent_rechecked=data["consent_rechecked"],
        )
        return _("%(name)s is now a case of %(team)s") % {
            "name": transfer.young_person.full_name,
            "team": transfer.to_team.label,
        }
    transfers.transfer_decline(
        by=request.user,
        transfer=transfer,
        version=data["version"],
        decline_reason=data["decline_reason"],
    )
    return _("Transfer of %(name)s declined") % {"name": transfer.young_person.full_name}


def _consents_in_words(young_person) -> list[tuple[str, str, str]]:
    """The current decisions the receiving manager re-checks: party, purpose, decision."""
    return [
        (
            ConsentParty(state.party).label,
            ConsentPurpose(state.purpose).label,
            ConsentDecision(state.decision).label if state.decision else _("Not recorded"),
        )
        for state in selectors.consent_states(young_person)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def transfer_detail(request, transfer_pk):
    """One transfer; the receiving manager accepts or declines it here."""
    transfer = _transfer_for(request, transfer_pk, "transfer.view")
    receiving = policy.may(request.user, transfers.CAPABILITY, transfer.to_team_id)
    may_decide = transfer.is_open and receiving
    if request.method == "POST" and receiving and not transfer.is_open:
        messages.info(
            request,
            _("This transfer was already %(status)s.")
            % {"status": transfer.get_status_display().lower()},
        )
        return redirect("cases:casetransfer-detail", transfer_pk=transfer.pk)
    if request.method == "POST" and not may_decide:
        record_access(
            request, action="transfer.view", obj=transfer, allowed=False, detail="not the receiver"
        )
        raise PermissionDenied
    form = None
    if may_decide:
        form = TransferDecisionForm(
            request.POST or None,
            practitioners=selectors.practitioners_in(transfer.to_team),
            initial={"version": transfer.version},
        )
        if request.method == "POST" and form.is_valid():
            try:
                done = _decide(request, transfer, form)
            except services.ConflictError:
                form.add_error(None, _CHANGED_MEANWHILE)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, done)
                return redirect("cases:casetransfer-list")
    may_cancel = transfer.is_open and policy.may(
        request.user, transfers.CAPABILITY, transfer.from_team_id
    )
    return render(
        request,
        "cases/casetransfer_detail.html",
        {
            "transfer": transfer,
            "young_person": transfer.young_person,
            "consents": _consents_in_words(transfer.young_person) if form else [],
            "form": form,
            "cancel_form": TransferCancelForm(initial={"version": transfer.version})
            if may_cancel
            else None,
        },
    )


@login_required
@require_POST
def transfer_cancel(request, transfer_pk):
    """The sending manager withdraws a request still waiting for the other team."""
    transfer = _transfer_for(request, transfer_pk, "transfer.cancel")
    if not policy.may(request.user, transfers.CAPABILITY, transfer.from_team_id):
        raise PermissionDenied
    form = TransferCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _CHANGED_MEANWHILE)
        return redirect("cases:casetransfer-detail", transfer_pk=transfer.pk)
    try:
        transfers.transfer_cancel(
            by=request.user, transfer=transfer, version=form.cleaned_data["version"]
        )
    except services.ConflictError:
        messages.error(request, _CHANGED_MEANWHILE)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Transfer of %(name)s cancelled") % {"name": transfer.young_person.full_name}
        )
        return redirect("cases:casetransfer-list")
    return redirect("cases:casetransfer-detail", transfer_pk=transfer.pk)
