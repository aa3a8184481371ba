"""Permission-matrix rows for the partner agency worker's pages (partners/urls.py, issue 18).

The "own" young person is one the partner's agency (education) works with: a plan item, an
agreed action and a meeting invitation given to it, and participation consent given by the
young person and their parent or carer. The "other" young person has the same work given to
another agency (CAMHS) only, so for the partner they are outside scope: 404, as for anyone
who does not exist. Everyone who is not a partner gets 403 on every partner page.
"""

from seed import factories

from .matrix import FORBIDDEN, NOT_FOUND, OK, Row, only, signed_in

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


ROWS = [
    Row("partners:home", PARTNER, kwargs=_work_only, shows_young_people=True),
    _row("partners:youngperson-detail", _kwargs()),
    _row("partners:interventionitem-update", _kwargs("item", "item_pk")),
    _row("partners:agreedaction-complete", _kwargs("action", "action_pk")),
    _row("partners:partnercontact-create", _kwargs()),
    _row("partners:invitation-answer", _kwargs("invitation", "invitation_pk")),
]
