"""The demonstration's partner accounts have work to show (issue 18)."""

import pytest
from django.core.management import call_command

from accounts.models import User
from formulation.models import InterventionItem
from partners.models import PartnerContact
from partners.selectors import young_people_for_partner


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
    assert PartnerContact.objects.filter(agency=partner.agency).count() == 3
