"""The demonstration's partner accounts have work to show (issue 18)."""

import pytest
from django.core.management import call_command

from accounts.models import User
from formulation.models import InterventionItem
from partners.models import ItemHandover, PartnerContact
from partners.selectors import items_for_agency, young_people_for_partner


@pytest.mark.parametrize("username", ["partner-education", "partner-camhs"])
def test_each_demo_partner_has_young_people_items_and_contacts(db, settings, username):
    settings.ECM_DEMO = True
    call_command("seed_demo")
    partner = User.objects.get(username=username)
    visible = young_people_for_partner(partner)
    assert visible.exists()
    assert InterventionItem.objects.filter(
        agency=partner.agency, young_person__in=visible, status__in=["planned", "active"]
    ).exists()
    during_ecm = PartnerContact.objects.exclude(
        young_person__in=ItemHandover.objects.values("item__young_person")
    )
    assert during_ecm.filter(agency=partner.agency).count() == 3


def test_the_demo_hands_an_item_over_to_education_after_the_order(db, settings):
    settings.ECM_DEMO = True
    call_command("seed_demo")
    partner = User.objects.get(username="partner-education")
    handover = ItemHandover.objects.get(agency=partner.agency)
    young_person = handover.item.young_person
    assert young_person.ecm_end_date is not None
    assert young_person in young_people_for_partner(partner)
    assert list(items_for_agency(young_person, partner.agency)) == [handover.item]
    contact = PartnerContact.objects.get(agency=partner.agency, young_person=young_person)
    assert contact.contact_on > young_person.ecm_end_date
    assert InterventionItem.objects.filter(agency=partner.agency, status="done").count() == 1
