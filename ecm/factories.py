"""The one set of factory-boy factories, shared by the tests and the data generators."""

import factory
from factory.django import DjangoModelFactory

from accounts.models import Agency, Membership, Role, Team, User


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"team-{n}")
    name = factory.Sequence(lambda n: f"Team {n}")


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Agency {n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Role.PRACTITIONER


def user_with_role(role: str, *teams: Team, **user_fields) -> User:
    """A user holding `role` in each of `teams` (or service-wide for evaluator and admin)."""
    user = UserFactory(**user_fields)
    if teams:
        for team in teams:
            MembershipFactory(user=user, team=team, role=role)
    else:
        MembershipFactory(user=user, team=None, role=role)
    return user
