"""What a partner agency worker changes (issue 18): the status of their agency's plan items,
their agency's agreed actions, their agency's contacts, their answers to invitations. And
what the YOT does for continuity after the order: hand plan items over to the agency
responsible for them, and end a handover early.

Every partner service takes the partner (`by`) and checks that the record belongs to their
agency and to a young person they may see today (`selectors.young_people_for_partner`);
after the order only handed-over items may be changed. Each service writes a case event so
the YOT practitioner sees the change on the record and its timeline.
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import dates, policy
from accounts.history import save_by, save_version
from cases import rules
from cases import tasks as case_tasks
from cases.services import ConflictError, ensure_open, event_record
from formulation.models import AgreedAction, InterventionItem, InterventionStatus, MeetingStatus

from . import selectors
from .models import InvitationResponse, ItemHandover, PartnerContact


def _agency(by):
    agency = selectors.agency_of(by)
    if agency is None:
        raise PermissionDenied
    return agency


def _check_in_scope(by, agency, young_person, record_agency_id, *, after_the_order=False):
    """The record is their agency's and the young person is one they may see today; unless
    `after_the_order` (a handed-over item, a contact), not once ECM has ended."""
    if record_agency_id != agency.pk or not (
        selectors.young_people_for_partner(by).filter(pk=young_person.pk).exists()
    ):
        raise PermissionDenied
    if not after_the_order and selectors.continues_after_the_order(young_person):
        raise PermissionDenied


#: The statuses a partner may set: they deliver the item, they do not remove it from the plan.
PARTNER_STATUSES = (
    InterventionStatus.PLANNED,
    InterventionStatus.ACTIVE,
    InterventionStatus.DONE,
)


@transaction.atomic
def partner_item_update(*, by, item: InterventionItem, status: str, version: int):
    """Set the status of a plan item the partner's agency is responsible for."""
    agency = _agency(by)
    _check_in_scope(by, agency, item.young_person, item.agency_id, after_the_order=True)
    if not selectors.items_for_agency(item.young_person, agency).filter(pk=item.pk).exists():
        raise PermissionDenied  # after the order: an item not handed over, or no longer
    if status not in PARTNER_STATUSES:
        raise ValidationError({"status": [_("Select one of the statuses listed")]})
    current = InterventionItem.objects.select_for_update().get(pk=item.pk)
    if current.version != version:
        raise ConflictError(current)
    if current.status == status:
        return current
    before = current.status
    current.status = status
    save_version(current, by)
    event_record(
        young_person=current.young_person,
        action="partner.item_updated",
        by=by,
        item=current.pk,
        item_title=current.title,
        partner_agency=agency.label,
        plan_status=status,
        previous_status=before,
    )
    return current


@transaction.atomic
def partner_action_complete(*, by, action: AgreedAction, done_on: date) -> AgreedAction:
    """Mark done an agreed action given to the partner's agency."""
    agency = _agency(by)
    young_person = action.formulation.meeting.young_person
    _check_in_scope(by, agency, young_person, action.agency_id)
    if action.done_on is not None:
        raise ValidationError(_("This action is already marked done."))
    case_tasks.mark_done(action, by=by, done_on=done_on)
    event_record(
        young_person=young_person,
        action="partner.action_done",
        by=by,
        agreed_action=action.pk,
        action_description=action.description,
        partner_agency=agency.label,
    )
    return action


@transaction.atomic
def partner_contact_record(
    *,
    by,
    young_person,
    contact_on: date,
    purpose_category,
    outcome_code: str,
    duration_minutes: int,
    purpose: str = "",
    outcome: str = "",
) -> PartnerContact:
    """Record the partner's agency's contact with a young person they work with."""
    agency = _agency(by)
    _check_in_scope(by, agency, young_person, agency.pk, after_the_order=True)
    errors: dict = {}

    def broken(field, message):
        if message:
            errors.setdefault(field, []).append(message)

    label = _("Date of the contact")
    broken("contact_on", rules.not_in_future(contact_on, label, today=timezone.localdate()))
    broken("contact_on", rules.not_before_birth(contact_on, young_person.date_of_birth, label))
    broken("purpose_category", rules.appointment_purpose_missing(purpose_category))
    broken("duration_minutes", rules.duration_invalid(duration_minutes))
    if errors:
        raise ValidationError(errors)
    contact = PartnerContact(
        young_person=young_person,
        agency=agency,
        contact_on=contact_on,
        purpose_category=purpose_category,
        purpose=purpose,
        outcome_code=outcome_code,
        outcome=outcome,
        duration_minutes=duration_minutes,
        recorded_by=by,
    )
    save_by(contact, by)
    event_record(
        young_person=young_person,
        action="partner.contact_recorded",
        by=by,
        partner_contact=contact.pk,
        partner_agency=agency.label,
    )
    return contact


@transaction.atomic
def partner_invitation_answer(*, by, invitation, answer: str, note: str = "") -> InvitationResponse:
    """Accept or decline the partner's agency's invitation to a meeting not yet held."""
    agency = _agency(by)
    meeting = invitation.meeting
    _check_in_scope(by, agency, meeting.young_person, invitation.agency_id)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(
            _("This meeting has been held or cancelled: its invitation can no longer be answered.")
        )
    response = InvitationResponse.objects.filter(invitation=invitation).first()
    if response is None:
        response = InvitationResponse(invitation=invitation)
    response.answer = answer
    response.note = note
    response.answered_by = by
    response.answered_at = timezone.now()
    save_by(response, by)
    event_record(
        young_person=meeting.young_person,
        action="partner.invitation_answered",
        by=by,
        invitation=invitation.pk,
        meeting=meeting.pk,
        held_on=meeting.held_on.isoformat(),
        partner_agency=agency.label,
        invitation_answer=answer,
    )
    return response


def may_work(user) -> bool:
    return policy.may(user, "partner.work")


# --- Continuity after the order: what the YOT does ---------------------------------------------

#: The period a handover runs unless the YOT says otherwise, and the longest it may run, from
#: the day it is made (the agency's access ends with it; the YOT may hand over again).
HANDOVER_DEFAULT_DAYS = 183
HANDOVER_MAX_DAYS = 365


def handover_default_until(today: date) -> date:
    return today + timedelta(days=HANDOVER_DEFAULT_DAYS)


def may_hand_over(user, young_person) -> bool:
    return policy.may(user, "partner.handover", young_person.team)


@transaction.atomic
def items_hand_over(*, by, young_person, items, reason: str, until: date) -> list[ItemHandover]:
    """Hand named plan items over to the agencies responsible for them, to continue after ECM
    ended: each agency keeps access to its items (only) until `until`."""
    policy.require(by, "partner.handover", young_person.team)
    ensure_open(young_person)
    today = timezone.localdate()
    errors: dict = {}

    def broken(field, message):
        errors.setdefault(field, []).append(message)

    if young_person.ecm_end_date is None:
        broken(
            None,
            _(
                "Record the ECM end date first: plan items are handed over to a partner "
                "agency when ECM has ended."
            ),
        )
    items = list(items)
    if not items:
        broken("items", _("Select at least one plan item to hand over"))
    running = set(
        ItemHandover.objects.filter(
            item__in=items, ended_on__isnull=True, until__gte=today
        ).values_list("item_id", flat=True)
    )
    for item in items:
        if item.young_person_id != young_person.pk:
            raise PermissionDenied
        if item.agency_id is None:
            broken(
                "items",
                _(
                    "“%(title)s” is not given to an agency: give it a responsible agency "
                    "on the plan first"
                )
                % {"title": item.title},
            )
        elif item.status not in selectors.OPEN_ITEM_STATUSES:
            broken(
                "items",
                _("“%(title)s” is done or stopped: only open plan items can be handed over")
                % {"title": item.title},
            )
        elif item.pk in running:
            broken(
                "items",
                _("“%(title)s” is already handed over: end that handover first")
                % {"title": item.title},
            )
    if not (reason or "").strip():
        broken("reason", _("Enter why the plan items are handed over"))
    if until is None:
        broken("until", _("Enter the date the handover ends"))
    elif until < today:
        broken("until", _("The handover cannot end in the past"))
    elif until > today + timedelta(days=HANDOVER_MAX_DAYS):
        broken(
            "until",
            _("A handover can run for 12 months at most: choose a date before %(date)s")
            % {"date": dates.in_words(today + timedelta(days=HANDOVER_MAX_DAYS + 1))},
        )
    if errors:
        raise ValidationError(errors)
    handovers = []
    for item in items:
        handover = ItemHandover(
            item=item, agency=item.agency, reason=reason.strip(), until=until, handed_over_by=by
        )
        save_by(handover, by)
        event_record(
            young_person=young_person,
            action="partner.item_handed_over",
            by=by,
            item=item.pk,
            item_title=item.title,
            partner_agency=item.agency.label,
            handed_over_until=until.isoformat(),
            handover_reason=handover.reason,
        )
        handovers.append(handover)
    return handovers


@transaction.atomic
def item_handover_end(*, by, handover: ItemHandover, end_reason: str) -> ItemHandover:
    """End a running handover early: the agency loses access to the item at once."""
    young_person = handover.item.young_person
    policy.require(by, "partner.handover", young_person.team)
    current = ItemHandover.objects.select_for_update().get(pk=handover.pk)
    if not current.is_running(timezone.localdate()):
        raise ValidationError(_("This handover has already ended."))
    if not (end_reason or "").strip():
        raise ValidationError({"end_reason": [_("Enter why the handover ends early")]})
    current.ended_on = timezone.localdate()
    current.ended_by = by
    current.end_reason = end_reason.strip()
    save_by(current, by)
    event_record(
        young_person=young_person,
        action="partner.handover_ended",
        by=by,
        item=current.item_id,
        item_title=current.item.title,
        partner_agency=current.agency.label,
        handover_reason=current.end_reason,
    )
    return current
