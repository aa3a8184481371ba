"""Report runs: requesting (validation, scope), the task (idempotent, progress, failure) and
housekeeping (stuck runs, expired files). The worked cohort comes from test_measures."""

import io
import json
import logging
import subprocess
import sys
import time
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import InterfaceError, OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import YoungPerson
from reports import exports
from reports.measures import REGISTRY
from reports.models import FileKind, ReportFile, ReportRun, RunStatus
from reports.services import outputs
from reports.services.claims import MAX_ATTEMPTS, observe_progress
from reports.services.execution import report_execute
from reports.services.housekeeping import report_housekeeping
from reports.services.requests import report_request
from reports.tasks import run_report_task
from tests.reports.test_measures import cohort  # noqa: F401 - the worked cohort fixture

PERIOD = {
    "date_from": date(2024, 1, 1),
    "date_to": date(2024, 12, 31),
    "as_of": date(2026, 6, 30),
    "follow_up_months": 12,
    "fidelity_window_days": 56,
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT


REAL_PDF = exports.evaluation_pdf


@pytest.fixture(autouse=True)
def quick_pdf(monkeypatch):
    """WeasyPrint takes seconds per report; the PDF itself is tested in test_exports."""
    monkeypatch.setattr(exports, "evaluation_pdf", lambda html: b"%PDF-1.7 stand-in")


def requested(by, kind="evaluation", **parameters):
    return report_request(by=by, kind=kind, parameters={**PERIOD, **parameters}, enqueue=False)


def produced(run):
    """Run the report task in this process, as the eager mode and the command line do."""
    run_report_task.apply(args=(run.pk,))
    run.refresh_from_db()
    return run


def document_of(run) -> dict:
    report_file = run.files.get(kind=FileKind.JSON)
    return json.loads(report_file.file.read())


def error_of(excinfo, field) -> str:
    return " ".join(excinfo.value.message_dict[field])


# --- Requesting ---------------------------------------------------------------------------------


def test_request_creates_a_queued_run_and_enqueues_it_only_on_commit(
    evaluator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = report_request(by=evaluator, kind="evaluation", parameters=PERIOD)
    assert (run.status, run.progress, run.requested_by) == (RunStatus.QUEUED, 0, evaluator)
    assert len(callbacks) == 1


def test_the_enqueued_task_runs_the_report_when_the_transaction_commits(
    evaluator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = report_request(by=evaluator, kind="evaluation", parameters=PERIOD)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED


def test_parameters_are_stored_as_the_json_output_shows_them(evaluator):
    run = requested(evaluator, suppression=True, suppression_threshold=3)
    assert run.parameters == {
        "date_from": "2024-01-01",
        "date_to": "2024-12-31",
        "teams": "all",
        "follow_up_months": 12,
        "as_of": "2026-06-30",
        "fidelity_window_days": 56,
        "suppression": True,
        "suppression_threshold": 3,
    }


def test_as_of_defaults_to_today(evaluator):
    run = requested(evaluator, as_of=None)
    assert run.parameters["as_of"] == timezone.localdate().isoformat()


def test_period_ending_before_it_starts_is_refused(evaluator):
    with pytest.raises(ValidationError) as excinfo:
        requested(evaluator, date_from=date(2024, 6, 1), date_to=date(2024, 5, 31))
    assert "same as or after its start" in error_of(excinfo, "date_to")


@pytest.mark.parametrize("months", [0, 61, "twelve"])
def test_follow_up_months_outside_1_to_60_are_refused(evaluator, months):
    with pytest.raises(ValidationError) as excinfo:
        requested(evaluator, follow_up_months=months)
    assert "from 1 to 60" in error_of(excinfo, "follow_up_months")


@pytest.mark.parametrize("threshold", [1, 0, 101])
def test_suppression_threshold_outside_2_to_100_is_refused(evaluator, threshold):
    with pytest.raises(ValidationError) as excinfo:
        requested(evaluator, suppression=True, suppression_threshold=threshold)
    assert "from 2 to 100" in error_of(excinfo, "suppression_threshold")


def test_unknown_team_code_is_refused(evaluator, team_a):
    with pytest.raises(ValidationError) as excinfo:
        requested(evaluator, teams=[team_a.code, "nowhere"])
    assert error_of(excinfo, "teams") == "Unknown team code: nowhere"


def test_manager_asking_for_another_team_is_refused(manager, team_b):
    with pytest.raises(ValidationError) as excinfo:
        requested(manager, teams=[team_b.code])
    assert error_of(excinfo, "teams") == "You can only report on your own teams"


def test_manager_asking_for_all_teams_gets_only_their_own(manager, team_a, team_b):
    run = requested(manager, teams="all")
    assert (run.scope_team_ids, run.team_ids, run.parameters["teams"]) == (
        [team_a.pk],
        [team_a.pk],
        [team_a.code],
    )


def test_evaluator_may_report_on_every_team(evaluator, team_a, team_b):
    run = requested(evaluator)
    assert (run.scope_team_ids, run.team_ids) == (None, None)


def test_manager_may_not_request_the_pseudonymised_dataset(manager):
    with pytest.raises(PermissionDenied):
        requested(manager, kind="evaluation_dataset")


@pytest.mark.parametrize("role", ["practitioner", "psychologist", "admin"])
def test_roles_without_reports_may_not_request_one(users_by_role, role):
    with pytest.raises(PermissionDenied):
        requested(users_by_role[role])


# --- The task -----------------------------------------------------------------------------------


def test_the_task_produces_every_output_and_finishes_at_100_percent(cohort, evaluator):  # noqa: F811
    run = produced(requested(evaluator))
    assert (run.status, run.progress, run.progress_text, run.attempts) == (
        RunStatus.SUCCEEDED,
        100,
        "Finished",
        1,
    )
    assert set(run.files.values_list("kind", flat=True)) == {"json", "csv", "xlsx", "pdf", "html"}
    assert run.expires_at == run.finished_at + timedelta(days=7)


def test_progress_is_recorded_on_the_run_after_each_measure(cohort, evaluator):  # noqa: F811
    run = requested(evaluator)
    seen = []
    with observe_progress(lambda percent, text: seen.append((percent, text))):
        produced(run)
    measures = [text for _percent, text in seen if text.startswith("Calculated")]
    total = len(REGISTRY)
    assert measures[0] == f"Calculated 1 of {total} measures"
    assert measures[-1] == f"Calculated {total} of {total} measures"
    assert len(measures) == total
    assert [percent for percent, _text in seen] == sorted(percent for percent, _text in seen)


def test_the_manager_report_never_includes_other_teams(cohort, manager, team_a):  # noqa: F811
    run = produced(requested(manager))
    assert list(document_of(run)["by_team"]) == ["a"]
    assert document_of(run)["measures"]["referrals"] == 3


def test_running_the_task_again_for_a_succeeded_run_does_nothing(cohort, evaluator):  # noqa: F811
    run = produced(requested(evaluator))
    before = list(run.files.order_by("kind").values_list("kind", "sha256", "file"))
    assert run_report_task.apply(args=(run.pk,)).get() == "done"
    run.refresh_from_db()
    assert list(run.files.order_by("kind").values_list("kind", "sha256", "file")) == before
    assert (run.attempts, ReportFile.objects.count()) == (1, 5)


def test_a_run_whose_worker_is_still_writing_progress_is_left_alone(evaluator):
    run = requested(evaluator)
    ReportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, heartbeat_at=timezone.now(), claim_token="live", attempts=1
    )
    outcome = report_execute(run.pk)
    run.refresh_from_db()
    assert (outcome.state, run.status, run.claim_token) == ("busy", RunStatus.RUNNING, "live")
    assert 0 < outcome.retry_in <= 15 * 60 + 1


def test_a_run_whose_worker_stopped_writing_progress_is_taken_over(cohort, evaluator):  # noqa: F811
    run = requested(evaluator)
    ReportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING,
        heartbeat_at=timezone.now() - timedelta(minutes=16),
        claim_token="dead",
        attempts=1,
    )
    run = produced(run)
    assert (run.status, run.attempts, run.files.count()) == (RunStatus.SUCCEEDED, 2, 5)


def test_a_worker_that_lost_its_claim_writes_no_files(
    cohort,  # noqa: F811
    evaluator,
    monkeypatch,
    media_root,
):
    run = requested(evaluator)
    real = outputs.compute_all

    def taken_over_meanwhile(scope, progress=None):
        results = real(scope)
        ReportRun.objects.filter(pk=run.pk).update(claim_token="another-worker")
        return results

    monkeypatch.setattr(outputs, "compute_all", taken_over_meanwhile)
    assert report_execute(run.pk).state == "lost"
    run.refresh_from_db()
    assert (run.status, run.files.count()) == (RunStatus.RUNNING, 0)
    assert [path for path in media_root.rglob("*") if path.is_file()] == []


def test_an_unexpected_failure_is_shown_with_a_reason_and_logged_without_data(
    evaluator, monkeypatch, caplog
):
    def broken(scope, progress=None):
        raise RuntimeError("Jamie Smith, born 2008-03-15, ref ABC123")

    monkeypatch.setattr(outputs, "compute_all", broken)
    run = requested(evaluator)
    with caplog.at_level(logging.INFO, logger="reports.services"):
        run = produced(run)
    assert run.status == RunStatus.FAILED
    assert run.error_message.startswith("Something went wrong while the report was produced")
    assert f"report run {run.pk}" in run.error_message
    assert "RuntimeError" in caplog.text
    for secret in ("Jamie", "Smith", "2008-03-15", "ABC123", "test-study-key"):
        assert secret not in caplog.text
        assert secret not in run.error_message


def test_the_dataset_without_a_study_key_fails_with_a_reason_to_give_the_administrator(
    cohort,  # noqa: F811
    evaluator,
    settings,
):
    settings.ECM_STUDY_KEY = ""
    run = produced(requested(evaluator, kind="evaluation_dataset"))
    assert run.status == RunStatus.FAILED
    assert "no study key" in run.error_message


def test_a_transient_database_error_puts_the_run_back_in_the_queue_for_a_retry(
    evaluator, monkeypatch
):
    def unreachable(scope, progress=None):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(outputs, "compute_all", unreachable)
    run = requested(evaluator)
    with pytest.raises(OperationalError):
        report_execute(run.pk, final_attempt=False)
    run.refresh_from_db()
    assert (run.status, run.claim_token, run.attempts) == (RunStatus.QUEUED, "", 1)


def test_a_transient_error_on_the_last_attempt_fails_the_run_with_a_reason(evaluator, monkeypatch):
    def unreachable(scope, progress=None):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(outputs, "compute_all", unreachable)
    run = requested(evaluator)
    assert report_execute(run.pk, final_attempt=True).state == "failed"
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "database could not be reached" in run.error_message


def test_in_process_a_transient_error_fails_the_run_instead_of_raising(evaluator, monkeypatch):
    def unreachable(scope, progress=None):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(outputs, "compute_all", unreachable)
    run = produced(requested(evaluator))
    assert run.status == RunStatus.FAILED


# --- Housekeeping -------------------------------------------------------------------------------


def test_housekeeping_requeues_a_run_whose_worker_died(
    evaluator, django_capture_on_commit_callbacks
):
    run = requested(evaluator)
    ReportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING,
        heartbeat_at=timezone.now() - timedelta(minutes=20),
        claim_token="dead",
        attempts=1,
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = report_housekeeping()
    run.refresh_from_db()
    assert (result.requeued, run.status, run.claim_token) == (1, RunStatus.QUEUED, "")
    assert len(callbacks) == 1


def test_housekeeping_leaves_a_run_that_is_making_progress(evaluator):
    run = requested(evaluator)
    ReportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, heartbeat_at=timezone.now(), claim_token="live", attempts=1
    )
    assert report_housekeeping().requeued == 0


def test_housekeeping_gives_up_on_a_run_interrupted_too_often(evaluator):
    run = requested(evaluator)
    ReportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING,
        heartbeat_at=timezone.now() - timedelta(minutes=20),
        attempts=MAX_ATTEMPTS,
    )
    assert report_housekeeping().given_up == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "interrupted 5 times" in run.error_message


def test_housekeeping_deletes_files_after_the_retention_period(cohort, evaluator, media_root):  # noqa: F811
    run = produced(requested(evaluator))
    stored = [media_root / name for name in run.files.values_list("file", flat=True)]
    assert all(path.is_file() for path in stored)
    result = report_housekeeping(now=run.expires_at + timedelta(seconds=1))
    run.refresh_from_db()
    assert (result.files_deleted, run.files.count()) == (5, 0)
    assert run.files_deleted_at is not None
    assert not any(path.exists() for path in stored)


def test_housekeeping_keeps_files_within_the_retention_period(cohort, evaluator):  # noqa: F811
    run = produced(requested(evaluator))
    assert report_housekeeping(now=run.expires_at - timedelta(hours=1)).files_deleted == 0


def test_requeue_stuck_reports_command_says_what_it_did(evaluator, capsys):
    run = requested(evaluator)
    ReportRun.objects.filter(pk=run.pk).update(queued_at=timezone.now() - timedelta(hours=1))
    call_command("requeue_stuck_reports")
    assert "Re-queued 1 report run(s)" in capsys.readouterr().out


# --- Scale --------------------------------------------------------------------------------------


def _young_people(count: int, team, practitioner):
    """`count` young people in the cohort, each with an offence and an appointment, created
    with a handful of bulk inserts (and their stored facts worked out, as a bulk writer's
    are)."""
    from cases import summary
    from cases.models import Appointment, Offence

    existing = YoungPerson.objects.count()
    people = YoungPerson.objects.bulk_create(
        YoungPerson(
            team=team,
            reference=f"SCALE{existing + index:06d}",
            given_name="Scale",
            family_name=f"Person{index}",
            date_of_birth=date(2008, 1, 1),
            gender="male" if index % 2 else "female",
            referral_date=date(2024, 1, 1) + timedelta(days=index % 300),
            ecm_start_date=date(2024, 2, 1) + timedelta(days=index % 300),
            parent_consent_required=False,
            practitioner=practitioner,
        )
        for index in range(count)
    )
    Offence.objects.bulk_create(
        Offence(
            young_person=person,
            committed_on=person.ecm_start_date - timedelta(days=30),
            description="Theft",
            gravity=3,
        )
        for person in people
    )
    Appointment.objects.bulk_create(
        Appointment(
            young_person=person,
            starts_at=timezone.make_aware(
                datetime.combine(person.ecm_start_date + timedelta(days=7), datetime.min.time())
                + timedelta(hours=10)
            ),
            kind="one_to_one",
            purpose="Check-in",
            attendance="attended",
            engagement=3,
            practitioner=practitioner,
        )
        for person in people
    )
    summary.refresh(person.pk for person in people)


def _report_queries(evaluator) -> tuple[int, float]:
    run = requested(evaluator)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        report_execute(run.pk)
    elapsed = time.perf_counter() - started
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    return len(queries.captured_queries), elapsed


def test_a_report_on_2000_young_people_takes_as_many_queries_as_on_200(
    evaluator, team_a, practitioner, monkeypatch
):
    monkeypatch.setattr(exports, "evaluation_pdf", REAL_PDF)
    _young_people(200, team_a, practitioner)
    small, _small_seconds = _report_queries(evaluator)
    _young_people(1800, team_a, practitioner)
    assert YoungPerson.objects.count() == 2000
    large, large_seconds = _report_queries(evaluator)
    print(
        f"report on 200 and 2,000 young people: {small} and {large} queries; {large_seconds:.1f}s"
    )
    assert large == small
    assert large < 250
    assert large_seconds < 30


# --- The command line ---------------------------------------------------------------------------

COMMAND_PERIOD = ["--from", "2024-01-01", "--to", "2024-12-31", "--as-of", "2026-06-30"]


def run_report(*args) -> str:
    out = io.StringIO()
    call_command("run_report", *args, stdout=out)
    return out.getvalue()


def test_run_report_writes_the_json_of_design_section_8(cohort, tmp_path):  # noqa: F811
    output = tmp_path / "report.json"
    printed = run_report("evaluation", *COMMAND_PERIOD, "--format", "json", "--output", output)
    document = json.loads(output.read_text())
    assert list(document) == ["parameters", "measures", "by_team", "targets", "comparison"]
    assert (document["measures"]["referrals"], document["by_team"]["b"]["referrals"]) == (5, 2)
    assert f"Calculated {len(REGISTRY)} of {len(REGISTRY)} measures" in printed
    assert f"Wrote {output}" in printed


def test_run_report_goes_through_a_report_run_like_the_web_page(cohort, tmp_path):  # noqa: F811
    run_report("evaluation", *COMMAND_PERIOD, "--format", "csv", "--output", tmp_path / "r.csv")
    run = ReportRun.objects.get()
    assert (run.requested_by, run.status, run.attempts) == (None, RunStatus.SUCCEEDED, 1)


def test_run_report_restricts_to_the_teams_named(cohort, tmp_path):  # noqa: F811
    output = tmp_path / "report.json"
    run_report("evaluation", *COMMAND_PERIOD, "--team", "b", "--format", "json", "--output", output)
    document = json.loads(output.read_text())
    assert (list(document["by_team"]), document["measures"]["referrals"]) == (["b"], 2)


def test_run_report_writes_csv(cohort, tmp_path):  # noqa: F811
    output = tmp_path / "report.csv"
    run_report("evaluation", *COMMAND_PERIOD, "--format", "csv", "--output", output)
    assert output.read_bytes().startswith(
        b"id,label,team,team_name,category,category_name,value\r\n"
        b"referrals,Referrals,all,All teams,,,5\r\n"
    )


def test_run_report_writes_xlsx(cohort, tmp_path):  # noqa: F811
    output = tmp_path / "report.xlsx"
    run_report("evaluation", *COMMAND_PERIOD, "--format", "xlsx", "--output", output)
    with zipfile.ZipFile(output) as workbook:
        assert '<sheet name="Measures"' in workbook.read("xl/workbook.xml").decode()


def test_run_report_writes_pdf(cohort, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr(exports, "evaluation_pdf", REAL_PDF)
    output = tmp_path / "report.pdf"
    run_report("evaluation", *COMMAND_PERIOD, "--format", "pdf", "--output", output)
    assert output.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_run_report_writes_the_evaluation_dataset(cohort, tmp_path, file_format):  # noqa: F811
    output = tmp_path / f"dataset.{file_format}"
    printed = run_report(
        "evaluation-dataset", *COMMAND_PERIOD, "--format", file_format, "--output", output
    )
    assert "1 rows" in printed
    if file_format == "csv":
        assert output.read_text().startswith("pseudonym,team_code,")
    else:
        assert zipfile.is_zipfile(output)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "2024-13-01", "--to", "2024-12-31"],
            "--from: expected a date as YYYY-MM-DD, got '2024-13-01'",
        ),
        (
            ["--from", "2024-01-01", "--to", "2024-12-31", "--as-of", "yesterday"],
            "--as-of: expected a date as YYYY-MM-DD, got 'yesterday'",
        ),
        (
            ["--from", "2024-01-01", "--to", "2024-12-31", "--team", "nowhere"],
            "--team: Unknown team code: nowhere",
        ),
        (
            ["--from", "2024-06-01", "--to", "2024-01-01"],
            "--to: The end of the period must be the same as or after its start",
        ),
        (
            ["--from", "2024-01-01", "--to", "2024-12-31", "--follow-up-months", "61"],
            "--follow-up-months: Follow-up months must be a whole number from 1 to 60",
        ),
    ],
)
def test_run_report_stops_with_a_clear_message_on_bad_options(db, tmp_path, args, message):
    with pytest.raises(CommandError) as excinfo:
        run_report("evaluation", *args, "--format", "json", "--output", tmp_path / "r.json")
    assert str(excinfo.value) == message
    assert ReportRun.objects.count() == 0


def test_run_report_refuses_a_format_the_dataset_does_not_come_in(db, tmp_path):
    with pytest.raises(CommandError) as excinfo:
        run_report(
            "evaluation-dataset", *COMMAND_PERIOD, "--format", "pdf", "--output", tmp_path / "x"
        )
    assert (
        str(excinfo.value) == "--format: evaluation-dataset can be written as csv or xlsx, not pdf"
    )


def test_run_report_exits_non_zero_on_a_bad_date(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "run_report",
            "evaluation",
            "--from",
            "01/01/2024",
            "--to",
            "2024-12-31",
            "--format",
            "json",
            "--output",
            str(tmp_path / "r.json"),
        ],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "--from: expected a date as YYYY-MM-DD, got '01/01/2024'" in result.stderr


# --- How the tasks are set up -------------------------------------------------------------------


def test_the_report_task_is_acknowledged_late_and_retried_on_transient_errors():
    assert run_report_task.acks_late is True
    assert run_report_task.reject_on_worker_lost is True
    assert set(run_report_task.autoretry_for) == {OperationalError, InterfaceError}
    assert run_report_task.retry_backoff


def test_beat_runs_the_housekeeping_task_every_five_minutes(settings):
    from ecm.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["reports-housekeeping"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == timedelta(minutes=5)


def test_the_housekeeping_task_reports_what_it_did(evaluator):
    from reports.tasks import report_housekeeping_task

    requested(evaluator)
    ReportRun.objects.update(queued_at=timezone.now() - timedelta(hours=1))
    assert report_housekeeping_task.apply().get() == {
        "requeued": 1,
        "given_up": 0,
        "files_deleted": 0,
        "exchange_imports_sent_again": 0,
        "exchange_problem_lists_cleared": 0,
    }
