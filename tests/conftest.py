"""Shared fixtures: two teams and one person per role, in the spirit of alice/bob/charlie.

* ``practitioner`` and ``manager`` work in ``team_a``;
* ``other_practitioner`` works in ``team_b``;
* ``psychologist`` serves ``team_a`` (and not ``team_b``, so "other team" means the same
  for every team role); ``evaluator`` and ``administrator`` are service-wide;
* ``partner`` works for the education agency (``education``), outside any team, and
  ``other_partner`` for CAMHS: neither has work with anyone until a test gives their agency some.
"""

import pytest
from django.test import Client
from django.utils import translation

from accounts.models import Role
from seed.factories import AgencyFactory, TeamFactory, user_with_role


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests that check hashing read ecm.settings directly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_by_default():
    # A test that switches language (directly or through a request) must not leak it.
    translation.activate("en-gb")
    yield
    translation.activate("en-gb")


@pytest.fixture
def team_a(db):
    return TeamFactory(code="team-a", name="Team A")


@pytest.fixture
def team_b(db):
    return TeamFactory(code="team-b", name="Team B")


@pytest.fixture
def practitioner(team_a):
    return user_with_role(Role.PRACTITIONER, team_a, username="alice")


@pytest.fixture
def manager(team_a):
    return user_with_role(Role.MANAGER, team_a, username="mona")


@pytest.fixture
def other_practitioner(team_b):
    return user_with_role(Role.PRACTITIONER, team_b, username="bob")


@pytest.fixture
def psychologist(team_a):
    return user_with_role(Role.PSYCHOLOGIST, team_a, username="pat")


@pytest.fixture
def evaluator(db):
    return user_with_role(Role.EVALUATOR, username="eve")


@pytest.fixture
def administrator(db):
    return user_with_role(Role.ADMIN, username="ada")


@pytest.fixture
def education(db):
    return AgencyFactory(code="education", name="Education", name_cy="Addysg")


@pytest.fixture
def camhs(db):
    return AgencyFactory(code="camhs", name="CAMHS", name_cy="CAMHS")


@pytest.fixture
def partner(education):
    return user_with_role(Role.PARTNER, username="petra", agency=education)


@pytest.fixture
def other_partner(camhs):
    return user_with_role(Role.PARTNER, username="carys", agency=camhs)


@pytest.fixture
def users_by_role(practitioner, manager, psychologist, evaluator, administrator, partner):
    return {
        "practitioner": practitioner,
        "manager": manager,
        "psychologist": psychologist,
        "evaluator": evaluator,
        "admin": administrator,
        "partner": partner,
    }


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
