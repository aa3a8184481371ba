"""Permission-matrix rows for the partner agency worker's pages (partners/urls.py, issue 18).

The "own" young person is one the partner's agency (education) works with: a plan item, an
agreed action and a meeting invitation given to it, and participation consent given by the
young person and their parent or carer. The "other" young person has the same work given to
another agency (CAMHS) only, so for the partner they are outside scope: 404, as for anyone
who does not exist. Everyone who is not a partner gets 403 on every partner page. Posting
an empty form: the partner of the agency involved gets the form back with its errors (they
passed the scope check), another agency's partner 404, everyone else 403.

Continuity after the order: the own/other case's ECM has ended and one plan item is handed
over to education (own) or CAMHS (other). The partner reaches the own case's handed-over item
only. The YOT's handover pages are like every page that acts on a case: the practitioner and
manager of the team, 403 for the team's psychologist, 404 for anyone else (another team's
manager, both partners, evaluators, administrators).
"""

from datetime import timedelta

from django.utils import timezone

from partners import services
from seed import factories

from .matrix import FORBIDDEN, NOT_FOUND, OK, Row, case_kwargs, only, signed_in

#: The partner from the agency involved; any other role is refused.
PARTNER = only(OK, ("partner",))
#: The same page about a young person only another agency works with.
OTHER_AGENCY = signed_in(FORBIDDEN, partner=NOT_FOUND)


def partner_work(world, own: bool) -> dict:
    """Give the partner's agency (own) or another agency (other) work with the own/other case;
    made once per test world."""
    key = f"partner_work_{'own' if own else 'other'}"
    if key not in world:
        young_person = world["own_case" if own else "other_case"]
        agency = (
            world["users"]["partner"].agency
            if own
            else factories.AgencyFactory(code="camhs", name="CAMHS")
        )
        factories.ConsentFactory(young_person=young_person, party="parent_carer")
        meeting = factories.FormulationMeetingFactory(young_person=young_person)
        formulation = factories.FormulationFactory(meeting=meeting)
        scheduled = factories.FormulationMeetingFactory(
            young_person=young_person, status="scheduled", kind="review"
        )
        world[key] = {
            "young_person": young_person,
            "item": factories.InterventionItemFactory(young_person=young_person, agency=agency),
            "action": factories.AgreedActionFactory(formulation=formulation, agency=agency),
            "invitation": factories.MeetingAttendanceFactory(
                meeting=scheduled, agency=agency, attended=None
            ),
        }
    return world[key]


def _kwargs(record: str = "", pk_name: str = ""):
    def build(world, own: bool) -> dict:
        work = partner_work(world, own)
        kwargs = {"pk": work["young_person"].pk}
        if record:
            kwargs[pk_name] = work[record].pk
        return kwargs

    return build


def _work_only(world, own: bool) -> dict:
    partner_work(world, own)  # the home page then lists the own young person
    return {}


def _row(url_name: str, kwargs) -> Row:
    return Row(url_name, PARTNER, other_team=OTHER_AGENCY, kwargs=kwargs, shows_young_people=True)


def _post_row(url_name: str, kwargs) -> Row:
    return Row(url_name, PARTNER, other_team=OTHER_AGENCY, kwargs=kwargs, method="post")


def handed_over(world, own: bool) -> dict:
    """End ECM for the own/other case and hand one plan item over to the partner's agency
    (own) or CAMHS (other); made once per test world."""
    key = f"handed_over_{'own' if own else 'other'}"
    if key not in world:
        young_person = world["own_case" if own else "other_case"]
        agency = (
            world["users"]["partner"].agency
            if own
            else factories.AgencyFactory(code="camhs", name="CAMHS")
        )
        factories.ConsentFactory(young_person=young_person, party="parent_carer")
        young_person.ecm_start_date = young_person.referral_date
        young_person.ecm_end_date = timezone.localdate()
        young_person.end_reason = "completed"
        young_person.save()
        item = factories.InterventionItemFactory(young_person=young_person, agency=agency)
        (handover,) = services.items_hand_over(
            by=young_person.practitioner,
            young_person=young_person,
            items=[item],
            reason="Continues after the order",
            until=timezone.localdate() + timedelta(days=30),
        )
        world[key] = {"young_person": young_person, "item": item, "handover": handover}
    return world[key]


def _after_the_order(record: str = "", pk_name: str = ""):
    def build(world, own: bool) -> dict:
        work = handed_over(world, own)
        kwargs = {"pk": work["young_person"].pk}
        if record:
            kwargs[pk_name] = work[record].pk
        return kwargs

    return build


def _ended_case(world, own: bool) -> dict:
    handed_over(world, own)
    return case_kwargs(world, own)


#: The YOT's handover pages: the team's practitioner and manager.
HANDING_OVER = signed_in(NOT_FOUND, practitioner=OK, manager=OK, psychologist=FORBIDDEN)
ANOTHER_TEAM = signed_in(NOT_FOUND)


ROWS = [
    Row("partners:home", PARTNER, kwargs=_work_only, shows_young_people=True),
    _row("partners:youngperson-detail", _kwargs()),
    _row("partners:interventionitem-update", _kwargs("item", "item_pk")),
    _row("partners:agreedaction-complete", _kwargs("action", "action_pk")),
    _row("partners:partnercontact-create", _kwargs()),
    _row("partners:invitation-answer", _kwargs("invitation", "invitation_pk")),
    _post_row("partners:interventionitem-update", _kwargs("item", "item_pk")),
    _post_row("partners:agreedaction-complete", _kwargs("action", "action_pk")),
    _post_row("partners:partnercontact-create", _kwargs()),
    _post_row("partners:invitation-answer", _kwargs("invitation", "invitation_pk")),
    # After the order: the handed-over item only.
    _row("partners:youngperson-detail", _after_the_order()),
    _row("partners:interventionitem-update", _after_the_order("item", "item_pk")),
    _post_row("partners:interventionitem-update", _after_the_order("item", "item_pk")),
    _post_row("partners:partnercontact-create", _after_the_order()),
    # The YOT's pages.
    Row(
        "partners:itemhandover-create",
        HANDING_OVER,
        other_team=ANOTHER_TEAM,
        kwargs=_ended_case,
        shows_young_people=True,
    ),
    Row(
        "partners:itemhandover-create",
        HANDING_OVER,
        other_team=ANOTHER_TEAM,
        kwargs=_ended_case,
        method="post",
    ),
    Row(
        "partners:itemhandover-end",
        HANDING_OVER,
        other_team=ANOTHER_TEAM,
        kwargs=_after_the_order("handover", "handover_pk"),
        shows_young_people=True,
    ),
    Row(
        "partners:itemhandover-end",
        HANDING_OVER,
        other_team=ANOTHER_TEAM,
        kwargs=_after_the_order("handover", "handover_pk"),
        method="post",
    ),
]
