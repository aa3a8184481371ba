"""Transfer between YOTs (issue 17): the rules `cases.transfers` enforces on every write."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from cases import selectors, services, transfers
from cases.models import CaseEvent, CaseTransfer, TransferStatus, YoungPerson
from seed import factories


def messages_for(error, field: str) -> list[str]:
    return error.value.message_dict.get(field, [])


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(
        team=team_a, practitioner=practitioner, ecm_start_date=timezone.localdate()
    )


@pytest.fixture
def receiving_manager(team_b):
    return factories.user_with_role(Role.MANAGER, team_b, username="rhian")


def request(manager, young_person, to_team, reason="The family moved to the other area"):
    young_person.refresh_from_db()
    return transfers.transfer_request(
        by=manager,
        young_person=young_person,
        to_team=to_team,
        reason=reason,
        version=young_person.version,
    )


def accept(by, transfer, practitioner, consent_rechecked=True):
    transfer.refresh_from_db()
    return transfers.transfer_accept(
        by=by,
        transfer=transfer,
        version=transfer.version,
        practitioner=practitioner,
        consent_rechecked=consent_rechecked,
    )


# --- Requesting ---------------------------------------------------------------------------------


def test_a_request_waits_for_the_receiving_team_and_is_an_event(manager, young_person, team_b):
    transfer = request(manager, young_person, team_b)

    assert transfer.status == TransferStatus.REQUESTED
    assert transfer.from_team.code == "team-a"
    assert list(transfers.incoming_for(manager)) == []
    assert list(transfers.outgoing_for(manager)) == [transfer]
    event = CaseEvent.objects.get(young_person=young_person, action="case.transfer_requested")
    assert event.data["to_team"] == "team-b"


def test_transferring_to_the_same_team_is_refused(manager, young_person, team_a):
    with pytest.raises(ValidationError) as error:
        request(manager, young_person, team_a)
    assert messages_for(error, "to_team") == [
        "The young person is already in Team A: choose another team"
    ]


def test_a_request_without_a_reason_is_refused(manager, young_person, team_b):
    with pytest.raises(ValidationError) as error:
        request(manager, young_person, team_b, reason="  ")
    assert messages_for(error, "reason") == ["Give a reason for the transfer"]


def test_a_second_open_request_for_the_same_young_person_is_refused(manager, young_person, team_b):
    request(manager, young_person, team_b)
    other = factories.TeamFactory(code="team-c", name="Team C")
    with pytest.raises(ValidationError) as error:
        request(manager, young_person, other)
    assert messages_for(error, "to_team") == [
        "A transfer of this young person is already waiting for a decision"
    ]


def test_an_archived_case_is_not_transferred(manager, young_person, team_b):
    services.young_person_archive(by=manager, young_person=young_person, reason="Duplicate")
    with pytest.raises(ValidationError) as error:
        request(manager, young_person, team_b)
    assert error.value.messages == ["This record is archived and can no longer be changed."]


def test_a_closed_case_is_not_transferred(manager, young_person, team_b):
    YoungPerson.objects.filter(pk=young_person.pk).update(
        ecm_end_date=timezone.localdate(), end_reason="completed"
    )
    with pytest.raises(ValidationError) as error:
        request(manager, young_person, team_b)
    assert error.value.messages == [
        "ECM has ended for this young person: a closed case is not transferred."
    ]


def test_a_request_from_a_stale_page_is_a_conflict(manager, young_person, team_b):
    with pytest.raises(services.ConflictError):
        transfers.transfer_request(
            by=manager,
            young_person=young_person,
            to_team=team_b,
            reason="Moved",
            version=young_person.version + 1,
        )


def test_only_the_sending_teams_manager_may_request(
    practitioner, receiving_manager, young_person, team_b
):
    for user in (practitioner, receiving_manager):
        with pytest.raises(PermissionDenied):
            request(user, young_person, team_b)


# --- Deciding -----------------------------------------------------------------------------------


def test_accepting_moves_the_case_and_ecm_continues(
    manager, receiving_manager, young_person, team_b, other_practitioner
):
    transfer = request(manager, young_person, team_b)

    accept(receiving_manager, transfer, other_practitioner)

    young_person.refresh_from_db()
    assert young_person.team == team_b
    assert young_person.practitioner == other_practitioner
    assert young_person.ecm_end_date is None
    assert young_person.status == "active"
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED
    assert transfer.consent_rechecked
    actions = set(
        CaseEvent.objects.filter(young_person=young_person).values_list("action", flat=True)
    )
    assert {"case.transferred", "consent.rechecked"} <= actions
    # The old team no longer sees the case; the new one does.
    assert not selectors.young_people_visible_to(manager).filter(pk=young_person.pk).exists()
    assert selectors.young_people_visible_to(receiving_manager).filter(pk=young_person.pk).exists()


def test_accepting_without_confirming_consent_is_refused(
    manager, receiving_manager, young_person, team_b, other_practitioner
):
    transfer = request(manager, young_person, team_b)
    with pytest.raises(ValidationError) as error:
        accept(receiving_manager, transfer, other_practitioner, consent_rechecked=False)
    assert messages_for(error, "consent_rechecked") == [
        "Confirm that you have re-checked the current consent decisions"
    ]
    young_person.refresh_from_db()
    assert young_person.team.code == "team-a"


def test_a_practitioner_outside_the_receiving_team_is_refused(
    manager, receiving_manager, young_person, team_b, practitioner
):
    transfer = request(manager, young_person, team_b)
    with pytest.raises(ValidationError) as error:
        accept(receiving_manager, transfer, practitioner)
    assert messages_for(error, "practitioner") == ["Choose a practitioner who works in Team B"]


def test_accepting_without_a_practitioner_is_refused(
    manager, receiving_manager, young_person, team_b
):
    transfer = request(manager, young_person, team_b)
    with pytest.raises(ValidationError) as error:
        accept(receiving_manager, transfer, None)
    assert messages_for(error, "practitioner") == [
        "Choose the practitioner who will work with the young person"
    ]


def test_the_sending_manager_cannot_accept_their_own_request(
    manager, young_person, team_b, other_practitioner
):
    transfer = request(manager, young_person, team_b)
    with pytest.raises(PermissionDenied):
        accept(manager, transfer, other_practitioner)


def test_a_decline_without_a_reason_is_refused(manager, receiving_manager, young_person, team_b):
    transfer = request(manager, young_person, team_b)
    with pytest.raises(ValidationError) as error:
        transfers.transfer_decline(
            by=receiving_manager, transfer=transfer, version=transfer.version, decline_reason=" "
        )
    assert messages_for(error, "decline_reason") == ["Give a reason for declining the transfer"]


def test_a_declined_transfer_leaves_the_case_and_allows_a_new_request(
    manager, receiving_manager, young_person, team_b
):
    transfer = request(manager, young_person, team_b)
    transfers.transfer_decline(
        by=receiving_manager,
        transfer=transfer,
        version=transfer.version,
        decline_reason="The family has not moved yet",
    )
    young_person.refresh_from_db()
    assert young_person.team.code == "team-a"
    assert request(manager, young_person, team_b).status == TransferStatus.REQUESTED


def test_a_decided_transfer_cannot_be_decided_again(
    manager, receiving_manager, young_person, team_b, other_practitioner
):
    transfer = request(manager, young_person, team_b)
    transfers.transfer_cancel(by=manager, transfer=transfer, version=transfer.version)
    with pytest.raises(ValidationError) as error:
        accept(receiving_manager, transfer, other_practitioner)
    assert error.value.messages == ["This transfer was already cancelled."]


def test_a_decision_on_a_stale_version_is_a_conflict(
    manager, receiving_manager, young_person, team_b, other_practitioner
):
    transfer = request(manager, young_person, team_b)
    with pytest.raises(services.ConflictError):
        transfers.transfer_accept(
            by=receiving_manager,
            transfer=transfer,
            version=transfer.version + 1,
            practitioner=other_practitioner,
            consent_rechecked=True,
        )


def test_the_old_teams_open_tasks_pass_to_the_new_practitioner(
    manager, receiving_manager, practitioner, young_person, team_b, other_practitioner
):
    meeting = factories.FormulationMeetingFactory(young_person=young_person)
    formulation = factories.FormulationFactory(meeting=meeting)
    open_action = factories.AgreedActionFactory(formulation=formulation, assignee=practitioner)
    done_action = factories.AgreedActionFactory(
        formulation=formulation,
        assignee=practitioner,
        done_on=timezone.localdate() - timedelta(days=1),
    )
    outside = factories.AgreedActionFactory(formulation=formulation, owner="School nurse")
    supervision_action = factories.SupervisionActionFactory(
        young_person=young_person, assignee=practitioner
    )
    transfer = request(manager, young_person, team_b)

    accept(receiving_manager, transfer, other_practitioner)

    for task in (open_action, done_action, outside, supervision_action):
        task.refresh_from_db()
    assert open_action.assignee == other_practitioner
    assert supervision_action.assignee == other_practitioner
    assert done_action.assignee == practitioner
    assert outside.assignee is None
    event = CaseEvent.objects.get(young_person=young_person, action="case.transferred")
    assert event.data["tasks_reassigned"] == 2


def test_both_teams_see_the_transfer_on_the_timeline(
    manager, receiving_manager, young_person, team_b, other_practitioner
):
    transfer = request(manager, young_person, team_b)
    titles = [entry.title for entry in selectors.timeline_for(young_person)]
    assert "Transfer to Team B requested" in titles

    accept(receiving_manager, transfer, other_practitioner)

    entries = [e for e in selectors.timeline_for(young_person) if e.kind == "transfer"]
    assert [entry.title for entry in entries] == ["Transferred from Team A to Team B"]
    assert str(other_practitioner) in entries[0].detail


def test_only_one_open_request_per_young_person_in_the_database(manager, young_person, team_b):
    request(manager, young_person, team_b)
    assert CaseTransfer.objects.filter(status=TransferStatus.REQUESTED).count() == 1
