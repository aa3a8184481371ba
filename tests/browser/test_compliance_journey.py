"""A missed appointment on a statutory order: the practitioner records it, follows the task it
gives her to a compliance decision (a warning, the second unacceptable absence this year),
and the manager agrees from their home page; the record then shows it. Every page is checked
with axe."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import ComplianceDecision, NeedCategory, TRMStage
from cases.reference_data import ensure_defaults
from seed import factories
from tests.browser.conftest import assert_accessible, sign_in


def test_missed_appointment_follow_up_warning_then_manager_agrees(
    page, live_server, practitioner, manager, team_a
):
    ensure_defaults(NeedCategory, TRMStage)  # the live server's database starts empty
    today = timezone.localdate()
    seren = factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        given_name="Seren",
        family_name="Bowen",
        referral_date=today - timedelta(days=120),
        ecm_start_date=today - timedelta(days=110),
    )
    factories.OrderFactory(
        young_person=seren,
        order_type="youth_rehabilitation_order",
        start_date=today - timedelta(days=120),
        end_date=None,
    )
    # A first unacceptable absence, six weeks ago, already met with a warning.
    factories.ComplianceDecisionFactory(
        young_person=seren,
        decided_by=practitioner,
        appointment__starts_at=timezone.now() - timedelta(days=42),
        decided_on=today - timedelta(days=40),
    )
    appointment = factories.AppointmentFactory(
        young_person=seren,
        practitioner=practitioner,
        starts_at=timezone.now() - timedelta(days=1),
        attendance="",
        engagement=None,
        outcome="",
    )

    # Alice records that Seren did not come.
    sign_in(page, live_server, "alice")
    page.goto(
        live_server.url
        + reverse(
            "cases:appointment-edit",
            kwargs={"pk": seren.pk, "appointment_pk": appointment.pk},
        )
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Change an appointment")
    page.get_by_role("group", name="Attendance").get_by_label("Did not attend").check()
    page.get_by_role("button", name="Save appointment").click()
    expect(page.get_by_role("alert")).to_contain_text("updated")

    # The missed appointment gave her a task; it takes her to the decision.
    page.get_by_role("link", name="My tasks").click()
    task = page.get_by_role("row").filter(
        has_text="Record a compliance decision on the missed appointment"
    )
    expect(task).to_contain_text("Seren Bowen")
    assert_accessible(page)
    task.get_by_role("link", name="A reminder from the service").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Compliance decision on a missed appointment"
    )
    assert_accessible(page)

    # Without a reason the form says what is missing.
    page.get_by_label("Warning").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason for the decision")
    assert_accessible(page)
    page.get_by_label("Reason").fill("Her mother was taken ill; she did not ring. Warned.")
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "It needs a manager's agreement"
    )
    card = page.locator("#compliance")
    expect(card).to_contain_text("Awaiting a manager's agreement")
    assert_accessible(page)

    # The task is done.
    page.get_by_role("link", name="My tasks").click()
    expect(
        page.get_by_role("row").filter(
            has_text="Record a compliance decision on the missed appointment"
        )
    ).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()

    # Mona agrees from her home page.
    sign_in(page, live_server, "mona")
    awaiting = page.locator("#awaiting-agreement")
    expect(awaiting).to_contain_text("Warning for Seren Bowen")
    assert_accessible(page)
    awaiting.get_by_role("link", name="Warning for Seren Bowen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Agree or disagree with a compliance decision"
    )
    expect(page.locator("#compliance-decision")).to_contain_text("Her mother was taken ill")
    assert_accessible(page)
    page.get_by_label("Agreed", exact=True).check()
    page.get_by_label("Reason").fill("A warning fits: family crisis, and she engaged well since.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "You agreed with the decision on Seren Bowen's missed appointment"
    )
    expect(page.locator("#awaiting-agreement")).to_contain_text(
        "No compliance decision is waiting for your agreement."
    )

    # The record shows the decision and the agreement.
    page.goto(live_server.url + reverse("cases:youngperson-detail", args=[seren.pk]))
    row = (
        page.locator("#compliance-history")
        .get_by_role("row")
        .filter(has_text="Her mother was taken ill")
    )
    expect(row).to_contain_text("Warning")
    expect(row).to_contain_text("Agreed")
    expect(row).to_contain_text("A warning fits")
    assert_accessible(page)
    decision = ComplianceDecision.objects.get(appointment=appointment)
    assert (decision.decision, decision.agreement, decision.agreed_by) == (
        "warning",
        "agreed",
        manager,
    )
