import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from accounts.models import AccessLogEntry
from cases import selectors
from seed import factories


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(team=team_a, practitioner=practitioner)


def request_by(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_acting_on_a_case_in_the_team_is_logged_as_a_view(practitioner, young_person):
    found = selectors.young_person_for_action(
        request_by(practitioner), young_person.pk, capability="case.edit", action="case.edit"
    )
    assert found == young_person
    assert AccessLogEntry.objects.get().action == "case.edit"


def test_reading_but_not_acting_is_a_logged_refusal(psychologist, young_person):
    with pytest.raises(PermissionDenied):
        selectors.young_person_for_action(
            request_by(psychologist), young_person.pk, capability="case.edit", action="case.edit"
        )
    assert AccessLogEntry.objects.filter(allowed=False, detail="lacks case.edit").exists()


def test_a_case_in_another_team_is_not_found(other_practitioner, young_person):
    with pytest.raises(Http404):
        selectors.young_person_for_action(
            request_by(other_practitioner),
            young_person.pk,
            capability="case.edit",
            action="case.edit",
        )
    assert not AccessLogEntry.objects.filter(allowed=True).exists()
