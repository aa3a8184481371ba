"""What a partner agency worker changes (issue 18): the status of their agency's plan items,
their agency's agreed actions, their agency's contacts, their answers to invitations.

Every service takes the partner (`by`) and checks that the record belongs to their agency
and to a young person they may see today (`selectors.young_people_for_partner`); each writes
a case event so the YOT practitioner sees the change on the record and its timeline.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.history import save_by, save_version
from cases import rules
from cases import tasks as case_tasks
from cases.services import ConflictError, event_record
from formulation.models import AgreedAction, InterventionItem, InterventionStatus, MeetingStatus

from . import selectors
from .models import InvitationResponse, PartnerContact


def _agency(by):
    agency = selectors.agency_of(by)
    if agency is None:
        raise PermissionDenied
    return agency


def _check_in_scope(by, agency, young_person, record_agency_id) -> None:
    """The record is their agency's and the young person is one they may see today."""
    if record_agency_id != agency.pk or not (
        selectors.young_people_for_partner(by).filter(pk=young_person.pk).exists()
    ):
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
    _check_in_scope(by, agency, item.young_person, item.agency_id)
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
    _check_in_scope(by, agency, young_person, agency.pk)
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
