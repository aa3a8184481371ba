"""Which young people a partner agency worker reaches (partners.selectors, issue 18)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cases.services import consent_record
from partners.selectors import young_people_for_partner
from seed import factories
from tests.conftest import client_for

from .conftest import consent


def visible(user):
    return set(young_people_for_partner(user))


def test_an_open_plan_item_for_the_agency_brings_the_young_person_in(
    partner, young_person, education_item
):
    assert visible(partner) == {young_person}


def test_an_open_agreed_action_for_the_agency_brings_the_young_person_in(
    partner, young_person, education
):
    meeting = factories.FormulationMeetingFactory(young_person=young_person)
    factories.AgreedActionFactory(
        formulation=factories.FormulationFactory(meeting=meeting), agency=education
    )
    assert visible(partner) == {young_person}


def test_an_invitation_to_a_meeting_brings_the_young_person_in(partner, young_person, education):
    meeting = factories.FormulationMeetingFactory(young_person=young_person, status="scheduled")
    factories.MeetingAttendanceFactory(meeting=meeting, agency=education, attended=None)
    assert visible(partner) == {young_person}


def test_another_agencys_work_does_not_bring_the_young_person_in(
    partner, other_partner, young_person, camhs_item
):
    assert visible(partner) == set()
    assert visible(other_partner) == {young_person}


def test_done_items_done_actions_and_cancelled_meetings_give_no_access(
    partner, young_person, education
):
    factories.InterventionItemFactory(young_person=young_person, agency=education, status="done")
    meeting = factories.FormulationMeetingFactory(young_person=young_person)
    factories.AgreedActionFactory(
        formulation=factories.FormulationFactory(meeting=meeting),
        agency=education,
        done_on=timezone.localdate(),
    )
    cancelled = factories.FormulationMeetingFactory(young_person=young_person, status="cancelled")
    factories.MeetingAttendanceFactory(meeting=cancelled, agency=education)
    assert visible(partner) == set()


def test_without_the_parent_or_carers_consent_where_required_there_is_no_access(
    partner, team_a, education
):
    person = factories.YoungPersonFactory(team=team_a, parent_consent_required=True)
    consent(person)
    factories.InterventionItemFactory(young_person=person, agency=education)
    assert visible(partner) == set()


def test_the_young_persons_consent_is_enough_when_no_parent_consent_is_required(
    partner, team_a, education
):
    person = factories.YoungPersonFactory(team=team_a, parent_consent_required=False)
    consent(person)
    factories.InterventionItemFactory(young_person=person, agency=education)
    assert visible(partner) == {person}


def test_no_access_once_ecm_has_ended(partner, young_person, education_item):
    young_person.ecm_start_date = young_person.referral_date
    young_person.ecm_end_date = timezone.localdate()
    young_person.end_reason = "completed"
    young_person.save()
    assert visible(partner) == set()


def test_yot_roles_reach_no_one_through_the_partner_selector(
    practitioner, manager, evaluator, young_person, education_item
):
    for user in (practitioner, manager, evaluator):
        assert visible(user) == set()


def test_a_partner_without_an_agency_reaches_no_one(partner, young_person, education_item):
    partner.agency = None
    partner.save()
    assert visible(partner) == set()


def test_a_consent_withdrawal_removes_the_partners_access_at_once(
    partner, practitioner, young_person, education_item
):
    client = client_for(partner)
    detail = reverse("partners:youngperson-detail", kwargs={"pk": young_person.pk})
    assert client.get(detail).status_code == 200
    assert "Dylan Hughes" in client.get(reverse("partners:home")).content.decode()

    consent_record(
        by=practitioner,
        young_person=young_person,
        party="young_person",
        purpose="participation",
        decision="withdrawn",
        decided_on=timezone.localdate(),
        note="Does not want to go on",
        reason=factories.disengagement_reason(),
    )

    assert client.get(detail).status_code == 404
    assert "Dylan Hughes" not in client.get(reverse("partners:home")).content.decode()


def test_consent_given_again_restores_access(partner, practitioner, young_person, education_item):
    yesterday = timezone.localdate() - timedelta(days=1)
    factories.ConsentFactory(young_person=young_person, decision="withdrawn", decided_on=yesterday)
    assert visible(partner) == set()
    factories.ConsentFactory(
        young_person=young_person, decision="given", decided_on=timezone.localdate()
    )
    assert visible(partner) == {young_person}


def _accepted_invitation(partner, young_person, education):
    meeting = factories.FormulationMeetingFactory(
        young_person=young_person,
        status="scheduled",
        held_on=timezone.localdate() + timedelta(days=7),
    )
    invitation = factories.MeetingAttendanceFactory(
        meeting=meeting, agency=education, attended=None
    )
    response = client_for(partner).post(
        reverse(
            "partners:invitation-answer",
            kwargs={"pk": young_person.pk, "invitation_pk": invitation.pk},
        ),
        {"answer": "accepted"},
    )
    assert response.status_code == 302
    return meeting


def test_an_accepted_invitation_to_a_meeting_then_cancelled_gives_no_access(
    partner, young_person, education
):
    meeting = _accepted_invitation(partner, young_person, education)
    client = client_for(partner)
    detail = reverse("partners:youngperson-detail", kwargs={"pk": young_person.pk})
    assert client.get(detail).status_code == 200

    meeting.status = "cancelled"
    meeting.save()

    assert client.get(detail).status_code == 404
    assert "Dylan Hughes" not in client.get(reverse("partners:home")).content.decode()


def test_a_cancelled_meeting_leaves_access_through_other_open_work(
    partner, young_person, education, education_item
):
    meeting = _accepted_invitation(partner, young_person, education)
    meeting.status = "cancelled"
    meeting.save()
    assert visible(partner) == {young_person}


def test_an_anonymised_young_person_is_out_of_reach_though_work_stays_open(
    partner, young_person, education_item
):
    from governance.anonymise import anonymise_young_people

    anonymise_young_people([young_person.pk])
    assert visible(partner) == set()
    response = client_for(partner).get(
        reverse("partners:youngperson-detail", args=[young_person.pk])
    )
    assert response.status_code in (404, 410)
