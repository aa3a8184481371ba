"""Issue 11: an administrator never holds a case role, and every role change is logged."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts import policy
from accounts.models import AccessLogEntry, Membership, Role, User
from reports.exchange.importer import import_exchange
from reports.exchange.source import from_files
from seed import factories
from tests.conftest import client_for

EXCHANGE = Path(__file__).parent.parent / "reports" / "fixtures" / "exchange_valid"
ADMIN_REFUSAL = "An administrator cannot hold a case role"
SELF_REFUSAL = "You cannot give yourself a case role"


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def user_form(user, rows, *, initial=0):
    """The admin's user form as a browser would send it, with `rows` of memberships."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "staff_ref": user.staff_ref or "",
        "agency": "",
        "is_active": "on",
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(initial),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"memberships-{index}-{name}"] = value
        data[f"memberships-{index}-user"] = str(user.pk)
    return data


def existing_rows(user):
    return [
        {"id": str(m.pk), "role": m.role, "team": str(m.team_id or "")}
        for m in user.memberships.order_by("pk")
    ]


def role_log(user, action=None):
    rows = AccessLogEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk))
    if action:
        rows = rows.filter(action=action)
    return list(rows.order_by("id"))


# --- The Django admin ----------------------------------------------------------------------


def test_an_administrator_cannot_give_themselves_a_case_role_in_the_admin(administrator, team_a):
    rows = [*existing_rows(administrator), {"role": Role.PRACTITIONER, "team": str(team_a.pk)}]
    response = client_for(administrator).post(
        change_url(administrator), user_form(administrator, rows, initial=1)
    )
    assert response.status_code == 200
    assert SELF_REFUSAL in response.content.decode()
    assert not administrator.memberships.filter(role=Role.PRACTITIONER).exists()
    [refused] = role_log(administrator, "membership.refused")
    assert (refused.username, refused.allowed) == ("ada", False)


def test_an_administrator_cannot_give_another_administrator_a_case_role(administrator, team_a):
    other_admin = factories.user_with_role(Role.ADMIN, username="otto")
    rows = [*existing_rows(other_admin), {"role": Role.MANAGER, "team": str(team_a.pk)}]
    response = client_for(administrator).post(
        change_url(other_admin), user_form(other_admin, rows, initial=1)
    )
    assert response.status_code == 200
    assert ADMIN_REFUSAL in response.content.decode()
    assert set(other_admin.memberships.values_list("role", flat=True)) == {Role.ADMIN}


def test_a_practitioner_cannot_also_be_made_an_administrator(administrator, practitioner):
    rows = [*existing_rows(practitioner), {"role": Role.ADMIN, "team": ""}]
    response = client_for(administrator).post(
        change_url(practitioner), user_form(practitioner, rows, initial=1)
    )
    assert response.status_code == 200
    assert "A person with a case role" in response.content.decode()
    assert not practitioner.memberships.filter(role=Role.ADMIN).exists()


def test_giving_changing_and_removing_a_role_in_the_admin_is_logged(administrator, team_a, team_b):
    worker = factories.UserFactory(username="wyn")
    client = client_for(administrator)

    rows = [{"role": Role.PRACTITIONER, "team": str(team_a.pk)}]
    assert client.post(change_url(worker), user_form(worker, rows)).status_code == 302
    rows = [{**existing_rows(worker)[0], "role": Role.MANAGER, "team": str(team_b.pk)}]
    assert client.post(change_url(worker), user_form(worker, rows, initial=1)).status_code == 302
    rows = [{**existing_rows(worker)[0], "DELETE": "on"}]
    assert client.post(change_url(worker), user_form(worker, rows, initial=1)).status_code == 302

    assert not worker.memberships.exists()
    log = role_log(worker)
    assert [(entry.action, entry.username, entry.allowed) for entry in log] == [
        ("membership.grant", "ada", True),
        ("membership.change", "ada", True),
        ("membership.revoke", "ada", True),
    ]
    assert log[0].detail == "wyn: granted practitioner in team-a"
    assert log[1].detail == "wyn: changed practitioner in team-a to manager in team-b"
    assert log[2].detail == "wyn: removed manager in team-b"


def test_the_users_history_page_shows_role_changes(administrator, team_a):
    worker = factories.UserFactory(username="wyn")
    client = client_for(administrator)
    rows = [{"role": Role.PRACTITIONER, "team": str(team_a.pk)}]
    client.post(change_url(worker), user_form(worker, rows))

    page = client.get(reverse("admin:accounts_user_history", args=[worker.pk]))

    body = page.content.decode()
    assert page.status_code == 200
    assert "Role changes" in body
    assert "Role given" in body
    assert "wyn: granted practitioner in team-a" in body


# --- Defence in depth: the policy -----------------------------------------------------------


def test_an_administrator_with_a_case_role_in_the_database_still_cannot_read_cases(
    administrator, team_a
):
    Membership.objects.create(user=administrator, role=Role.PRACTITIONER, team=team_a)
    young_person = factories.YoungPersonFactory(team=team_a)
    user = User.objects.get(pk=administrator.pk)

    assert not policy.may(user, "case.read", team_a)
    response = client_for(administrator).get(
        reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk})
    )
    assert response.status_code == 404


# --- The grant_role command -----------------------------------------------------------------


def test_grant_role_refuses_a_case_role_for_an_administrator(administrator, team_a):
    with pytest.raises(CommandError, match=ADMIN_REFUSAL):
        call_command("grant_role", "ada", "practitioner", "--team", "team-a")
    assert not administrator.memberships.filter(role=Role.PRACTITIONER).exists()
    [refused] = role_log(administrator, "membership.refused")
    assert refused.username.endswith(" (command line)")


def test_grant_role_logs_the_person_at_the_command_line(team_a):
    worker = factories.UserFactory(username="wyn")
    call_command("grant_role", "wyn", "manager", "--team", "team-a")
    [granted] = role_log(worker)
    assert granted.action == "membership.grant"
    assert granted.username.endswith(" (command line)")
    assert granted.user is None
    assert granted.detail == "wyn: granted manager in team-a"


# --- The exchange importer ------------------------------------------------------------------


def exchange_files():
    return {path.name: path.read_bytes() for path in sorted(EXCHANGE.glob("*.csv"))}


def test_an_import_cannot_give_an_administrator_a_case_role(db):
    admin = factories.user_with_role(Role.ADMIN, username="s001", staff_ref="S001")

    result = import_exchange(from_files(exchange_files()))

    messages = [str(problem) for problem in result.problems]
    assert any(message.startswith("staff.csv:2: role: " + ADMIN_REFUSAL) for message in messages), (
        messages
    )
    assert set(admin.memberships.values_list("role", flat=True)) == {Role.ADMIN}


def test_roles_given_by_an_import_are_logged(db, evaluator):
    import_exchange(from_files(exchange_files()), by=evaluator)
    worker = User.objects.get(staff_ref="S001")
    [granted] = role_log(worker)
    assert (granted.action, granted.username) == ("membership.grant", "eve")
    assert granted.detail == "s001: granted practitioner in cardiff (import)"
