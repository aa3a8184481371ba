"""What partner agencies put on a young person's timeline (`cases.selectors.TimelineKind`):
each contact an agency recorded, and each change a partner made (a plan item's status, an
agreed action done, an invitation answered), so the practitioner sees the agencies' work
beside their own; and the YOT's handovers of plan items after the order, made and ended."""

from datetime import date

from django.utils.translation import gettext as _

from accounts import dates
from cases.models import CaseEvent
from cases.selectors import TimelineKind
from cases.services import event_label
from formulation.models import InterventionStatus

from .models import InvitationAnswer
from .selectors import contacts_of

#: The case events a partner's change writes (partners.services).
UPDATE_ACTIONS = (
    "partner.item_updated",
    "partner.action_done",
    "partner.invitation_answered",
    "partner.item_handed_over",
    "partner.handover_ended",
)


def _describe_contact(contact):
    title = _("%(agency)s contact: %(purpose)s") % {
        "agency": contact.agency.label,
        "purpose": contact.purpose_in_words,
    }
    detail = _("%(outcome)s (%(minutes)d minutes)") % {
        "outcome": contact.outcome_in_words,
        "minutes": contact.duration_minutes,
    }
    return title, detail


def describe_update(event) -> tuple[str, str]:
    """A partner's change in words, for the timeline and the record page's card."""
    data = event.data
    agency = data.get("partner_agency", "")
    if event.action == "partner.item_updated":
        status = data.get("plan_status", "")
        label = InterventionStatus(status).label if status in InterventionStatus.values else status
        return (
            _("%(agency)s: plan item “%(item)s” is now %(status)s")
            % {"agency": agency, "item": data.get("item_title", ""), "status": str(label).lower()},
            "",
        )
    if event.action == "partner.item_handed_over":
        until = data.get("handed_over_until", "")
        return (
            _("Plan item “%(item)s” handed over to %(agency)s until %(date)s")
            % {
                "item": data.get("item_title", ""),
                "agency": agency,
                "date": dates.in_words(date.fromisoformat(until)) if until else "",
            },
            data.get("handover_reason", ""),
        )
    if event.action == "partner.handover_ended":
        return (
            _("Handover of plan item “%(item)s” to %(agency)s ended early")
            % {"item": data.get("item_title", ""), "agency": agency},
            data.get("handover_reason", ""),
        )
    if event.action == "partner.action_done":
        return (
            _("%(agency)s: agreed action done – %(action)s")
            % {"agency": agency, "action": data.get("action_description", "")},
            "",
        )
    answer = data.get("invitation_answer", "")
    label = InvitationAnswer(answer).label if answer in InvitationAnswer.values else answer
    return (
        _("%(agency)s: meeting invitation %(answer)s")
        % {"agency": agency, "answer": str(label).lower()},
        str(event_label(event.action)),
    )


def updates_of(young_person, include_archived=False):
    return (
        CaseEvent.objects.filter(young_person=young_person, action__in=UPDATE_ACTIONS)
        .select_related("actor")
        .order_by("-at", "-id")
    )


CONTACT = TimelineKind(
    kind="partner_contact",
    records=lambda young_person, include_archived: contacts_of(young_person),
    when=lambda contact: contact.contact_on,
    describe=_describe_contact,
    by=lambda contact: contact.recorded_by,
)

UPDATE = TimelineKind(
    kind="partner_update",
    records=updates_of,
    when=lambda event: event.at,
    describe=describe_update,
    by=lambda event: event.actor,
)
