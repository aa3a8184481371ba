"""Runs the permission matrix (tests/permissions/matrix.py): every URL × role × own/other team."""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import include, path, reverse

from accounts.models import AccessLogEntry
from seed import factories
from tests.conftest import client_for

from . import matrix

CASES = [
    pytest.param(row, role, scope, id=f"{row.url_name}-{role}-{scope}")
    for row in matrix.MATRIX
    for role in matrix.ROLES
    for scope in (("own", "other") if row.other_team else ("own",))
]


def outcome_of(response) -> str:
    if response.status_code == 200:
        return matrix.OK
    if response.status_code in (301, 302):
        sign_in = resolve_url(settings.LOGIN_URL)
        return matrix.SIGN_IN if response["Location"].startswith(sign_in) else matrix.REDIRECT
    return {403: matrix.FORBIDDEN, 404: matrix.NOT_FOUND}.get(
        response.status_code, f"status {response.status_code}"
    )


def _case_with_records(team, practitioner):
    young_person = factories.YoungPersonFactory(team=team, practitioner=practitioner)
    records = {
        "need": factories.NeedFactory(young_person=young_person),
        "offence": factories.OffenceFactory(young_person=young_person),
        "order": factories.OrderFactory(young_person=young_person),
        "breach": factories.BreachFactory(young_person=young_person),
        "custody": factories.CustodyEpisodeFactory(young_person=young_person),
        "consent": factories.ConsentFactory(young_person=young_person),
        "trmassessment": factories.TRMAssessmentFactory(young_person=young_person),
        "appointment": factories.AppointmentFactory(young_person=young_person),
        "compliancedecision": factories.ComplianceDecisionFactory(young_person=young_person),
    }
    return young_person, records


@pytest.fixture
def world(users_by_role, team_a, team_b, other_practitioner):
    """Everything the rows' URL arguments are built from: a case with one record of each
    kind in the users' team (own) and in another team (other)."""
    own_case, own_records = _case_with_records(team_a, users_by_role["practitioner"])
    other_case, other_records = _case_with_records(team_b, other_practitioner)
    return {
        "users": users_by_role,
        "own_team": team_a,
        "other_team": team_b,
        "own_case": own_case,
        "other_case": other_case,
        "own_records": own_records,
        "other_records": other_records,
    }


@pytest.mark.parametrize(("row", "role", "scope"), CASES)
def test_permission_matrix(row, role, scope, world):
    user = None if role == "anonymous" else world["users"][role]
    kwargs = row.kwargs(world, scope == "own") if row.kwargs else {}
    url = reverse(row.url_name, kwargs=kwargs)
    response = getattr(client_for(user), row.method)(url, data=row.data)
    expected = (row.expect if scope == "own" else row.other_team)[role]
    assert outcome_of(response) == expected


def _logged_case(row, role):
    marks = ()
    if row.access_log_gap:
        marks = pytest.mark.xfail(strict=True, reason=f"access-log gap: {row.access_log_gap}")
    return pytest.param(row, role, id=f"{row.url_name}-{role}", marks=marks)


#: Every role allowed to GET a page that shows identifiable young people.
LOGGED_CASES = [
    _logged_case(row, role)
    for row in matrix.MATRIX
    if row.shows_young_people and row.method == "get"
    for role in matrix.SIGNED_IN
    if row.expect[role] == matrix.OK
]


@pytest.mark.parametrize(("row", "role"), LOGGED_CASES)
def test_a_page_showing_young_people_writes_the_access_log(row, role, world):
    user = world["users"][role]
    url = reverse(row.url_name, kwargs=row.kwargs(world, True) if row.kwargs else {})
    before = AccessLogEntry.objects.filter(user=user, allowed=True).count()

    response = client_for(user).get(url, data=row.data)

    assert outcome_of(response) == matrix.OK
    assert AccessLogEntry.objects.filter(user=user, allowed=True).count() > before


def test_every_list_of_young_people_is_marked_in_the_matrix():
    # The list pages of issue 11; a page about one young person is marked with its row.
    lists = {
        "home",
        "cases:caseload",
        "cases:appointment-list",
        "cases:team-detail",
        "cases:team-reallocate",
        "eligibility:what-if",
        "supervision:session-list",
        "reports:action-list",
        "cases:casetransfer-list",
    }
    # supervision:session-create lists young people in its second step only (a choice of
    # practitioner in the query string): tests/supervision/test_pages.py checks its row.
    marked = {row.url_name for row in matrix.MATRIX if row.shows_young_people}
    assert lists <= marked


def test_every_url_has_a_row():
    assert matrix.names_without_a_row() == set()


def _unlisted_view(request):  # pragma: no cover - never requested
    raise AssertionError


urlpatterns = [
    path("", include(settings.ROOT_URLCONF)),
    path("not-in-the-matrix/", _unlisted_view, name="not-in-the-matrix"),
]


def test_a_url_without_a_row_is_reported():
    # This module doubles as a URLconf: the service's URLs plus one the matrix does not list.
    assert matrix.names_without_a_row(urlconf=__name__) == {"not-in-the-matrix"}
