"""What a partner agency worker may reach (issue 18, DESIGN.md section 6 "Partner agencies").

A partner sees a young person only while their agency has work with them — an open plan
item, an open agreed action, or an invitation to a formulation meeting that was not
cancelled — and only while participation consent is given by the young person (and by the
parent or carer when the record says theirs is required: `cases.rules.consent_given_filter`,
the rule every consent check uses). ECM must not have ended — unless the YOT handed some of
the young person's plan items over to the agency to continue after the order
(`ItemHandover`): while such a handover runs (not past its end date, not ended early) the
partner keeps the young person, with exactly those items and their own contacts, and nothing
else (no other items, no actions, no formulations, no TRM stage). It is all worked out on
every request from the records themselves, never from a stored summary, so a consent
withdrawal or the end of the period takes their access away at once.

Within that scope they see only their own agency's items, actions, invitations and contacts;
the formulation fields named in `FORMULATION_FIELDS` and nothing else of the case.

Why not the predisposing factors: the issue lets a partner read "the formulation summaries of
meetings their agency was invited to" and never "history". Of the five Ps, the predisposing
factors are the young person's background — early adversity, trauma, family history — that
is, their history, written for the psychologist and the YOT; a school or a CAMHS worker can
act on what is happening now and what keeps it going (presenting, precipitating,
perpetuating), what protects the young person, and the stage agreed with its reasoning.
Sharing the background stays the YOT's decision, made with the young person, not a default
of the partner's page.
"""

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts import policy
from cases.models import ConsentParty, ConsentPurpose, YoungPerson, in_work
from cases.rules import consent_given_filter, latest_consent
from formulation.models import (
    AgreedAction,
    InterventionItem,
    InterventionStatus,
    MeetingAttendance,
    MeetingStatus,
)

from .models import ItemHandover, PartnerContact

#: Plan items a partner still works on; done and stopped ones stay listed but are no
#: longer a reason to see the young person.
OPEN_ITEM_STATUSES = (InterventionStatus.PLANNED, InterventionStatus.ACTIVE)
#: What a partner reads of a formulation from a meeting their agency was invited to: four of
#: the five Ps and the TRM stage agreed with its reasoning. Never the predisposing factors,
#: the life-story timeline or the young person's and family's views (history, in the words
#: of the issue; see the module docstring).
FORMULATION_FIELDS = (
    "presenting",
    "precipitating",
    "perpetuating",
    "protective",
    "trm_reasoning",
    "next_review_on",
)


def agency_of(user):
    """The agency a partner works for, or None for anyone else (and for a partner whose
    account has lost its agency: they then reach no one)."""
    if not policy.may(user, "partner.work") or user.agency_id is None:
        return None
    return user.agency


def _young_people_with_work(agency_id: int) -> Q:
    items = InterventionItem.objects.filter(agency_id=agency_id, status__in=OPEN_ITEM_STATUSES)
    actions = AgreedAction.objects.filter(agency_id=agency_id, done_on__isnull=True)
    invitations = MeetingAttendance.objects.filter(agency_id=agency_id).exclude(
        meeting__status=MeetingStatus.CANCELLED
    )
    return (
        Q(pk__in=items.values("young_person_id"))
        | Q(pk__in=actions.values("formulation__meeting__young_person_id"))
        | Q(pk__in=invitations.values("meeting__young_person_id"))
    )


def running_handovers(agency_id: int, today=None) -> QuerySet:
    """The agency's handovers that run today: not ended early, not past their end date, and
    the item still the agency's."""
    today = today or timezone.localdate()
    return ItemHandover.objects.filter(
        agency_id=agency_id, item__agency_id=agency_id, ended_on__isnull=True, until__gte=today
    )


def continues_after_the_order(young_person) -> bool:
    """ECM has ended: the partner reaches the young person only through handed-over items."""
    return young_person.ecm_end_date is not None


def young_people_for_partner(user) -> QuerySet:
    """The young people `user`'s agency works with and may see today (none for anyone who
    is not a partner): on ECM with work for the agency, or after the order with an item
    handed over to it. Current TRM stage joined for the lists."""
    agency = agency_of(user)
    if agency is None:
        return YoungPerson.objects.none()
    handed_over = running_handovers(agency.pk).values("item__young_person_id")
    return (
        YoungPerson.objects.filter(
            (_young_people_with_work(agency.pk) & Q(ecm_end_date__isnull=True))
            | Q(ecm_end_date__isnull=False, pk__in=handed_over),
            in_work(),
        )
        .annotate(
            partner_young_person_consent=latest_consent(
                ConsentParty.YOUNG_PERSON, ConsentPurpose.PARTICIPATION
            ),
            partner_parent_consent=latest_consent(
                ConsentParty.PARENT_CARER, ConsentPurpose.PARTICIPATION
            ),
        )
        .filter(consent_given_filter("partner_young_person_consent", "partner_parent_consent"))
        .select_related("case_summary__current_stage")
        .order_by("family_name", "given_name", "pk")
    )


def current_stage(young_person):
    """The young person's current TRM stage (from the stored case summary), or None."""
    summary = getattr(young_person, "case_summary", None)
    return summary.current_stage if summary is not None else None


def items_for_agency(young_person, agency) -> QuerySet:
    """The young person's plan items the agency is responsible for, in plan order; after the
    order, only those handed over to it and still running (`handed_over_until`, the end of
    the period, is then on each)."""
    items = InterventionItem.objects.filter(young_person=young_person, agency=agency)
    if continues_after_the_order(young_person):
        running = running_handovers(agency.pk).filter(item=OuterRef("pk")).order_by("-until")
        items = items.annotate(handed_over_until=Subquery(running.values("until")[:1])).filter(
            handed_over_until__isnull=False
        )
    return items.select_related("trm_stage").order_by("sequence", "id")


def actions_for_agency(young_person, agency) -> QuerySet:
    """Agreed actions of the young person's formulations given to the agency (none after the
    order: only handed-over plan items continue)."""
    if continues_after_the_order(young_person):
        return AgreedAction.objects.none()
    return (
        AgreedAction.objects.filter(formulation__meeting__young_person=young_person, agency=agency)
        .select_related("formulation__meeting")
        .order_by("done_on", "due_on", "id")
    )


def invitations_for_agency(young_person, agency) -> QuerySet:
    """The agency's invitations to the young person's formulation meetings, newest first,
    with the meeting, its formulation (the page shows only `FORMULATION_FIELDS` and the stage)
    and the agency's answer. None after the order: a handover shares no formulation."""
    if continues_after_the_order(young_person):
        return MeetingAttendance.objects.none()
    return (
        MeetingAttendance.objects.filter(meeting__young_person=young_person, agency=agency)
        .select_related("meeting__formulation__trm_stage", "partner_response__answered_by")
        .order_by("-meeting__held_on", "-pk")
    )


def contacts_for_agency(young_person, agency) -> QuerySet:
    return (
        PartnerContact.objects.filter(young_person=young_person, agency=agency)
        .select_related("purpose_category", "recorded_by")
        .order_by("-contact_on", "-id")
    )


# --- What the YOT sees -----------------------------------------------------------------------

#: Partner contacts and updates the record page's card lists (the timeline has them all).
PANEL_LIMIT = 5


def contacts_of(young_person) -> QuerySet:
    """Every agency's contacts with the young person, newest first (for the YOT)."""
    return (
        PartnerContact.objects.filter(young_person=young_person)
        .select_related("agency", "purpose_category", "recorded_by")
        .order_by("-contact_on", "-id")
    )


def handovers_of(young_person) -> QuerySet:
    """Every plan item of the young person handed over to an agency, running or not, newest
    first (for the YOT's record page)."""
    return (
        ItemHandover.objects.filter(item__young_person=young_person)
        .select_related("item", "agency", "handed_over_by", "ended_by")
        .order_by("-handed_over_at", "-id")
    )


def items_to_hand_over(young_person) -> QuerySet:
    """The plan items the YOT may choose from on the handover form: those still planned or
    active with an agency responsible for them."""
    return (
        InterventionItem.objects.filter(
            young_person=young_person, status__in=OPEN_ITEM_STATUSES, agency__isnull=False
        )
        .select_related("agency")
        .order_by("sequence", "id")
    )


def open_items_without_agency(young_person) -> list[str]:
    """The titles of the open plan items no agency is responsible for: the handover form
    says they cannot go until the plan names one (the service refuses them too)."""
    return list(
        InterventionItem.objects.filter(
            young_person=young_person, status__in=OPEN_ITEM_STATUSES, agency__isnull=True
        )
        .order_by("sequence", "id")
        .values_list("title", flat=True)
    )
