"""The partner role (issue 18): an agency, no team, and no other role (accounts.rules)."""

import pytest

from accounts import policy, services
from accounts.models import Membership, Role
from accounts.services import MembershipRefused
from seed import factories


def test_a_partner_needs_an_agency(administrator):
    user = factories.UserFactory(username="nia")
    with pytest.raises(MembershipRefused, match="must belong to an agency"):
        services.membership_grant(user=user, role=Role.PARTNER, by=administrator)
    assert not Membership.objects.filter(user=user).exists()


def test_a_partner_is_given_the_role_with_their_agency(administrator, education):
    user = factories.UserFactory(username="nia", agency=education)
    services.membership_grant(user=user, role=Role.PARTNER, by=administrator)
    assert policy.roles(user) == {Role.PARTNER}
    assert policy.may(user, "partner.work")
    assert not policy.may(user, "case.read")


def test_a_partner_cannot_also_hold_a_case_role(administrator, partner, team_a):
    with pytest.raises(MembershipRefused, match="cannot hold any other role"):
        services.membership_grant(
            user=partner, role=Role.PRACTITIONER, team=team_a, by=administrator
        )


def test_a_yot_member_cannot_be_made_a_partner(administrator, practitioner, education):
    practitioner.agency = education
    practitioner.save()
    with pytest.raises(MembershipRefused, match="cannot hold any other role"):
        services.membership_grant(user=practitioner, role=Role.PARTNER, by=administrator)


def test_a_case_role_that_reached_the_database_gives_a_partner_nothing(partner, team_a):
    Membership.objects.create(user=partner, role=Role.PRACTITIONER, team=team_a)
    policy.forget(partner)
    assert policy.roles(partner) == {Role.PARTNER}
    assert not policy.may(partner, "case.read", team_a)
