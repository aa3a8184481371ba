"""The rules of supervision/services.py and the visibility layers of selectors.py."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from cases.models import CaseEvent
from cases.services import ConflictError
from seed import factories
from supervision import selectors, services
from supervision.models import SupervisionSession


def today():
    return timezone.localdate()


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(team=team_a, practitioner=practitioner)


def record(psychologist, practitioner, *, cases=(), actions=(), held_on=None, **extra):
    return services.session_record(
        by=psychologist,
        practitioner=practitioner,
        held_on=held_on or today() - timedelta(days=1),
        cases=cases,
        shared_notes=extra.pop("shared_notes", "Shared reflections"),
        private_notes=extra.pop("private_notes", "Private reflections"),
        actions=actions,
        **extra,
    )


def test_a_session_is_recorded_in_the_practitioners_team(psychologist, practitioner, team_a):
    session = record(psychologist, practitioner)
    assert (session.psychologist, session.practitioner, session.team) == (
        psychologist,
        practitioner,
        team_a,
    )


def test_each_case_discussed_gets_an_event_on_its_record(psychologist, practitioner, young_person):
    record(psychologist, practitioner, cases=[young_person])
    event = CaseEvent.objects.get(young_person=young_person, action="supervision.discussed")
    assert "Private reflections" not in str(event.data)
    assert "Shared reflections" not in str(event.data)


def test_a_practitioner_outside_the_psychologists_teams_is_refused(
    psychologist, other_practitioner
):
    with pytest.raises(ValidationError) as raised:
        record(psychologist, other_practitioner)
    assert raised.value.message_dict["practitioner"] == [
        f"{other_practitioner} is not a practitioner in a team you serve"
    ]
    assert not SupervisionSession.objects.exists()


def test_cases_discussed_must_be_in_the_practitioners_team(
    psychologist, practitioner, team_b, other_practitioner
):
    other_case = factories.YoungPersonFactory(
        team=team_b, practitioner=other_practitioner, reference="YP-B1"
    )
    with pytest.raises(ValidationError) as raised:
        record(psychologist, practitioner, cases=[other_case])
    assert raised.value.message_dict["cases"] == ["Cases discussed must be in Team A: YP-B1"]


@pytest.fixture
def other_teams_case(team_b, other_practitioner):
    return factories.YoungPersonFactory(
        team=team_b, practitioner=other_practitioner, reference="YP-B1"
    )


def test_an_action_about_another_teams_young_person_is_refused(
    psychologist, practitioner, other_teams_case
):
    with pytest.raises(ValidationError) as raised:
        record(
            psychologist,
            practitioner,
            actions=[
                {
                    "description": "Call",
                    **factories.outside_owner("Alice"),
                    "young_person": other_teams_case,
                }
            ],
        )
    assert raised.value.message_dict["actions"] == ["Action 1: the young person must be in Team A"]
    assert not SupervisionSession.objects.exists()


def test_revising_with_an_action_about_another_teams_young_person_is_refused(
    psychologist, practitioner, other_teams_case
):
    session = record(psychologist, practitioner)
    with pytest.raises(ValidationError) as raised:
        services.session_update(
            by=psychologist,
            session=session,
            version=session.version,
            shared_notes="Changed",
            private_notes="",
            new_actions=[
                {
                    "description": "Call",
                    **factories.outside_owner("Alice"),
                    "young_person": other_teams_case,
                }
            ],
        )
    assert raised.value.message_dict["actions"] == ["Action 1: the young person must be in Team A"]
    session.refresh_from_db()
    assert (session.version, session.shared_notes) == (1, "Shared reflections")
    assert not session.actions.exists()


def test_revising_with_a_case_from_another_team_is_refused(
    psychologist, practitioner, young_person, other_teams_case
):
    session = record(psychologist, practitioner, cases=[young_person])
    with pytest.raises(ValidationError) as raised:
        services.session_update(
            by=psychologist,
            session=session,
            version=session.version,
            shared_notes="",
            private_notes="",
            cases=[young_person, other_teams_case],
        )
    assert raised.value.message_dict["cases"] == ["Cases discussed must be in Team A: YP-B1"]
    assert list(session.cases.all()) == [young_person]


def test_a_session_goes_in_the_team_chosen(psychologist, practitioner, team_b):
    factories.MembershipFactory(user=psychologist, team=team_b, role=Role.PSYCHOLOGIST)
    factories.MembershipFactory(user=practitioner, team=team_b, role=Role.PRACTITIONER)
    assert record(psychologist, practitioner, team=team_b).team == team_b


def test_a_team_the_practitioner_does_not_work_in_is_refused(psychologist, practitioner, team_b):
    factories.MembershipFactory(user=psychologist, team=team_b, role=Role.PSYCHOLOGIST)
    with pytest.raises(ValidationError) as raised:
        record(psychologist, practitioner, team=team_b)
    assert raised.value.message_dict["practitioner"] == [
        f"{practitioner} is not a practitioner in that team, or you do not serve it"
    ]
    assert not SupervisionSession.objects.exists()


def test_a_session_cannot_be_in_the_future(psychologist, practitioner):
    with pytest.raises(ValidationError) as raised:
        record(psychologist, practitioner, held_on=today() + timedelta(days=1))
    assert "held_on" in raised.value.message_dict


def test_an_action_due_before_the_session_is_refused(psychologist, practitioner):
    held_on = today() - timedelta(days=3)
    with pytest.raises(ValidationError) as raised:
        record(
            psychologist,
            practitioner,
            held_on=held_on,
            actions=[
                {
                    "description": "Read",
                    **factories.outside_owner("Alice"),
                    "due_on": held_on - timedelta(1),
                }
            ],
        )
    assert raised.value.message_dict["actions"] == [
        "Action 1: the due date cannot be before the session"
    ]


@pytest.mark.parametrize("role", ["practitioner", "manager"])
def test_only_psychologists_record_sessions(request, role, practitioner):
    with pytest.raises(PermissionDenied):
        record(request.getfixturevalue(role), practitioner)


def test_only_the_psychologist_who_held_it_revises_a_session(psychologist, practitioner, team_a):
    session = record(psychologist, practitioner)
    colleague = factories.user_with_role(Role.PSYCHOLOGIST, team_a, username="quinn")
    with pytest.raises(PermissionDenied):
        services.session_update(
            by=colleague,
            session=session,
            version=session.version,
            shared_notes="",
            private_notes="",
        )


def test_revising_with_a_stale_version_is_a_conflict(psychologist, practitioner):
    session = record(psychologist, practitioner)
    opened = session.version
    services.session_update(
        by=psychologist, session=session, version=opened, shared_notes="First", private_notes=""
    )
    with pytest.raises(ConflictError) as raised:
        services.session_update(
            by=psychologist,
            session=session,
            version=opened,
            shared_notes="Second",
            private_notes="",
        )
    assert raised.value.current.shared_notes == "First"


def test_revising_adds_new_actions(psychologist, practitioner):
    session = record(psychologist, practitioner)
    services.session_update(
        by=psychologist,
        session=session,
        version=session.version,
        shared_notes="Shared",
        private_notes="Private",
        new_actions=[{"description": "Read the paper", **factories.outside_owner("Alice")}],
    )
    assert [action.description for action in session.actions.all()] == ["Read the paper"]


def test_the_practitioner_completes_an_action_and_the_manager_cannot(
    psychologist, practitioner, manager
):
    session = record(
        psychologist,
        practitioner,
        actions=[{"description": "Call", **factories.outside_owner("Alice")}],
    )
    action = session.actions.get()
    with pytest.raises(PermissionDenied):
        services.action_complete(by=manager, action=action, done_on=today())
    services.action_complete(by=practitioner, action=action, done_on=today())
    action.refresh_from_db()
    assert action.done_on == today()


# --- Who sees what (selectors.py) --------------------------------------------------------------


def test_each_participant_and_the_team_manager_see_the_session(
    psychologist, practitioner, manager, other_practitioner, evaluator
):
    session = record(psychologist, practitioner)
    for user in (psychologist, practitioner, manager):
        assert list(selectors.sessions_visible_to(user)) == [session]
    for user in (other_practitioner, evaluator):
        assert list(selectors.sessions_visible_to(user)) == []


def test_another_psychologist_of_the_team_does_not_see_the_session(
    psychologist, practitioner, team_a
):
    record(psychologist, practitioner)
    colleague = factories.user_with_role(Role.PSYCHOLOGIST, team_a, username="quinn")
    assert list(selectors.sessions_visible_to(colleague)) == []


def test_the_manager_sees_the_session_but_may_not_read_its_notes(
    psychologist, practitioner, manager
):
    record(psychologist, practitioner)
    session = selectors.sessions_visible_to(manager).get()
    assert selectors.may_read_notes(manager, session) is False
    assert selectors.may_read_notes(practitioner, session) is True
    assert selectors.may_read_notes(psychologist, session) is True


def test_the_sessions_list_does_not_load_the_notes(psychologist, practitioner, manager):
    record(psychologist, practitioner)
    session = selectors.sessions_visible_to(manager).get()
    assert {"shared_notes", "private_notes"} <= session.get_deferred_fields()


def test_the_case_record_gets_the_sessions_and_actions_without_notes(
    psychologist, practitioner, young_person
):
    record(
        psychologist,
        practitioner,
        cases=[young_person],
        actions=[
            {
                "description": "Call school",
                **factories.outside_owner("Alice"),
                "young_person": young_person,
            }
        ],
    )
    session = selectors.supervision_for_case(young_person).get()
    assert [action.description for action in session.actions.all()] == ["Call school"]
    assert {"shared_notes", "private_notes"} <= session.get_deferred_fields()
