"""An administrator records a training course and who attended it in the training register
(the admin site, as the service has it: accounts/admin.py), mistyping the date first; the
evaluator's report then shows the share of practitioners trained before their first ECM case.
"""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from accounts.models import Role, TrainingAttendance, TrainingCourse
from reports import exports, queue
from reports.models import ReportRun
from reports.tasks import run_report_task
from seed import factories
from tests.browser.conftest import assert_accessible, sign_in


@pytest.fixture(autouse=True)
def queued_not_run(monkeypatch, settings, tmp_path):
    """Requests queue their run and nothing picks it up until the test runs the task."""
    settings.MEDIA_ROOT = tmp_path / "files"
    monkeypatch.setattr(queue, "send_report_run", lambda run_id: None)
    monkeypatch.setattr(exports, "evaluation_pdf", lambda html: b"%PDF-1.7 stand-in")


@pytest.fixture
def two_practitioners_cases(team_a, practitioner):
    """Alice and Carys each have two cases started in 2024. Carys attended an ECM refresher
    in 2023, before her first case; Alice's training is not in the register yet."""
    practitioner.first_name, practitioner.last_name = "Alice", "Rees"
    practitioner.save()
    carys = factories.user_with_role(
        Role.PRACTITIONER, team_a, username="carys", first_name="Carys", last_name="Lloyd"
    )
    refresher = TrainingCourse.objects.create(code="ecm-refresher", name="ECM refresher")
    TrainingAttendance.objects.create(user=carys, course=refresher, attended_on=date(2023, 6, 1))
    for who in (practitioner, carys):
        for month in (4, 6):
            factories.YoungPersonFactory(
                team=team_a,
                practitioner=who,
                referral_date=date(2024, month - 1, 1),
                ecm_start_date=date(2024, month, 1),
            )


def test_administrator_records_training_and_the_evaluator_sees_the_trained_share(
    page, live_server, two_practitioners_cases, administrator, evaluator
):
    # Ada adds the ECM practitioner course to the register.
    sign_in(page, live_server, "ada")
    page.goto(live_server.url + "/admin/accounts/trainingcourse/add/")
    page.get_by_label("Name (English)").fill("ECM practitioner")
    page.get_by_label("Name (Welsh)").fill("Ymarferydd ECM")
    page.get_by_label("Code").fill("ecm-practitioner")
    expect(page.get_by_label("Counts as ECM training")).to_be_checked()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was added successfully")).to_be_visible()

    # Then that Alice attended it, typing next year's date first.
    page.goto(live_server.url + "/admin/accounts/trainingattendance/add/")
    page.locator("#id_user + .select2").click()
    page.locator(".select2-search__field").fill("Alice")
    page.get_by_role("option", name=re.compile("Alice Rees")).click()
    page.get_by_label("Course").select_option(label="ECM practitioner")
    page.get_by_label("Date attended").fill("2099-03-01")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("The date attended cannot be in the future.")).to_be_visible()
    page.get_by_label("Date attended").fill("2024-03-01")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    assert TrainingAttendance.objects.filter(
        user__username="alice", course__code="ecm-practitioner", attended_on=date(2024, 3, 1)
    ).exists()
    page.context.clear_cookies()

    # Eve asks for the 2024 evaluation report, with a threshold of 2 for this small team.
    sign_in(page, live_server, "eve")
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("button", name="Request a report").click()
    page.get_by_label("Referred from").fill("2024-01-01")
    page.get_by_label("Referred to").fill("2024-12-31")
    page.get_by_label("Outcomes as of").fill("2026-06-30")
    page.get_by_label("Suppression threshold").fill("2")
    page.get_by_role("button", name="Request the report").click()
    run_report_task.apply(args=(ReportRun.objects.get(status="queued").pk,))
    expect(page.get_by_role("heading", name="Download")).to_be_visible(timeout=15_000)

    # Both practitioners were trained before their first ECM case: Carys on the refresher,
    # Alice on the course Ada recorded.
    trained = page.get_by_role(
        "row", name=re.compile("^Share of practitioners trained before their first ECM case")
    ).first
    expect(trained).to_contain_text("100.0%")
    with_cases = page.get_by_role("row", name=re.compile("^Practitioners with ECM cases")).first
    expect(with_cases).to_contain_text("2")
    assert_accessible(page)
