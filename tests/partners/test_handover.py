"""Continuity after the order (issue 18): the YOT hands named plan items over to the agency
responsible for them once ECM has ended; the agency keeps access to exactly those items for
the period, while consent is given."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.access_log import entries_about
from accounts.models import Role
from cases.services import consent_record
from formulation.models import InterventionItem
from partners import services
from partners.models import ItemHandover
from seed import factories
from tests.conftest import client_for, user_with_role

from .conftest import consent

#: The partner's page of a young person after the order: session, user, roles, agency, the
#: young person, the handed-over items, the contacts, the access-log INSERT and the session.
AFTER_THE_ORDER_DETAIL_BUDGET = 11
#: The YOT's handover form: session, user, roles, the young person, the access-log INSERT,
#: the open items with their agencies (one query), the titles of those without one, and the
#: session's save.
HANDOVER_FORM_BUDGET = 10


def today():
    return timezone.localdate()


def end_ecm(young_person):
    young_person.ecm_start_date = young_person.referral_date
    young_person.ecm_end_date = today()
    young_person.end_reason = "completed"
    young_person.save()
    return young_person


def hand_over(by, item, *, until=None, reason="Mentoring continues at school"):
    return services.items_hand_over(
        by=by,
        young_person=item.young_person,
        items=[item],
        reason=reason,
        until=until or today() + timedelta(days=90),
    )[0]


def create_url(young_person):
    return reverse("partners:itemhandover-create", kwargs={"pk": young_person.pk})


def partner_detail(young_person):
    return reverse("partners:youngperson-detail", kwargs={"pk": young_person.pk})


def item_url(item):
    return reverse(
        "partners:interventionitem-update", kwargs={"pk": item.young_person_id, "item_pk": item.pk}
    )


def record(young_person):
    return reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk})


def page(user, address) -> str:
    response = client_for(user).get(address)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def ended(young_person):
    return end_ecm(young_person)


@pytest.fixture
def handover(practitioner, ended, education_item):
    return hand_over(practitioner, education_item)


# --- The YOT hands over ------------------------------------------------------------------------


def test_the_practitioner_hands_an_item_over_and_sees_it_on_the_record_and_timeline(
    practitioner, ended, education_item
):
    until = today() + timedelta(days=120)
    response = client_for(practitioner).post(
        create_url(ended),
        {
            "items": [education_item.pk],
            "reason": "School mentoring continues after the order",
            "until": until.isoformat(),
        },
        follow=True,
    )
    body = response.content.decode()
    assert "Handed over until" in body
    handover = ItemHandover.objects.get()
    assert (handover.item, handover.agency.code, handover.until) == (
        education_item,
        "education",
        until,
    )
    assert handover.handed_over_by == practitioner
    card = page(practitioner, record(ended))
    assert "Handed over after the order" in card
    assert "School mentoring continues after the order" in card
    timeline = page(practitioner, reverse("cases:youngperson-timeline", kwargs={"pk": ended.pk}))
    assert "Plan item “Part-time timetable with a mentor” handed over to Education until" in (
        timeline
    )


def test_the_form_offers_six_months_by_default(practitioner, ended, education_item):
    body = page(practitioner, create_url(ended))
    assert services.handover_default_until(today()).isoformat() in body
    assert "Part-time timetable with a mentor (Education)" in body


def test_the_team_manager_may_hand_over(manager, ended, education_item):
    response = client_for(manager).post(
        create_url(ended),
        {"items": [education_item.pk], "reason": "Continues", "until": ""},
    )
    assert "Enter the date the handover ends" in response.content.decode()
    hand_over(manager, education_item)
    assert ItemHandover.objects.filter(handed_over_by=manager).exists()


def test_a_manager_of_another_team_gets_404(team_b, ended, education_item):
    other_manager = user_with_role(Role.MANAGER, team_b, username="olwen")
    assert client_for(other_manager).get(create_url(ended)).status_code == 404
    response = client_for(other_manager).post(
        create_url(ended),
        {"items": [education_item.pk], "reason": "x", "until": today().isoformat()},
    )
    assert response.status_code == 404
    assert not ItemHandover.objects.exists()


def test_a_handover_needs_a_reason_and_keeps_what_was_typed(practitioner, ended, education_item):
    until = today() + timedelta(days=30)
    response = client_for(practitioner).post(
        create_url(ended), {"items": [education_item.pk], "reason": " ", "until": until.isoformat()}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter why the plan items are handed over" in body
    assert until.isoformat() in body
    assert "checked" in body.split(f'value="{education_item.pk}"')[1][:40]
    assert not ItemHandover.objects.exists()


def test_a_handover_cannot_end_in_the_past(practitioner, ended, education_item):
    response = client_for(practitioner).post(
        create_url(ended),
        {
            "items": [education_item.pk],
            "reason": "Keeps the reason typed",
            "until": (today() - timedelta(days=1)).isoformat(),
        },
    )
    body = response.content.decode()
    assert "The handover cannot end in the past" in body
    assert "Keeps the reason typed" in body
    assert not ItemHandover.objects.exists()


def test_a_handover_runs_for_12_months_at_most(practitioner, ended, education_item):
    response = client_for(practitioner).post(
        create_url(ended),
        {
            "items": [education_item.pk],
            "reason": "Long",
            "until": (today() + timedelta(days=400)).isoformat(),
        },
    )
    assert "A handover can run for 12 months at most" in response.content.decode()
    assert not ItemHandover.objects.exists()


def test_an_item_without_an_agency_is_not_offered_and_the_form_says_why(
    practitioner, ended, education
):
    factories.InterventionItemFactory(young_person=ended, agency=None, title="Boxing club")
    factories.InterventionItemFactory(young_person=ended, agency=education, title="College")
    body = client_for(practitioner).get(create_url(ended)).content.decode()
    offered = body.split('id="items-without-agency"', 1)[1]
    assert "cannot be handed over. Name the agency on the plan first" in offered
    assert "Boxing club" in offered.split("</ul>", 1)[0]
    assert "Boxing club (no responsible agency)" not in body
    assert "College (Education)" in body


def test_an_item_without_an_agency_cannot_be_handed_over(practitioner, ended):
    item = factories.InterventionItemFactory(young_person=ended, agency=None, title="Boxing club")
    response = client_for(practitioner).post(
        create_url(ended),
        {"items": [item.pk], "reason": "Continues", "until": today().isoformat()},
    )
    body = response.content.decode()
    assert "Select plan items from the list" in body
    assert not ItemHandover.objects.exists()


def test_the_service_refuses_an_item_without_an_agency_by_name(practitioner, ended):
    from django.core.exceptions import ValidationError

    from partners import services

    item = factories.InterventionItemFactory(young_person=ended, agency=None, title="Boxing club")
    with pytest.raises(ValidationError) as refused:
        services.items_hand_over(
            by=practitioner, young_person=ended, items=[item], reason="Continues", until=today()
        )
    assert "“Boxing club” is not given to an agency" in str(refused.value)
    assert not ItemHandover.objects.exists()


def test_nothing_is_handed_over_before_ecm_ends(practitioner, young_person, education_item):
    response = client_for(practitioner).post(
        create_url(young_person),
        {"items": [education_item.pk], "reason": "Continues", "until": today().isoformat()},
    )
    assert "Record the ECM end date first" in response.content.decode()
    assert not ItemHandover.objects.exists()


def test_an_item_already_handed_over_is_not_handed_over_twice(practitioner, handover):
    response = client_for(practitioner).post(
        create_url(handover.item.young_person),
        {"items": [handover.item.pk], "reason": "Again", "until": today().isoformat()},
    )
    assert "is already handed over" in response.content.decode()
    assert ItemHandover.objects.count() == 1


def test_a_psychologist_reads_the_record_but_may_not_hand_over(psychologist, ended, education_item):
    assert client_for(psychologist).get(create_url(ended)).status_code == 403


# --- What the partner then reaches -------------------------------------------------------------


def test_the_partner_sees_the_handed_over_item_only(
    partner, handover, ended, education, camhs_item
):
    other_education_item = factories.InterventionItemFactory(
        young_person=ended, agency=education, title="Homework club"
    )
    meeting = factories.FormulationMeetingFactory(young_person=ended)
    factories.MeetingAttendanceFactory(meeting=meeting, agency=education)
    formulation = factories.FormulationFactory(meeting=meeting, presenting="Angry in class")
    factories.AgreedActionFactory(
        formulation=formulation, agency=education, description="Call the head of year"
    )
    assert "Dylan Hughes" in page(partner, reverse("partners:home"))
    body = page(partner, partner_detail(ended))
    assert "Part-time timetable with a mentor" in body
    assert handover.until.strftime("%-d %B %Y") in body
    for never in (
        other_education_item.title,
        camhs_item.title,
        "Angry in class",
        "Call the head of year",
        "What helps at this stage",
        str(factories.trm_stage(2)),
    ):
        assert never not in body


def test_the_partner_updates_the_handed_over_item_and_records_a_contact(
    partner, practitioner, handover, ended
):
    item = handover.item
    response = client_for(partner).post(
        item_url(item), {"status": "active", "version": item.version}, follow=True
    )
    assert "is now active" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "active"
    response = client_for(partner).post(
        reverse("partners:partnercontact-create", kwargs={"pk": ended.pk}),
        {
            "contact_on": today().isoformat(),
            "purpose_category": factories.appointment_purpose("ete").pk,
            "duration_minutes": "30",
            "outcome_code": "achieved",
            "outcome": "Mentor sessions going well",
        },
    )
    assert response.status_code == 302
    assert "Mentor sessions going well" in page(practitioner, record(ended))


def test_an_item_not_handed_over_cannot_be_opened_after_the_order(
    partner, handover, ended, education
):
    other = factories.InterventionItemFactory(young_person=ended, agency=education)
    assert client_for(partner).get(item_url(other)).status_code == 404
    response = client_for(partner).post(item_url(other), {"status": "done", "version": 1})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "planned"


def test_another_agencys_partner_gets_404(other_partner, handover, ended):
    assert client_for(other_partner).get(partner_detail(ended)).status_code == 404
    assert client_for(other_partner).get(item_url(handover.item)).status_code == 404


def test_the_end_of_the_period_removes_access(partner, handover, ended):
    client = client_for(partner)
    assert client.get(partner_detail(ended)).status_code == 200
    ItemHandover.objects.filter(pk=handover.pk).update(until=today() - timedelta(days=1))
    assert client.get(partner_detail(ended)).status_code == 404
    assert client.get(item_url(handover.item)).status_code == 404
    assert "Dylan Hughes" not in client.get(reverse("partners:home")).content.decode()


def test_a_consent_withdrawal_removes_access_after_the_order(
    partner, practitioner, handover, ended
):
    client = client_for(partner)
    assert client.get(partner_detail(ended)).status_code == 200
    consent_record(
        by=practitioner,
        young_person=ended,
        party="young_person",
        purpose="participation",
        decision="withdrawn",
        decided_on=today(),
        note="Wants to stop",
        reason=factories.disengagement_reason(),
    )
    assert client.get(partner_detail(ended)).status_code == 404
    response = client.post(item_url(handover.item), {"status": "done", "version": 1})
    assert response.status_code == 404
    assert "Dylan Hughes" not in client.get(reverse("partners:home")).content.decode()


def test_ending_early_removes_access_at_once_and_keeps_the_history(
    partner, practitioner, handover, ended
):
    end_url = reverse(
        "partners:itemhandover-end", kwargs={"pk": ended.pk, "handover_pk": handover.pk}
    )
    response = client_for(practitioner).post(end_url, {"end_reason": ""})
    assert "Enter why the handover ends early" in response.content.decode()

    response = client_for(practitioner).post(
        end_url, {"end_reason": "Moved out of the area"}, follow=True
    )
    assert "has ended" in response.content.decode()
    assert client_for(partner).get(partner_detail(ended)).status_code == 404
    handover.refresh_from_db()
    assert (handover.ended_on, handover.ended_by) == (today(), practitioner)
    assert handover.history.count() == 2
    card = page(practitioner, record(ended))
    assert "Ended early on" in card
    assert "Moved out of the area" in card
    # An ended handover cannot be ended again.
    assert client_for(practitioner).get(end_url).status_code == 404


def test_the_partners_views_after_the_order_are_logged(partner, handover, ended):
    client = client_for(partner)
    client.get(partner_detail(ended))
    client.get(item_url(handover.item))
    actions = set(
        entries_about(ended).filter(user=partner, allowed=True).values_list("action", flat=True)
    )
    assert {"partner.youngperson.view", "partner.item.view"} <= actions


# --- Query budgets -----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 50])
def test_partner_detail_after_the_order_query_budget(
    partner, practitioner, ended, education, django_assert_max_num_queries, count
):
    items = [
        factories.InterventionItemFactory(young_person=ended, agency=education)
        for _number in range(count)
    ]
    services.items_hand_over(
        by=practitioner,
        young_person=ended,
        items=items,
        reason="Continues",
        until=today() + timedelta(days=30),
    )
    client = client_for(partner)
    with django_assert_max_num_queries(AFTER_THE_ORDER_DETAIL_BUDGET):
        response = client.get(partner_detail(ended))
    assert response.content.decode().count("Update the status") == count


@pytest.mark.parametrize("count", [1, 50])
def test_handover_form_query_budget(
    practitioner, ended, education, django_assert_max_num_queries, count
):
    for _number in range(count):
        factories.InterventionItemFactory(young_person=ended, agency=education)
    client = client_for(practitioner)
    with django_assert_max_num_queries(HANDOVER_FORM_BUDGET):
        response = client.get(create_url(ended))
    assert response.content.decode().count("(Education)") == count


@pytest.mark.parametrize("count", [1, 50])
def test_partner_home_with_young_people_after_the_order_query_budget(
    partner, practitioner, team_a, education, django_assert_max_num_queries, count
):
    from .test_pages import HOME_BUDGET

    for _number in range(count):
        person = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
        consent(person)
        consent(person, "parent_carer")
        end_ecm(person)
        hand_over(
            practitioner, factories.InterventionItemFactory(young_person=person, agency=education)
        )
    client = client_for(partner)
    with django_assert_max_num_queries(HOME_BUDGET):
        response = client.get(reverse("partners:home"))
    assert response.content.decode().count("plan items handed over to your agency") == count


def test_an_item_given_to_another_agency_on_the_plan_leaves_the_partners_reach(
    partner, handover, ended, camhs
):
    InterventionItem.objects.filter(pk=handover.item_id).update(agency=camhs)
    assert client_for(partner).get(partner_detail(ended)).status_code == 404


@pytest.mark.parametrize("count", [1, 50])
def test_the_record_page_lists_handovers_within_its_budget(
    practitioner, ended, education, django_assert_max_num_queries, count
):
    from tests.cases.test_young_person_pages import DETAIL_BUDGET

    for number in range(count):
        hand_over(
            practitioner,
            factories.InterventionItemFactory(
                young_person=ended, agency=education, title=f"Handed over item {number}"
            ),
        )
    client = client_for(practitioner)
    with django_assert_max_num_queries(DETAIL_BUDGET):
        response = client.get(record(ended))
    assert response.content.decode().count("” to Education until") == count
