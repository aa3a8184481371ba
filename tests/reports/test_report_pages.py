"""The report pages: the measure catalogue, requesting a report, watching its progress (with
and without JavaScript), the report with charts and downloads, and the managers' action
lists. The worked cohort comes from test_measures."""

import json
import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLogEntry
from cases.models import YoungPerson
from reports import exports
from reports.measures import REGISTRY
from reports.models import ReportRun, RunStatus
from reports.services.housekeeping import report_housekeeping
from reports.services.requests import report_request
from reports.tasks import run_report_task
from seed import factories
from tests.conftest import client_for
from tests.reports.test_measures import cohort  # noqa: F401 - the worked cohort fixture

PERIOD = {
    "date_from": date(2024, 1, 1),
    "date_to": date(2024, 12, 31),
    "as_of": date(2026, 6, 30),
    "follow_up_months": 12,
    "fidelity_window_days": 56,
}
META_REFRESH = '<meta http-equiv="refresh" content="3">'


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def quick_pdf(monkeypatch):
    """WeasyPrint takes seconds per report; the PDF itself is tested in test_exports."""
    monkeypatch.setattr(exports, "evaluation_pdf", lambda html: b"%PDF-1.7 stand-in")


def requested(by, kind="evaluation", **parameters):
    return report_request(by=by, kind=kind, parameters={**PERIOD, **parameters}, enqueue=False)


def produced(by, kind="evaluation", **parameters):
    run = requested(by, kind, **parameters)
    run_report_task.apply(args=(run.pk,))
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    return run


def form_data(**overrides):
    return {
        "kind": "evaluation",
        "date_from": "2024-01-01",
        "date_to": "2024-12-31",
        "follow_up_months": "12",
        "as_of": "2026-06-30",
        "fidelity_window_days": "56",
        "suppression": "no",
        "suppression_threshold": "5",
        **overrides,
    }


# --- The measure catalogue ----------------------------------------------------------------------


def test_measure_catalogue_lists_every_measure_with_its_definition(practitioner):
    html = client_for(practitioner).get(reverse("reports:measure-list")).content.decode()
    for measure in REGISTRY.values():
        assert f'id="measure-{measure.id}"' in html
    assert "Young people referred to ECM with a referral date in the period." in html


def test_measure_catalogue_is_served_in_welsh_when_welsh_is_chosen(evaluator):
    client = client_for(evaluator)
    client.post(reverse("set_language"), {"language": "cy", "next": "/"})
    html = client.get(reverse("reports:measure-list")).content.decode()
    assert '<html lang="cy"' in html


# --- Requesting a report ------------------------------------------------------------------------


def test_request_form_offers_evaluators_every_team_and_the_dataset(evaluator, team_a, team_b):
    html = client_for(evaluator).get(reverse("reports:run-create")).content.decode()
    assert "Team A" in html and "Team B" in html
    assert 'value="evaluation_dataset"' in html


def test_request_form_offers_managers_only_their_teams_and_no_dataset(manager, team_a, team_b):
    html = client_for(manager).get(reverse("reports:run-create")).content.decode()
    assert "Team A" in html
    assert "Team B" not in html
    assert 'value="evaluation_dataset"' not in html


def test_requesting_a_report_runs_it_and_shows_its_page(
    cohort,  # noqa: F811
    evaluator,
    django_capture_on_commit_callbacks,
):
    client = client_for(evaluator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:run-create"), form_data())
    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:run-detail", kwargs={"pk": run.pk})
    run.refresh_from_db()
    assert (run.status, run.requested_by) == (RunStatus.SUCCEEDED, evaluator)
    page = client.get(response["Location"]).content.decode()
    assert "Evaluation report requested" in page


def test_a_period_ending_before_it_starts_is_shown_next_to_the_field(evaluator):
    response = client_for(evaluator).post(
        reverse("reports:run-create"), form_data(date_from="2024-06-01", date_to="2024-05-01")
    )
    assert response.status_code == 200
    assert (
        "The end of the period must be the same as or after its start" in response.content.decode()
    )
    assert ReportRun.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_from", "2024-13-45", "Referred from must be a real date"),
        ("date_to", "", "Enter the last referral date of the period"),
        ("follow_up_months", "0", "Enter follow-up months as a whole number from 1 to 60"),
        ("follow_up_months", "lots", "Enter follow-up months as a whole number from 1 to 60"),
        ("suppression_threshold", "1", "Enter the threshold as a whole number from 2 to 100"),
        ("as_of", "31/02/2026", "Outcomes as of must be a real date"),
        ("teams", "nowhere", "Choose only teams from the list"),
    ],
)
def test_bad_input_gets_a_clear_message_not_an_error_page(evaluator, team_a, field, value, message):
    response = client_for(evaluator).post(
        reverse("reports:run-create"), form_data(**{field: value})
    )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_manager_cannot_ask_for_another_teams_report(manager, team_a, team_b):
    response = client_for(manager).post(reverse("reports:run-create"), form_data(teams=team_b.code))
    assert "Choose only teams from the list" in response.content.decode()
    assert ReportRun.objects.count() == 0


def test_a_manager_cannot_ask_for_the_dataset(manager, team_a):
    response = client_for(manager).post(
        reverse("reports:run-create"), form_data(kind="evaluation_dataset")
    )
    assert response.status_code == 200
    assert ReportRun.objects.count() == 0


# --- Progress -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [RunStatus.QUEUED, RunStatus.RUNNING])
def test_progress_page_refreshes_itself_without_javascript_while_the_run_is_active(
    evaluator, status
):
    run = requested(evaluator)
    ReportRun.objects.filter(pk=run.pk).update(
        status=status, progress=40, progress_text="Calculated 19 of 47 measures"
    )
    html = client_for(evaluator).get(reverse("reports:run-detail", kwargs={"pk": run.pk}))
    html = html.content.decode()
    assert META_REFRESH in html
    assert '<progress class="ecm-report-progress-bar" max="100" value="40"' in html
    assert "40% – Calculated 19 of 47 measures" in html
    assert "reports/js/progress.js" in html


@pytest.mark.parametrize("status", [RunStatus.SUCCEEDED, RunStatus.FAILED])
def test_progress_page_stops_refreshing_once_the_run_has_finished(evaluator, status):
    run = requested(evaluator)
    ReportRun.objects.filter(pk=run.pk).update(status=status, error_message="Reason")
    html = client_for(evaluator).get(reverse("reports:run-detail", kwargs={"pk": run.pk}))
    html = html.content.decode()
    assert META_REFRESH not in html
    assert "<progress" not in html
    assert "progress.js" not in html


def test_a_failed_run_shows_its_reason(cohort, evaluator, settings):  # noqa: F811
    settings.ECM_STUDY_KEY = ""
    run = requested(evaluator, kind="evaluation_dataset")
    run_report_task.apply(args=(run.pk,))
    html = client_for(evaluator).get(reverse("reports:run-detail", kwargs={"pk": run.pk}))
    html = html.content.decode()
    assert "The report could not be produced" in html
    assert "no study key set up" in html


def test_status_is_json_for_the_progress_script(evaluator):
    run = requested(evaluator)
    ReportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, progress=55, progress_text="Calculated 26 of 47 measures"
    )
    response = client_for(evaluator).get(reverse("reports:run-status", kwargs={"pk": run.pk}))
    assert response.json() == {
        "status": "running",
        "status_label": "Running",
        "progress": 55,
        "progress_text": "Calculated 26 of 47 measures",
        "finished": False,
    }


def test_polling_the_status_does_not_fill_the_access_log(evaluator):
    run = requested(evaluator)
    client = client_for(evaluator)
    for _poll in range(3):
        client.get(reverse("reports:run-status", kwargs={"pk": run.pk}))
    assert AccessLogEntry.objects.count() == 0


# --- The report ---------------------------------------------------------------------------------


@pytest.fixture
def named_cohort(cohort):  # noqa: F811
    """The cohort with names and references nothing else on a page could contain."""
    for index, person in enumerate(cohort.values()):
        YoungPerson.objects.filter(pk=person.pk).update(
            given_name=f"Zephyrine{index}",
            family_name=f"Quillfeather{index}",
            reference=f"REFQX{index:04d}",
        )
    return {key: YoungPerson.objects.get(pk=person.pk) for key, person in cohort.items()}


def test_report_page_shows_charts_with_data_tables_and_every_measure(named_cohort, evaluator):
    run = produced(evaluator)
    html = client_for(evaluator).get(reverse("reports:run-detail", kwargs={"pk": run.pk}))
    html = html.content.decode()
    assert html.count('<svg role="img"') == 4
    assert "Data for the chart: Fidelity: cohort members with each element of the model" in html
    for measure_id in REGISTRY:
        assert f'id="measure-{measure_id}"' in html
    referrals = html.split('id="measure-referrals"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td[^>]*>\s*(\d+)\s*</td>", referrals) == ["5", "3", "2"]


def test_report_page_names_appointment_purposes_in_the_readers_language(named_cohort, evaluator):
    # The cohort's appointments are reviews (the factory's purpose).
    run = produced(evaluator)
    client = client_for(evaluator)

    def purposes():
        html = client.get(reverse("reports:run-detail", kwargs={"pk": run.pk})).content.decode()
        return html.split('id="measure-appointments_by_purpose"', 1)[1].split("</tr>", 1)[0]

    assert "Review" in purposes() and ">review<" not in purposes()
    client.post(reverse("set_language"), {"language": "cy", "next": "/"})
    assert "Adolygiad" in purposes()


def test_report_page_links_each_download(named_cohort, evaluator):
    run = produced(evaluator)
    html = client_for(evaluator).get(reverse("reports:run-detail", kwargs={"pk": run.pk}))
    for kind in ("json", "csv", "xlsx", "pdf", "html"):
        assert reverse("reports:run-download", kwargs={"pk": run.pk, "kind": kind}) in (
            html.content.decode()
        )


def test_evaluator_sees_no_name_or_reference_anywhere_in_the_report(named_cohort, evaluator):
    run = produced(evaluator)
    client = client_for(evaluator)
    pages = [client.get(reverse("reports:run-detail", kwargs={"pk": run.pk})).content]
    for kind in ("json", "csv", "html"):
        response = client.get(reverse("reports:run-download", kwargs={"pk": run.pk, "kind": kind}))
        pages.append(b"".join(response.streaming_content))
    text = b"".join(pages).decode()
    for person in named_cohort.values():
        for secret in (person.given_name, person.family_name, person.reference):
            assert secret not in text


def test_manager_report_page_shows_only_their_team_and_links_to_the_action_lists(
    named_cohort, manager
):
    run = produced(manager)
    html = client_for(manager).get(reverse("reports:run-detail", kwargs={"pk": run.pk}))
    html = html.content.decode()
    referrals = html.split('id="measure-referrals"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td[^>]*>\s*(\d+)\s*</td>", referrals) == ["3", "3"]
    assert "Team B" not in html
    assert reverse("reports:action-list") in html


def test_evaluator_report_page_has_no_link_to_identifiable_action_lists(named_cohort, evaluator):
    run = produced(evaluator)
    html = client_for(evaluator).get(reverse("reports:run-detail", kwargs={"pk": run.pk}))
    assert reverse("reports:action-list") not in html.content.decode()


def test_suppressed_report_page_shows_small_counts_as_suppressed(named_cohort, evaluator):
    run = produced(evaluator, suppression=True, suppression_threshold=3)
    html = client_for(evaluator).get(reverse("reports:run-detail", kwargs={"pk": run.pk}))
    withdrawn = html.content.decode().split('id="measure-withdrawn"', 1)[1].split("</tr>", 1)[0]
    assert "Suppressed" in withdrawn
    assert "&lt;3" not in withdrawn


def test_a_report_whose_files_were_deleted_says_so(named_cohort, evaluator):
    run = produced(evaluator)
    report_housekeeping(now=run.expires_at + timedelta(minutes=1))
    html = client_for(evaluator).get(reverse("reports:run-detail", kwargs={"pk": run.pk}))
    assert "The files of this report were deleted on" in html.content.decode()


def test_dataset_page_lists_its_files_with_rows_and_sha256(named_cohort, evaluator):
    run = produced(evaluator, kind="evaluation_dataset")
    html = client_for(evaluator).get(reverse("reports:run-detail", kwargs={"pk": run.pk}))
    html = html.content.decode()
    for report_file in run.files.all():
        assert report_file.sha256 in html
    assert "Dataset (CSV)" in html


# --- Downloads ----------------------------------------------------------------------------------


def test_download_names_the_file_itself_and_is_logged(named_cohort, evaluator):
    run = produced(evaluator)
    response = client_for(evaluator).get(
        reverse("reports:run-download", kwargs={"pk": run.pk, "kind": "xlsx"})
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="ecm-evaluation-report-{run.pk}.xlsx"'
    )
    entry = AccessLogEntry.objects.get(action="report.download")
    assert (entry.user, entry.object_id, entry.detail, entry.allowed) == (
        evaluator,
        str(run.pk),
        "file xlsx",
        True,
    )


def test_download_of_a_kind_the_run_does_not_have_is_not_found(named_cohort, evaluator):
    run = produced(evaluator)
    response = client_for(evaluator).get(
        reverse("reports:run-download", kwargs={"pk": run.pk, "kind": "dataset_csv"})
    )
    assert response.status_code == 404


def test_another_users_run_is_not_found_and_the_attempt_logged(evaluator, manager):
    run = requested(manager)
    other_evaluator = factories.user_with_role("evaluator", username="evan")
    response = client_for(other_evaluator).get(reverse("reports:run-detail", kwargs={"pk": run.pk}))
    assert response.status_code == 404
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.allowed, entry.object_id) == (other_evaluator, False, str(run.pk))


def test_json_download_is_the_documents_json(named_cohort, evaluator):
    run = produced(evaluator)
    response = client_for(evaluator).get(
        reverse("reports:run-download", kwargs={"pk": run.pk, "kind": "json"})
    )
    document = json.loads(b"".join(response.streaming_content))
    assert document["measures"]["referrals"] == 5


# --- The list of runs ---------------------------------------------------------------------------


def test_run_list_shows_only_the_users_own_runs(evaluator, manager):
    mine = requested(evaluator)
    theirs = requested(manager)
    html = client_for(evaluator).get(reverse("reports:run-list")).content.decode()
    assert reverse("reports:run-detail", kwargs={"pk": mine.pk}) in html
    assert reverse("reports:run-detail", kwargs={"pk": theirs.pk}) not in html


def test_run_list_and_run_page_name_the_teams_in_the_readers_language(manager, team_a):
    team_a.name_cy = "Tîm A Cymraeg"
    team_a.save()
    run = requested(manager, teams=[team_a.code])
    client = client_for(manager)
    for page in (reverse("reports:run-list"), reverse("reports:run-detail", kwargs={"pk": run.pk})):
        welsh = client.get(page, HTTP_ACCEPT_LANGUAGE="cy").content.decode()
        english = client.get(page, HTTP_ACCEPT_LANGUAGE="en-gb").content.decode()
        assert "Tîm A Cymraeg" in unescape(welsh)
        assert "Team A" in english


@pytest.mark.parametrize("runs", [1, 50])
def test_run_list_query_budget_for_runs_of_chosen_teams(
    manager, team_a, runs, django_assert_max_num_queries
):
    for _index in range(runs):
        requested(manager, teams=[team_a.code])
    client = client_for(manager)
    with django_assert_max_num_queries(9):  # one more than for all teams: the teams' names
        response = client.get(reverse("reports:run-list"))
    assert response.status_code == 200


@pytest.mark.parametrize("runs", [1, 50])
def test_run_list_query_budget_is_the_same_for_1_and_50_runs(
    evaluator, runs, django_assert_max_num_queries
):
    for _index in range(runs):
        requested(evaluator)
    client = client_for(evaluator)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("reports:run-list"))
    assert response.status_code == 200


@pytest.mark.parametrize("runs", [1, 50])
def test_report_page_query_budget_does_not_depend_on_the_number_of_runs(
    named_cohort, evaluator, runs, django_assert_max_num_queries
):
    run = produced(evaluator)
    for _index in range(runs - 1):
        produced(evaluator) if _index < 2 else requested(evaluator)
    client = client_for(evaluator)
    # The run, its files and the names of teams and of each vocabulary measures are broken
    # down by (need categories, agencies, appointment purposes, reasons, distance-travelled
    # domains) in the reader's language: the same whatever the number of runs or codes.
    with django_assert_max_num_queries(15):
        response = client.get(reverse("reports:run-detail", kwargs={"pk": run.pk}))
    assert response.status_code == 200


# --- The managers' action lists ---------------------------------------------------------------


def _open_case(team, practitioner, **fields):
    return factories.YoungPersonFactory(
        team=team,
        practitioner=practitioner,
        referral_date=timezone.localdate() - timedelta(days=90),
        ecm_start_date=timezone.localdate() - timedelta(days=80),
        **fields,
    )


def test_action_list_shows_own_team_cases_missing_consent_with_links(
    manager, practitioner, other_practitioner, team_a, team_b
):
    own = _open_case(team_a, practitioner, given_name="Ownteamcase")
    _open_case(team_b, other_practitioner, given_name="Otherteamcase")
    html = client_for(manager).get(reverse("reports:action-list"), {"action": "consent_missing"})
    html = html.content.decode()
    assert "Ownteamcase" in html
    assert reverse("cases:youngperson-detail", kwargs={"pk": own.pk}) in html
    assert "Otherteamcase" not in html


def test_action_list_counts_each_action(manager, practitioner, team_a):
    _open_case(team_a, practitioner)
    html = client_for(manager).get(reverse("reports:action-list")).content.decode()
    consent = html.split('id="count-consent_missing"', 1)[1].split("</td>", 1)[0]
    contact = html.split('id="count-no_recent_contact"', 1)[1].split("</td>", 1)[0]
    late = html.split('id="count-initial_formulation_late"', 1)[1].split("</td>", 1)[0]
    assert (consent.strip(">"), contact.strip(">"), late.strip(">")) == ("1", "1", "1")


def test_action_list_leaves_out_cases_that_have_ended(manager, practitioner, team_a):
    _open_case(
        team_a,
        practitioner,
        given_name="Endedcase",
        ecm_end_date=timezone.localdate() - timedelta(days=1),
        end_reason="completed",
    )
    html = client_for(manager).get(reverse("reports:action-list")).content.decode()
    assert "Endedcase" not in html


def test_action_list_with_a_team_that_is_not_the_managers_says_so(manager, team_a, team_b):
    response = client_for(manager).get(reverse("reports:action-list"), {"team": team_b.code})
    assert response.status_code == 200
    assert "Choose one of your teams" in response.content.decode()


def test_viewing_the_action_list_is_logged(manager, team_a):
    client_for(manager).get(reverse("reports:action-list"))
    assert AccessLogEntry.objects.filter(action="report.action_list", user=manager).exists()


@pytest.mark.parametrize("cases", [1, 50])
def test_action_list_query_budget_is_the_same_for_1_and_50_cases(
    manager, practitioner, team_a, cases, django_assert_max_num_queries
):
    for _index in range(cases):
        _open_case(team_a, practitioner)
    client = client_for(manager)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("reports:action-list"))
    assert response.status_code == 200


def test_the_action_list_row_says_how_many_cases_and_which_filters(manager, practitioner, team_a):
    for _index in range(3):
        _open_case(team_a, practitioner)

    client_for(manager).get(
        reverse("reports:action-list"), {"team": team_a.code, "action": "consent_missing"}
    )

    [row] = AccessLogEntry.objects.filter(user=manager)
    assert row.action == "report.action_list"
    assert row.detail == (
        f"young people shown: 3 of 3; filters: action='consent_missing', team={team_a.pk}"
    )
