"""The partner agency worker's pages and what the YOT sees of their work (issue 18)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLogEntry
from cases.models import CaseEvent
from formulation.models import InterventionItem
from partners.models import InvitationResponse, PartnerContact
from seed import factories
from tests.conftest import client_for

from .conftest import consent

#: Session, user, roles, agency, the young people (a count for the pages, then one query),
#: the access-log INSERT, and the session's save (an UPDATE between a savepoint and its
#: release).
HOME_BUDGET = 10
#: The same, with the young person (and their stage) in place of the list, then the agency's
#: items, actions, invitations (with their meetings, formulations and answers) and contacts:
#: one query each.
DETAIL_BUDGET = 13


def url(name, **kwargs):
    return reverse(f"partners:{name}", kwargs=kwargs)


def detail_of(young_person):
    return url("youngperson-detail", pk=young_person.pk)


def page(user, address) -> str:
    response = client_for(user).get(address)
    assert response.status_code == 200
    return response.content.decode()


# --- What the partner sees ----------------------------------------------------------------------


def test_the_home_lists_the_agencys_young_people_with_their_stage(
    partner, young_person, education_item
):
    body = page(partner, url("home"))
    assert "Dylan Hughes" in body
    assert str(factories.trm_stage(2)) in body


def test_a_partners_home_address_takes_them_to_their_young_people(partner):
    response = client_for(partner).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == url("home")


def test_the_young_person_page_shows_the_stage_guidance_and_the_agencys_items(
    partner, young_person, education_item, camhs_item
):
    body = page(partner, detail_of(young_person))
    stage = factories.trm_stage(2)
    assert young_person.date_of_birth.strftime("%-d %B %Y") in body
    assert "What helps at this stage" in body
    assert stage.interventions.splitlines()[0] in body
    assert education_item.title in body
    assert camhs_item.title not in body


def test_the_young_person_page_never_shows_offences_consent_notes_or_history(
    partner, young_person, education_item, education
):
    factories.OffenceFactory(young_person=young_person, description="Burglary at the shop")
    factories.ConsentFactory(young_person=young_person, note="Mum worried about school")
    meeting = factories.FormulationMeetingFactory(young_person=young_person)
    factories.MeetingAttendanceFactory(meeting=meeting, agency=education)
    factories.FormulationFactory(
        meeting=meeting,
        presenting="Angry outbursts in class",
        timeline_notes="Father left when he was six",
        family_views="Gran says he is kind",
    )
    body = page(partner, detail_of(young_person))
    assert "Angry outbursts in class" in body  # the formulation's summary of their meeting
    for never in (
        "Burglary at the shop",
        "Mum worried about school",
        "Father left when he was six",
        "Gran says he is kind",
        young_person.reference,
    ):
        assert never not in body


def test_a_meeting_the_agency_was_not_invited_to_is_not_shown(
    partner, young_person, education_item, camhs
):
    meeting = factories.FormulationMeetingFactory(young_person=young_person)
    factories.MeetingAttendanceFactory(meeting=meeting, agency=camhs)
    factories.FormulationFactory(meeting=meeting, presenting="Shared only with CAMHS")
    assert "Shared only with CAMHS" not in page(partner, detail_of(young_person))


def test_a_partner_from_another_agency_gets_404_and_it_is_logged(
    other_partner, young_person, education_item
):
    response = client_for(other_partner).get(detail_of(young_person))
    assert response.status_code == 404
    assert AccessLogEntry.objects.filter(user=other_partner, allowed=False).exists()


def test_another_agencys_item_cannot_be_opened(partner, young_person, education_item, camhs_item):
    response = client_for(partner).get(
        url("interventionitem-update", pk=young_person.pk, item_pk=camhs_item.pk)
    )
    assert response.status_code == 404


def test_yot_staff_are_refused_the_partner_pages(practitioner, young_person, education_item):
    assert client_for(practitioner).get(detail_of(young_person)).status_code == 403


@pytest.mark.parametrize("count", [1, 50])
def test_home_query_count_does_not_grow_with_young_people(
    partner, team_a, education, django_assert_max_num_queries, count
):
    for _number in range(count):
        person = factories.YoungPersonFactory(team=team_a)
        consent(person)
        consent(person, "parent_carer")
        factories.TRMAssessmentFactory(young_person=person)
        factories.InterventionItemFactory(young_person=person, agency=education)
    client = client_for(partner)
    with django_assert_max_num_queries(HOME_BUDGET):
        response = client.get(url("home"))
    assert response.content.decode().count("partners/") >= count


def test_the_home_shows_fifty_young_people_a_page_and_logs_how_many_of_all(
    partner, team_a, education
):
    for number in range(51):
        person = factories.YoungPersonFactory(
            team=team_a, given_name="Person", family_name=f"Number {number:02d}"
        )
        consent(person)
        consent(person, "parent_carer")
        factories.InterventionItemFactory(young_person=person, agency=education)
    client = client_for(partner)

    first = client.get(url("home")).content.decode()
    second = client.get(url("home") + "?page=2").content.decode()

    assert "Person Number 49" in first and "Person Number 50" not in first
    assert "Person Number 50" in second and "Person Number 00" not in second
    assert 'aria-label="Page 2"' in first
    logged = AccessLogEntry.objects.filter(user=partner).order_by("pk")
    assert "young people shown: 50 of 51" in logged[0].detail
    assert "young people shown: 1 of 51" in logged[1].detail


@pytest.mark.parametrize("count", [1, 50])
def test_detail_query_count_does_not_grow_with_the_agencys_work(
    partner, young_person, education, django_assert_max_num_queries, count
):
    purpose = factories.appointment_purpose("ete")
    for number in range(count):
        factories.InterventionItemFactory(young_person=young_person, agency=education)
        meeting = factories.FormulationMeetingFactory(young_person=young_person)
        attendance = factories.MeetingAttendanceFactory(meeting=meeting, agency=education)
        InvitationResponse.objects.create(
            invitation=attendance, answer="accepted", answered_by=partner
        )
        formulation = factories.FormulationFactory(meeting=meeting)
        factories.AgreedActionFactory(formulation=formulation, agency=education)
        PartnerContact.objects.create(
            young_person=young_person,
            agency=education,
            contact_on=timezone.localdate() - timedelta(days=number),
            purpose_category=purpose,
            outcome_code="achieved",
            duration_minutes=30,
            recorded_by=partner,
        )
    client = client_for(partner)
    with django_assert_max_num_queries(DETAIL_BUDGET):
        response = client.get(detail_of(young_person))
    assert response.status_code == 200


# --- What the partner does, and the YOT sees ----------------------------------------------------


def test_a_partner_updates_their_plan_item_and_the_practitioner_sees_it_on_the_record(
    partner, practitioner, young_person, education_item
):
    response = client_for(partner).post(
        url("interventionitem-update", pk=young_person.pk, item_pk=education_item.pk),
        {"status": "active", "version": education_item.version},
        follow=True,
    )
    assert "is now active" in response.content.decode()
    education_item.refresh_from_db()
    assert education_item.status == "active"

    record = page(practitioner, reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk}))
    assert "Education: plan item “Part-time timetable with a mentor” is now active" in record
    timeline = page(
        practitioner, reverse("cases:youngperson-timeline", kwargs={"pk": young_person.pk})
    )
    assert "Part-time timetable with a mentor" in timeline


def test_a_stale_plan_item_form_is_refused_with_the_current_status(
    partner, young_person, education_item
):
    InterventionItem.objects.filter(pk=education_item.pk).update(status="active", version=5)
    response = client_for(partner).post(
        url("interventionitem-update", pk=young_person.pk, item_pk=education_item.pk),
        {"status": "done", "version": 1},
    )
    body = response.content.decode()
    assert "Someone else changed this plan item" in body
    assert "its status is now “Active”" in body
    education_item.refresh_from_db()
    assert education_item.status == "active"


def test_a_partner_cannot_stop_an_item(partner, young_person, education_item):
    response = client_for(partner).post(
        url("interventionitem-update", pk=young_person.pk, item_pk=education_item.pk),
        {"status": "stopped", "version": education_item.version},
    )
    assert "Select one of the options listed" in response.content.decode()
    education_item.refresh_from_db()
    assert education_item.status == "planned"


def test_a_partner_marks_their_agencys_action_done(partner, young_person, education):
    meeting = factories.FormulationMeetingFactory(young_person=young_person)
    action = factories.AgreedActionFactory(
        formulation=factories.FormulationFactory(meeting=meeting),
        agency=education,
        description="Send the timetable to the YOT",
    )
    response = client_for(partner).post(
        url("agreedaction-complete", pk=young_person.pk, action_pk=action.pk),
        {"done_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()
    assert action.done_by == partner
    assert CaseEvent.objects.filter(
        young_person=young_person, action="partner.action_done"
    ).exists()


def test_a_partner_records_a_contact_the_practitioner_sees_on_the_record(
    partner, practitioner, young_person, education_item
):
    purpose = factories.appointment_purpose("ete")
    response = client_for(partner).post(
        url("partnercontact-create", pk=young_person.pk),
        {
            "contact_on": timezone.localdate().isoformat(),
            "purpose_category": purpose.pk,
            "purpose": "Timetable review",
            "duration_minutes": "45",
            "outcome_code": "partly_achieved",
            "outcome": "Agreed two mornings a week",
        },
    )
    assert response.status_code == 302
    contact = PartnerContact.objects.get()
    assert (contact.agency.code, contact.recorded_by) == ("education", partner)
    record = page(practitioner, reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk}))
    assert "Timetable review" in record
    assert "Agreed two mornings a week" in record


def test_a_contact_in_the_future_or_without_a_duration_is_refused_clearly(
    partner, young_person, education_item
):
    purpose = factories.appointment_purpose("ete")
    response = client_for(partner).post(
        url("partnercontact-create", pk=young_person.pk),
        {
            "contact_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
            "purpose_category": purpose.pk,
            "duration_minutes": "",
            "outcome_code": "achieved",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter how long the contact lasted, in minutes" in body
    assert PartnerContact.objects.count() == 0

    response = client_for(partner).post(
        url("partnercontact-create", pk=young_person.pk),
        {
            "contact_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
            "purpose_category": purpose.pk,
            "duration_minutes": "30",
            "outcome_code": "achieved",
        },
    )
    assert "Date of the contact must be today or in the past" in response.content.decode()
    assert PartnerContact.objects.count() == 0


def test_a_partner_accepts_an_invitation_and_can_change_their_answer(
    partner, practitioner, young_person, education
):
    meeting = factories.FormulationMeetingFactory(
        young_person=young_person,
        status="scheduled",
        held_on=timezone.localdate() + timedelta(days=7),
    )
    invitation = factories.MeetingAttendanceFactory(
        meeting=meeting, agency=education, attended=None
    )
    address = url("invitation-answer", pk=young_person.pk, invitation_pk=invitation.pk)
    client = client_for(partner)
    client.post(address, {"answer": "accepted", "note": "Mrs Jones will come"})
    client.post(address, {"answer": "declined", "note": "Exams that week"})

    response = InvitationResponse.objects.get()
    assert (response.answer, response.note) == ("declined", "Exams that week")
    record = page(practitioner, reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk}))
    assert "Education: meeting invitation declined" in record


def test_a_held_meetings_invitation_can_no_longer_be_answered(
    partner, young_person, education_item, education
):
    meeting = factories.FormulationMeetingFactory(young_person=young_person, status="held")
    invitation = factories.MeetingAttendanceFactory(meeting=meeting, agency=education)
    response = client_for(partner).post(
        url("invitation-answer", pk=young_person.pk, invitation_pk=invitation.pk),
        {"answer": "accepted"},
    )
    assert "can no longer be answered" in response.content.decode()
    assert not InvitationResponse.objects.exists()


def test_the_formulation_summary_never_shows_the_predisposing_factors(
    partner, young_person, education_item, education
):
    # The young person's background is their history, which the issue never shares with a
    # partner (partners.selectors, FORMULATION_FIELDS).
    meeting = factories.FormulationMeetingFactory(young_person=young_person)
    factories.MeetingAttendanceFactory(meeting=meeting, agency=education)
    factories.FormulationFactory(
        meeting=meeting,
        presenting="Refuses to go into lessons",
        predisposing="Witnessed domestic abuse before the age of five",
        precipitating="Moved school in the autumn",
    )
    body = page(partner, detail_of(young_person))
    assert "Refuses to go into lessons" in body
    assert "Moved school in the autumn" in body
    assert "Witnessed domestic abuse before the age of five" not in body
    assert "Predisposing factors" not in body
