"""Transfer between YOTs (issue 17) as the managers see it: the request, the decision, the
lists, and who can open the case afterwards."""

import re
from html import escape

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLogEntry, Role
from cases import transfers
from cases.models import CaseTransfer, TransferStatus, YoungPerson
from ecm import today
from seed import factories
from tests.cases.test_young_person_pages import _events_table
from tests.conftest import client_for
from tests.ecm.test_home import MANAGER_BUDGET
from tests.permissions import matrix
from tests.permissions.test_matrix import outcome_of

#: Session, user, roles, navigation, the three lists of transfers with their parties, the
#: access-log row.
LIST_BUDGET = 10
TRANSFER_LINK = re.compile(r'href="/transfers/\d+/"')


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        given_name="Rhys",
        family_name="Evans",
        ecm_start_date=timezone.localdate(),
    )


@pytest.fixture
def receiving_manager(team_b):
    return factories.user_with_role(Role.MANAGER, team_b, username="rhian")


def _requested(young_person, to_team, by) -> CaseTransfer:
    return CaseTransfer.objects.create(
        young_person=young_person,
        from_team=young_person.team,
        to_team=to_team,
        reason="The family moved to Carmarthen",
        requested_by=by,
    )


def _request_page(young_person):
    return reverse("cases:casetransfer-create", kwargs={"pk": young_person.pk})


def _detail_page(transfer):
    return reverse("cases:casetransfer-detail", kwargs={"transfer_pk": transfer.pk})


def test_the_record_page_offers_the_transfer_to_the_manager_only(
    manager, practitioner, young_person
):
    page = reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk})
    assert "Transfer to another team" in client_for(manager).get(page).content.decode()
    assert "Transfer to another team" not in client_for(practitioner).get(page).content.decode()


def test_the_sending_manager_requests_a_transfer(manager, young_person, team_b):
    response = client_for(manager).post(
        _request_page(young_person),
        {"to_team": team_b.pk, "reason": "The family moved", "version": young_person.version},
        follow=True,
    )

    assert "Transfer of Rhys Evans to Team B requested" in response.content.decode()
    transfer = CaseTransfer.objects.get(young_person=young_person)
    assert (transfer.to_team, transfer.status) == (team_b, TransferStatus.REQUESTED)


def test_the_own_team_is_not_offered_and_is_refused_with_a_message(manager, young_person, team_a):
    response = client_for(manager).post(
        _request_page(young_person),
        {"to_team": team_a.pk, "reason": "Moved", "version": young_person.version},
    )

    assert response.status_code == 200
    assert "Choose a team from the list" in response.content.decode()
    assert not CaseTransfer.objects.exists()


def test_a_second_request_is_shown_the_waiting_one(manager, young_person, team_b):
    _requested(young_person, team_b, manager)
    body = client_for(manager).get(_request_page(young_person)).content.decode()
    assert "A transfer to Team B is already waiting for a decision." in body


def test_declining_without_a_reason_is_told_so(manager, receiving_manager, young_person, team_b):
    transfer = _requested(young_person, team_b, manager)

    response = client_for(receiving_manager).post(
        _detail_page(transfer), {"decision": "decline", "version": transfer.version}
    )

    assert response.status_code == 200
    assert "Give a reason for declining the transfer" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REQUESTED


def test_the_receiving_manager_sees_the_current_consent_decisions(
    manager, receiving_manager, young_person, team_b
):
    factories.ConsentFactory(young_person=young_person)
    transfer = _requested(young_person, team_b, manager)
    body = client_for(receiving_manager).get(_detail_page(transfer)).content.decode()
    assert 'id="consents"' in body
    assert "I have re-checked the current consent decisions" in body


def test_the_sending_manager_cancels(manager, young_person, team_b):
    transfer = _requested(young_person, team_b, manager)
    response = client_for(manager).post(
        reverse("cases:casetransfer-cancel", kwargs={"transfer_pk": transfer.pk}),
        {"version": transfer.version},
        follow=True,
    )
    assert "Transfer of Rhys Evans cancelled" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED


def _case_pages(young_person) -> list[tuple[matrix.Row, str]]:
    """Every page of the permission matrix about this one case (GET), with its URL."""
    world = {"own_case": young_person, "other_case": young_person}
    return [
        (row, reverse(row.url_name, kwargs=row.kwargs(world, True)))
        for row in matrix.MATRIX
        if row.kwargs is matrix.case_kwargs and row.method == "get"
    ]


def test_after_the_transfer_the_old_team_gets_404_and_the_new_team_its_own_teams_outcome(
    manager, practitioner, receiving_manager, other_practitioner, young_person, team_b
):
    client_for(manager).get(reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk}))
    transfer = _requested(young_person, team_b, manager)
    response = client_for(receiving_manager).post(
        _detail_page(transfer),
        {
            "decision": "accept",
            "practitioner": other_practitioner.pk,
            "consent_rechecked": "on",
            "version": transfer.version,
        },
        follow=True,
    )
    assert "Rhys Evans is now a case of Team B" in response.content.decode()

    pages = _case_pages(young_person)
    assert len(pages) > 10
    for user in (manager, practitioner):
        client = client_for(user)
        for row, url in pages:
            assert outcome_of(client.get(url, data=row.data)) == matrix.NOT_FOUND, url
    for user, role in ((receiving_manager, "manager"), (other_practitioner, "practitioner")):
        client = client_for(user)
        for row, url in pages:
            assert outcome_of(client.get(url, data=row.data)) == row.expect[role], (url, role)

    logged = AccessLogEntry.objects.filter(
        object_type="cases.youngperson", object_id=str(young_person.pk)
    )
    # The old team's history of the case stays in the access log, beside the new team's.
    assert logged.filter(user=manager, allowed=True, action="case.view").exists()
    assert logged.filter(user=manager, allowed=False).exists()
    assert logged.filter(user=receiving_manager, allowed=True, action="case.view").exists()
    timeline = client_for(receiving_manager).get(
        reverse("cases:youngperson-timeline", kwargs={"pk": young_person.pk})
    )
    assert "Transferred from Team A to Team B" in timeline.content.decode()


def test_an_empty_transfer_list_says_how_to_start_a_transfer(manager):
    body = client_for(manager).get(reverse("cases:casetransfer-list")).content.decode()
    assert "No transfers are waiting for your decision." in body
    assert "open their record and choose “Transfer to another team”" in body


def _transfers(count, from_team, to_team, by):
    for _ in range(count):
        _requested(factories.YoungPersonFactory(team=from_team), to_team, by)


@pytest.mark.parametrize("count", [1, 50])
def test_transfer_list_query_budget(
    manager, receiving_manager, team_a, team_b, count, django_assert_max_num_queries
):
    _transfers(count, team_b, team_a, receiving_manager)
    _transfers(count, team_a, team_b, manager)
    client = client_for(manager)

    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(reverse("cases:casetransfer-list"))

    body = response.content.decode()
    assert len(TRANSFER_LINK.findall(body)) == 2 * count
    assert 'id="incoming"' in body and 'id="outgoing"' in body


@pytest.mark.parametrize("count", [1, 50])
def test_the_receiving_managers_home_lists_incoming_transfers(
    manager, receiving_manager, team_a, team_b, count, django_assert_max_num_queries
):
    _transfers(count, team_b, team_a, receiving_manager)
    _transfers(count, team_a, team_b, manager)
    client = client_for(manager)

    with django_assert_max_num_queries(MANAGER_BUDGET):
        response = client.get(reverse("home"))

    body = response.content.decode()
    shown = min(count, today.TRANSFERS_LIMIT)
    assert len(TRANSFER_LINK.findall(body)) == 2 * shown
    assert 'id="transfers-incoming"' in body and 'id="transfers-outgoing"' in body


def test_transfer_pages_in_welsh(manager, receiving_manager, young_person, team_b):
    transfer = _requested(young_person, team_b, manager)
    body = (
        client_for(receiving_manager)
        .get(_detail_page(transfer), HTTP_ACCEPT_LANGUAGE="cy")
        .content.decode()
    )
    assert "Eich penderfyniad" in body
    assert "Derbyn y trosglwyddiad" in body
    listing = (
        client_for(receiving_manager)
        .get(reverse("cases:casetransfer-list"), HTTP_ACCEPT_LANGUAGE="cy")
        .content.decode()
    )
    assert "Trosglwyddiadau rhwng timau" in listing


def test_nothing_moves_until_the_receiving_manager_accepts(manager, young_person, team_b):
    _requested(young_person, team_b, manager)
    assert YoungPerson.objects.get(pk=young_person.pk).team.code == "team-a"


def test_deciding_a_transfer_already_decided_says_so(
    manager, receiving_manager, young_person, team_b
):
    transfer = _requested(young_person, team_b, manager)
    CaseTransfer.objects.filter(pk=transfer.pk).update(status=TransferStatus.CANCELLED)

    response = client_for(receiving_manager).post(
        _detail_page(transfer),
        {"decision": "decline", "decline_reason": "No", "version": transfer.version},
        follow=True,
    )

    assert response.status_code == 200
    assert "This transfer was already cancelled." in response.content.decode()


def test_the_new_teams_history_page_names_the_transfer_in_english_and_welsh(
    manager, receiving_manager, other_practitioner, young_person, team_b
):
    transfer = transfers.transfer_request(
        by=manager,
        young_person=young_person,
        to_team=team_b,
        reason="The family moved",
        version=young_person.version,
    )
    transfers.transfer_accept(
        by=receiving_manager,
        transfer=transfer,
        version=transfer.version,
        practitioner=other_practitioner,
        consent_rechecked=True,
    )
    page = reverse("cases:youngperson-history", kwargs={"pk": young_person.pk})

    english = _events_table(client_for(receiving_manager).get(page))
    welsh = _events_table(client_for(receiving_manager).get(page, HTTP_ACCEPT_LANGUAGE="cy"))

    assert "Case transferred to another team" in english
    assert "Team before" in english and "Team A" in english
    assert "Current consent decisions re-checked" in english
    assert escape("Achos wedi'i drosglwyddo i dîm arall") in welsh
    assert "Tîm cyn hynny" in welsh
