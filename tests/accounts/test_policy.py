import pytest
from django.core.exceptions import PermissionDenied

from accounts import policy
from accounts.models import Role
from seed.factories import MembershipFactory


def test_practitioner_reads_cases_in_own_team_only(practitioner, team_a, team_b):
    assert policy.may(practitioner, "case.read", team_a)
    assert not policy.may(practitioner, "case.read", team_b)


def test_psychologist_serves_every_team_they_are_a_member_of(psychologist, team_a, team_b):
    MembershipFactory(user=psychologist, team=team_b, role=Role.PSYCHOLOGIST)
    policy.forget(psychologist)
    assert set(policy.teams_for(psychologist, "case.read")) == {team_a, team_b}


def test_evaluator_and_admin_never_read_case_records(evaluator, administrator, team_a):
    for user in (evaluator, administrator):
        assert not policy.may(user, "case.read", team_a)
        assert not policy.may(user, "case.read")


def test_evaluator_reports_cover_all_teams(evaluator, team_a, team_b):
    assert policy.team_ids_for(evaluator, "reports.evaluation") is None
    assert set(policy.teams_for(evaluator, "reports.evaluation")) == {team_a, team_b}


def test_only_managers_override_eligibility(practitioner, manager, psychologist, team_a):
    assert policy.may(manager, "eligibility.override", team_a)
    assert not policy.may(practitioner, "eligibility.override", team_a)
    assert not policy.may(psychologist, "eligibility.override", team_a)


def test_require_refuses_what_may_denies(practitioner, team_a, team_b):
    policy.require(practitioner, "case.read", team_a)
    policy.require(practitioner, "case.read")
    with pytest.raises(PermissionDenied):
        policy.require(practitioner, "case.read", team_b)
    with pytest.raises(PermissionDenied):
        policy.require(practitioner, "eligibility.override")


def test_an_inactive_user_may_do_nothing(manager, team_a):
    manager.is_active = False
    assert not policy.may(manager, "case.read", team_a)


def test_anonymous_user_may_do_nothing(team_a):
    from django.contrib.auth.models import AnonymousUser

    assert not policy.may(AnonymousUser(), "case.read", team_a)


def test_an_unknown_capability_is_a_programming_error(practitioner):
    with pytest.raises(KeyError, match="Unknown capability"):
        policy.may(practitioner, "case.teleport")


@pytest.mark.parametrize(
    "grants",
    [{"wizard": policy.TEAMS}, {Role.MANAGER: "everywhere"}, {Role.EVALUATOR: policy.TEAMS}],
)
def test_register_rejects_grants_that_make_no_sense(grants):
    with pytest.raises(ValueError):
        policy.register("test.capability", grants)


def test_grant_role_makes_the_first_administrator(db):
    from django.core.management import call_command

    from seed.factories import UserFactory

    user = UserFactory(username="elin")
    call_command("grant_role", "elin", "admin")
    assert policy.may(user, "admin.site")


def test_grant_role_explains_a_missing_team(db):
    from django.core.management import CommandError, call_command

    from seed.factories import UserFactory

    UserFactory(username="rhys")
    with pytest.raises(CommandError, match="needs --team"):
        call_command("grant_role", "rhys", "practitioner")
