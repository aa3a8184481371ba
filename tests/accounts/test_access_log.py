import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.http import Http404
from django.test import RequestFactory
from django.utils import translation

from accounts.access_log import action_label, get_visible_or_404, record_access, record_list_view
from accounts.models import AccessLogEntry, Team


@pytest.fixture
def entry(practitioner):
    request = RequestFactory().get("/somewhere", REMOTE_ADDR="10.0.0.7")
    request.user = practitioner
    return record_access(
        request, action="case.view", object_type="cases.youngperson", object_id="42"
    )


def test_an_entry_records_who_what_when_and_where(entry):
    assert (entry.username, entry.action, entry.object_id) == ("alice", "case.view", "42")
    assert entry.ip_address == "10.0.0.7"
    assert entry.path == "/somewhere"
    assert entry.allowed is True
    assert entry.at is not None


def test_entries_cannot_be_changed_through_the_model(entry):
    entry.detail = "tampered"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        AccessLogEntry.objects.filter(pk=entry.pk).update(detail="tampered")
    with pytest.raises(ValidationError):
        AccessLogEntry.objects.all().delete()


def test_the_database_refuses_to_update_an_entry(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_accesslogentry SET detail = 'tampered'")
    entry.refresh_from_db()
    assert entry.detail == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row triggers on PostgreSQL only")
def test_postgresql_refuses_to_delete_an_entry(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_accesslogentry")
    assert AccessLogEntry.objects.count() == 1


def test_get_visible_or_404_logs_a_view(practitioner, team_a):
    request = RequestFactory().get("/teams/a")
    request.user = practitioner
    found = get_visible_or_404(request, Team.objects.all(), action="team.view", pk=team_a.pk)
    assert found == team_a
    logged = AccessLogEntry.objects.get()
    assert (logged.object_type, logged.object_id, logged.allowed) == (
        "accounts.team",
        str(team_a.pk),
        True,
    )


def test_get_visible_or_404_logs_a_denial_for_an_object_outside_scope(practitioner, team_a, team_b):
    request = RequestFactory().get("/teams/b")
    request.user = practitioner
    with pytest.raises(Http404):
        get_visible_or_404(
            request, Team.objects.filter(pk=team_a.pk), action="team.view", pk=team_b.pk
        )
    logged = AccessLogEntry.objects.get()
    assert logged.allowed is False
    assert logged.object_id == str(team_b.pk)


def test_get_visible_or_404_treats_a_malformed_id_as_not_found(practitioner):
    request = RequestFactory().get("/teams/x")
    request.user = practitioner
    with pytest.raises(Http404):
        get_visible_or_404(request, Team.objects.all(), action="team.view", pk="not-a-number")


def test_a_list_view_row_says_what_was_shown_and_how_it_was_filtered(practitioner, team_a):
    request = RequestFactory().get("/caseload/?q=Dy&page=2")
    request.user = practitioner

    record_list_view(
        request,
        action="caseload.list",
        count=25,
        total=60,
        filters={"search": "Dy", "status": "", "stage": None, "team": team_a, "page": 2},
    )

    row = AccessLogEntry.objects.get()
    assert (row.action, row.object_type, row.path) == (
        "caseload.list",
        "list",
        "/caseload/?q=Dy&page=2",
    )
    assert (
        row.detail
        == f"young people shown: 25 of 60; filters: page=2, search='Dy', team={team_a.pk}"
    )


def test_a_list_view_row_of_other_rows_counts_the_young_people_they_name(practitioner):
    request = RequestFactory().get("/appointments/")
    request.user = practitioner

    record_list_view(
        request, action="appointment.list", count=7, what="appointments", young_people=3
    )

    assert AccessLogEntry.objects.get().detail == (
        "appointments shown: 7; young people named: 3; filters: none"
    )


@pytest.mark.parametrize(
    "action",
    [
        "caseload.list",
        "appointment.list",
        "team.view",
        "team.reallocate",
        "eligibility.what_if",
        "supervision.list",
        "report.action_list",
        "command.run",
    ],
)
def test_the_new_access_log_rows_read_as_words_in_english_and_welsh(action):
    english = str(action_label(action))
    with translation.override("cy"):
        welsh = str(action_label(action))
    assert english != action
    assert welsh not in (action, english)
