"""Management commands that touch young people's records write the access log (issue 11)."""

import getpass

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command, get_commands, load_command_class
from django.db import DatabaseError, connections
from django.utils import translation

from accounts.access_log import action_label
from accounts.management import base
from accounts.management.base import AccessLoggedCommand
from accounts.models import AccessLogEntry, Team

#: Commands of the project's apps that do not log, each with the reason.
NOT_LOGGED = {
    "compilemessages": "compiles the translation catalogues; reads no records",
    "grant_role": (
        "changes a staff member's roles, not young people's records; it is being changed in "
        "a parallel piece of work to log each membership change itself"
    ),
}


def project_commands() -> dict[str, str]:
    """Every management command defined in the project's own apps, with its app."""
    ours = {config.name for config in apps.get_app_configs() if "site-packages" not in config.path}
    return {name: app for name, app in get_commands().items() if app in ours}


def test_the_project_commands_are_found():
    assert {"export_exchange", "import_exchange", "run_report", "seed_demo"} <= set(
        project_commands()
    )
    assert "migrate" not in project_commands()


def test_every_project_command_writes_the_access_log_or_says_why_not():
    unlogged = {
        name
        for name, app in project_commands().items()
        if not isinstance(load_command_class(app, name), AccessLoggedCommand)
    }
    assert unlogged == set(NOT_LOGGED)


@pytest.fixture
def os_user(monkeypatch):
    monkeypatch.setattr(getpass, "getuser", lambda: "ecm-operator")
    return "ecm-operator"


@pytest.mark.django_db
def test_a_command_logs_the_operating_system_user_and_its_arguments(os_user):
    call_command("refresh_case_summaries", "--check")

    [row] = AccessLogEntry.objects.all()
    assert (row.user, row.username, row.action, row.allowed) == (
        None,
        "ecm-operator",
        "command.run",
        True,
    )
    assert (row.object_type, row.object_id) == ("management_command", "refresh_case_summaries")
    assert row.path == "refresh_case_summaries --check"
    assert row.detail == (
        "operating-system user ecm-operator ran manage.py refresh_case_summaries --check"
    )


@pytest.mark.django_db
def test_a_command_from_the_command_line_logs_its_arguments_as_typed(
    os_user, tmp_path, monkeypatch
):
    # run_from_argv closes every database connection when it ends; on PostgreSQL that would
    # close the test's own transaction before the log can be read.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    command = load_command_class("reports", "export_exchange")
    target = tmp_path / "export.zip"

    command.run_from_argv(["manage.py", "export_exchange", str(target)])

    [row] = AccessLogEntry.objects.all()
    assert row.path == f"export_exchange {target}"
    assert row.username == "ecm-operator"
    assert target.exists()


@pytest.mark.django_db
def test_a_command_that_fails_is_still_on_the_log(os_user, tmp_path):
    missing = tmp_path / "no-such-folder"

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_exchange", str(missing), "--dry-run")

    [row] = AccessLogEntry.objects.all()
    assert row.object_id == "import_exchange"
    assert row.path == f"import_exchange --dry-run --path={missing}"


@pytest.mark.django_db
def test_wrong_arguments_are_refused_before_anything_is_logged(os_user, tmp_path):
    missing = tmp_path / "no-such-folder" / "report.csv"

    with pytest.raises(CommandError, match="--output: the folder .* does not exist"):
        call_command(
            "run_report",
            "evaluation",
            "--from=2024-01-01",
            "--to=2024-12-31",
            "--format=csv",
            f"--output={missing}",
        )

    assert not AccessLogEntry.objects.exists()


@pytest.mark.django_db
def test_a_command_does_not_run_when_the_log_cannot_be_written(os_user, monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("no such table: accounts_accesslogentry")

    monkeypatch.setattr(base, "record_command", broken)

    with pytest.raises(CommandError, match="did not run: the access log could not be written"):
        call_command("seed_demo")

    assert not Team.objects.exists()


@pytest.mark.django_db
def test_an_unknown_operating_system_user_is_logged_as_unknown(monkeypatch):
    def no_login_name():
        raise KeyError("getpwuid(): uid not found: 12345")

    monkeypatch.setattr(getpass, "getuser", no_login_name)

    call_command("refresh_case_summaries", "--check")

    assert AccessLogEntry.objects.get().username == "unknown"


def test_a_command_row_reads_as_words_in_english_and_welsh():
    assert str(action_label("command.run")) == "Ran a management command on the server"
    with translation.override("cy"):
        assert str(action_label("command.run")) == "Rhedwyd gorchymyn rheoli ar y gweinydd"
