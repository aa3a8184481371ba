"""Transfer between YOTs (issue 17): a case handed to another team when the child moves.

The sending team's manager requests the transfer with a reason; the receiving team's manager
accepts it (choosing one of their practitioners and confirming the current consent decisions
with the young person or family) or declines it with a reason; the sender may cancel it while
it waits. On acceptance the young person, and with them every record that hangs on the young
person (TRM history, formulations, plan, tasks), belongs to the new team: the old team's
lookups answer 404 from then on, and ECM goes on without an end. Open tasks held by the old
team's staff pass to the new practitioner; the apps that keep tasks say which are open with
`register_open_tasks`.

Writes follow `cases.services` (keyword-only, one transaction, the policy checked, a
`CaseEvent`, history and version checks); the reads are the managers' lists.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import policy
from accounts.history import save_by, save_version
from accounts.models import Membership, Team

from . import services
from .models import CaseTransfer, TransferStatus, YoungPerson
from .selectors import TimelineKind

#: The manager's capability on both sides of a transfer.
CAPABILITY = "case.transfer"

#: Each app that keeps tasks about a young person: young person -> their open tasks.
_OPEN_TASKS: list[Callable[[YoungPerson], QuerySet]] = []


def register_open_tasks(open_tasks: Callable[[YoungPerson], QuerySet]) -> None:
    """Declare where an app keeps open tasks about a young person (from `AppConfig.ready()`),
    so a transfer hands those of the old team's staff to the new practitioner."""
    _OPEN_TASKS.append(open_tasks)


# --- Writes ------------------------------------------------------------------------------------


def _open_request_exists(young_person) -> bool:
    return CaseTransfer.objects.filter(
        young_person=young_person, status=TransferStatus.REQUESTED
    ).exists()


def _ensure_transferable(young_person) -> None:
    services.ensure_open(young_person)
    if young_person.ecm_end_date is not None:
        raise ValidationError(
            _("ECM has ended for this young person: a closed case is not transferred.")
        )


@transaction.atomic
def transfer_request(*, by, young_person, to_team, reason: str, version: int) -> CaseTransfer:
    """The sending manager asks `to_team` to take the case over."""
    policy.require(by, CAPABILITY, young_person.team)
    current = services._locked(YoungPerson, young_person.pk, version)
    _ensure_transferable(current)
    errors: dict = {}
    if to_team is None or not isinstance(to_team, Team):
        errors["to_team"] = [_("Choose the team taking the case over")]
    elif to_team.pk == current.team_id:
        errors["to_team"] = [
            _("The young person is already in %(team)s: choose another team")
            % {"team": to_team.label}
        ]
    if not reason.strip():
        errors["reason"] = [_("Give a reason for the transfer")]
    if _open_request_exists(current):
        errors.setdefault("to_team", []).append(
            _("A transfer of this young person is already waiting for a decision")
        )
    services._raise_if(errors)
    transfer = CaseTransfer(
        young_person=current,
        from_team=current.team,
        to_team=to_team,
        reason=reason.strip(),
        requested_by=by,
    )
    try:
        with transaction.atomic():
            save_by(transfer, by)
    except IntegrityError:  # two managers requesting at once: the constraint decides
        raise ValidationError(
            {"to_team": [_("A transfer of this young person is already waiting for a decision")]}
        ) from None
    services.event_record(
        young_person=current,
        action="case.transfer_requested",
        by=by,
        team=current.team.code,
        to_team=to_team.code,
        reason=reason.strip(),
    )
    return transfer


def _locked_open(transfer, version: int) -> CaseTransfer:
    current = services._locked(CaseTransfer, transfer.pk, version)
    if not current.is_open:
        raise ValidationError(
            _("This transfer was already %(status)s.")
            % {"status": current.get_status_display().lower()}
        )
    return current


def _decided(current, *, by, status) -> None:
    current.status = status
    current.decided_by = by
    current.decided_at = timezone.now()
    save_version(current, by)


@transaction.atomic
def transfer_cancel(*, by, transfer, version: int) -> CaseTransfer:
    """The sending manager withdraws a request that is still waiting."""
    policy.require(by, CAPABILITY, transfer.from_team)
    current = _locked_open(transfer, version)
    _decided(current, by=by, status=TransferStatus.CANCELLED)
    services.event_record(
        young_person=current.young_person,
        action="case.transfer_cancelled",
        by=by,
        to_team=current.to_team.code,
    )
    return current


@transaction.atomic
def transfer_decline(*, by, transfer, version: int, decline_reason: str) -> CaseTransfer:
    """The receiving manager declines, saying why; the case stays where it is."""
    policy.require(by, CAPABILITY, transfer.to_team)
    if not decline_reason.strip():
        raise ValidationError({"decline_reason": [_("Give a reason for declining the transfer")]})
    current = _locked_open(transfer, version)
    current.decline_reason = decline_reason.strip()
    _decided(current, by=by, status=TransferStatus.DECLINED)
    services.event_record(
        young_person=current.young_person,
        action="case.transfer_declined",
        by=by,
        to_team=current.to_team.code,
        reason=decline_reason.strip(),
    )
    return current


def _reassign_open_tasks(*, by, young_person, old_team, practitioner) -> int:
    """Open tasks about the young person held by the old team's staff go to `practitioner`
    (someone who also works in the new team keeps theirs)."""
    old_staff = set(Membership.objects.filter(team=old_team).values_list("user_id", flat=True))
    new_staff = set(
        Membership.objects.filter(team=young_person.team).values_list("user_id", flat=True)
    )
    leaving = old_staff - new_staff
    moved = 0
    for open_tasks in _OPEN_TASKS:
        for task in open_tasks(young_person).filter(assignee_id__in=leaving):
            task.assignee = practitioner
            save_by(task, by)
            moved += 1
    return moved


@transaction.atomic
def transfer_accept(
    *, by, transfer, version: int, practitioner, consent_rechecked: bool
) -> CaseTransfer:
    """The receiving manager takes the case over: it belongs to their team from now on."""
    policy.require(by, CAPABILITY, transfer.to_team)
    errors: dict = {}
    if practitioner is None:
        errors["practitioner"] = [_("Choose the practitioner who will work with the young person")]
    else:
        services._practitioner_in_team(errors, "practitioner", practitioner, transfer.to_team)
    if not consent_rechecked:
        errors["consent_rechecked"] = [
            _("Confirm that you have re-checked the current consent decisions")
        ]
    services._raise_if(errors)
    current = _locked_open(transfer, version)
    young_person = YoungPerson.objects.select_for_update().get(pk=current.young_person_id)
    _ensure_transferable(young_person)
    old_team = young_person.team
    young_person.team = current.to_team
    young_person.practitioner = practitioner
    save_version(young_person, by)
    current.practitioner = practitioner
    current.consent_rechecked = True
    _decided(current, by=by, status=TransferStatus.ACCEPTED)
    tasks = _reassign_open_tasks(
        by=by, young_person=young_person, old_team=old_team, practitioner=practitioner
    )
    services.event_record(
        young_person=young_person,
        action="case.transferred",
        by=by,
        previous_team=old_team.code,
        team=current.to_team.code,
        to=str(practitioner),
        reason=current.reason,
        tasks_reassigned=tasks,
    )
    services.event_record(
        young_person=young_person,
        action="consent.rechecked",
        by=by,
        team=current.to_team.code,
    )
    return current


# --- Reads -------------------------------------------------------------------------------------


def _with_parties(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "young_person", "from_team", "to_team", "requested_by", "decided_by", "practitioner"
    )


def transfers_visible_to(user) -> QuerySet:
    """Transfers from or into the teams where the user may transfer cases."""
    team_ids = policy.team_ids_for(user, CAPABILITY)
    queryset = CaseTransfer.objects.all()
    if team_ids is not None:
        queryset = queryset.filter(Q(from_team_id__in=team_ids) | Q(to_team_id__in=team_ids))
    return _with_parties(queryset)


def incoming_for(user) -> QuerySet:
    """Requests waiting for this manager's decision (into their teams), oldest first."""
    team_ids = policy.team_ids_for(user, CAPABILITY) or set()
    return _with_parties(
        CaseTransfer.objects.filter(to_team_id__in=team_ids, status=TransferStatus.REQUESTED)
    ).order_by("requested_at", "id")


def outgoing_for(user) -> QuerySet:
    """This manager's teams' requests still waiting for the other team, oldest first."""
    team_ids = policy.team_ids_for(user, CAPABILITY) or set()
    return _with_parties(
        CaseTransfer.objects.filter(from_team_id__in=team_ids, status=TransferStatus.REQUESTED)
    ).order_by("requested_at", "id")


def open_transfer_of(young_person) -> CaseTransfer | None:
    return _with_parties(
        CaseTransfer.objects.filter(young_person=young_person, status=TransferStatus.REQUESTED)
    ).first()


def teams_to_transfer_to(young_person) -> QuerySet:
    return Team.objects.exclude(pk=young_person.team_id).order_by("name")


# --- On the case timeline ------------------------------------------------------------------------

_TIMELINE_TITLES = {
    TransferStatus.REQUESTED: gettext_lazy("Transfer to %(to)s requested"),
    TransferStatus.ACCEPTED: gettext_lazy("Transferred from %(from)s to %(to)s"),
    TransferStatus.DECLINED: gettext_lazy("Transfer to %(to)s declined"),
    TransferStatus.CANCELLED: gettext_lazy("Transfer to %(to)s cancelled"),
}


def _timeline_records(young_person, include_archived):
    return _with_parties(CaseTransfer.objects.filter(young_person=young_person)).order_by(
        "-requested_at", "-id"
    )


def _describe(transfer):
    title = _TIMELINE_TITLES[transfer.status] % {
        "from": transfer.from_team.label,
        "to": transfer.to_team.label,
    }
    if transfer.status == TransferStatus.DECLINED:
        return title, transfer.decline_reason
    if transfer.status == TransferStatus.ACCEPTED:
        return title, _("%(reason)s. Allocated to %(practitioner)s.") % {
            "reason": transfer.reason.rstrip("."),
            "practitioner": transfer.practitioner,
        }
    return title, transfer.reason


#: Both teams see each transfer on the case timeline (the new team after acceptance too).
TIMELINE = TimelineKind(
    kind="transfer",
    records=_timeline_records,
    when=lambda transfer: transfer.decided_at or transfer.requested_at,
    describe=_describe,
    by=lambda transfer: transfer.decided_by or transfer.requested_by,
)
