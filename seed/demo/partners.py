"""Partner agencies' work in the demonstration (issue 18): the accounts ``partner-education``
and ``partner-camhs`` find young people with plan items given to their agency, and a contact
or two already recorded.

Plan items that an agency delivers in the demo's plans (`vocabulary.PLAN`) are given to that
agency; each partner then records a contact with the first few young people they may see,
through the same service a partner's form uses. Idempotent: an agency that has recorded a
contact is left as it is.

Continuity after the order: one young person whose ECM has ended (and who, with their parent
or carer where needed, still consents to taking part) has a plan item handed over to
education by their practitioner, through the service the YOT's form uses, so
``partner-education`` sees them after the order with that item only.
"""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Agency, User
from cases import summary
from cases.models import AppointmentPurpose, ConsentParty, ConsentPurpose, YoungPerson
from cases.rules import consent_given_filter, latest_consent
from formulation.models import InterventionItem
from partners import selectors, services
from partners.models import ItemHandover, PartnerContact
from seed.demo.young_people import DEMO_REFERENCE_PREFIX

#: Plan item title (from the demo's plans) → the agency that delivers it.
DELIVERED_BY = {
    "Emotional regulation work: noticing anger early": "health",
    "College taster days and an application": "education",
}
#: Partner account → (purpose code, purpose detail, outcome note) of the contacts it records.
CONTACTS = {
    "partner-education": (
        "ete",
        "Timetable review with the head of year",
        "Agreed a part-time timetable for the next half term.",
    ),
    "partner-camhs": (
        "health",
        "Assessment appointment",
        "Attended with a parent; a second appointment is booked.",
    ),
}
#: How many young people each partner has recorded a contact with.
CONTACTED = 3


def seed_partner_work() -> int:
    """Give the delivering agencies their plan items and record the partners' contacts;
    returns how many contacts were added."""
    for title, code in DELIVERED_BY.items():
        items = InterventionItem.objects.filter(
            young_person__reference__startswith=DEMO_REFERENCE_PREFIX,
            title=title,
            agency__isnull=True,
        )
        people = list(items.values_list("young_person_id", flat=True))
        items.update(agency=Agency.objects.get(code=code))
        summary.refresh(people)  # an update sends no signals
    today = timezone.localdate()
    added = 0
    for username, (purpose_code, detail, note) in CONTACTS.items():
        partner = User.objects.filter(username=username).first()
        if partner is None or PartnerContact.objects.filter(agency=partner.agency).exists():
            continue
        purpose = AppointmentPurpose.objects.get(code=purpose_code)
        for number, young_person in enumerate(
            selectors.young_people_for_partner(partner)[:CONTACTED]
        ):
            services.partner_contact_record(
                by=partner,
                young_person=young_person,
                contact_on=today - timedelta(days=2 + 5 * number),
                purpose_category=purpose,
                purpose=detail,
                outcome_code="partly_achieved" if number % 2 else "achieved",
                outcome=note,
                duration_minutes=45,
            )
            added += 1
    handover = seed_handover(today)
    if handover is not None:
        added += _seed_work_after_the_order(handover, today)
    return added


def _seed_work_after_the_order(handover: ItemHandover, today) -> int:
    """Education's contact with the young person after their order ended (so the measure
    of agencies active after ECM shows one), and one of its plan items marked done by its
    partner; returns the contacts added (0 or 1)."""
    partner = User.objects.filter(username="partner-education").first()
    if partner is None:
        return 0
    young_person = handover.item.young_person
    contact_on = min(today, young_person.ecm_end_date + timedelta(days=14))
    if contact_on <= young_person.ecm_end_date:
        return 0
    services.partner_contact_record(
        by=partner,
        young_person=young_person,
        contact_on=contact_on,
        purpose_category=AppointmentPurpose.objects.get(code="ete"),
        purpose="Mentoring session at college",
        outcome_code="achieved",
        outcome="Attended; he has kept to his timetable since the order ended.",
        duration_minutes=60,
    )
    done = (
        InterventionItem.objects.filter(
            agency=partner.agency,
            young_person__in=selectors.young_people_for_partner(partner),
            status__in=selectors.OPEN_ITEM_STATUSES,
        )
        .exclude(pk=handover.item_id)
        .order_by("pk")
        .first()
    )
    if done is not None:
        services.partner_item_update(by=partner, item=done, status="done", version=done.version)
    return 1


#: The plan item the demo hands over to education after the order, and why.
HANDOVER_TITLE = "Mentoring at college, continued after the order"
HANDOVER_REASON = (
    "ECM has ended; the college mentor keeps meeting him weekly until the end of the "
    "academic year and will tell the YOT if things change."
)


def seed_handover(today) -> ItemHandover | None:
    """Hand one plan item of a young person whose ECM has ended over to education."""
    education = Agency.objects.filter(code="education").first()
    if education is None or ItemHandover.objects.filter(agency=education).exists():
        return None
    young_person = (
        YoungPerson.objects.filter(
            reference__startswith=DEMO_REFERENCE_PREFIX,
            ecm_end_date__isnull=False,
            archived_at__isnull=True,
            practitioner__isnull=False,
        )
        .annotate(
            demo_young_person_consent=latest_consent(
                ConsentParty.YOUNG_PERSON, ConsentPurpose.PARTICIPATION
            ),
            demo_parent_consent=latest_consent(
                ConsentParty.PARENT_CARER, ConsentPurpose.PARTICIPATION
            ),
        )
        .filter(consent_given_filter("demo_young_person_consent", "demo_parent_consent"))
        .order_by("reference")
        .first()
    )
    if young_person is None:
        return None
    stage = InterventionItem.objects.filter(young_person=young_person).values("trm_stage").first()
    item = InterventionItem.objects.create(
        young_person=young_person,
        title=HANDOVER_TITLE,
        trm_stage_id=stage["trm_stage"] if stage else selectors.current_stage(young_person).pk,
        agency=education,
        responsible_person="College mentor",
        status="active",
        sequence=99,
    )
    (handover,) = services.items_hand_over(
        by=young_person.practitioner,
        young_person=young_person,
        items=[item],
        reason=HANDOVER_REASON,
        until=services.handover_default_until(today),
    )
    return handover
