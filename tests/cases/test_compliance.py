"""Compliance decisions on missed appointments: the follow-up task, the rules, the manager's
agreement, the breach they record, and the pages that show them."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from cases import compliance, services
from cases.models import Breach, CaseEvent, ComplianceDecision
from seed import factories
from tests.conftest import client_for
from work.models import FollowUp, FollowUpKind


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        date_of_birth=timezone.localdate() - relativedelta(years=15),
        referral_date=timezone.localdate() - timedelta(days=300),
    )


@pytest.fixture
def statutory_order(young_person):
    return factories.OrderFactory(
        young_person=young_person,
        order_type="youth_rehabilitation_order",
        start_date=young_person.referral_date,
        end_date=None,
    )


def missed(by, young_person, days_ago=2, attendance="did_not_attend"):
    return services.appointment_log(
        by=by,
        young_person=young_person,
        starts_at=timezone.now() - timedelta(days=days_ago),
        kind="one_to_one",
        purpose_category=factories.appointment_purpose("review"),
        purpose="Weekly review",
        attendance=attendance,
    )


def decide(by, appointment, decision="warning", reason="No contact, no reason given"):
    return compliance.compliance_decision_record(
        by=by, appointment=appointment, decision=decision, reason=reason
    )


def messages_for(error, field):
    return error.value.message_dict.get(field, [])


# --- The follow-up task ------------------------------------------------------------------------


def test_a_missed_appointment_gives_the_practitioner_a_follow_up(practitioner, young_person):
    appointment = missed(practitioner, young_person)
    follow_up = FollowUp.objects.get(kind=FollowUpKind.COMPLIANCE_DECISION)
    assert follow_up.assignee == practitioner
    assert follow_up.appointment == appointment
    assert follow_up.done_on is None
    assert "compliance decision" in follow_up.description
    assert follow_up.due_on > timezone.localdate()


def test_an_attended_appointment_gives_no_follow_up(practitioner, young_person):
    services.appointment_log(
        by=practitioner,
        young_person=young_person,
        starts_at=timezone.now() - timedelta(days=1),
        kind="one_to_one",
        purpose_category=factories.appointment_purpose("review"),
        purpose="Weekly review",
        attendance="attended",
        outcome_code="achieved",
        outcome="Went well",
    )
    assert not FollowUp.objects.filter(kind=FollowUpKind.COMPLIANCE_DECISION).exists()


def test_recording_the_decision_completes_the_follow_up(practitioner, young_person):
    appointment = missed(practitioner, young_person)
    decide(practitioner, appointment)
    follow_up = FollowUp.objects.get(kind=FollowUpKind.COMPLIANCE_DECISION)
    assert follow_up.done_on == timezone.localdate()
    assert follow_up.done_by == practitioner


def test_my_tasks_links_the_follow_up_to_the_decision_page(practitioner, young_person):
    appointment = missed(practitioner, young_person)
    page = client_for(practitioner).get(reverse("work:task-list")).content.decode()
    assert "Record a compliance decision on the missed appointment" in page
    assert reverse("cases:compliancedecision-edit", args=[young_person.pk, appointment.pk]) in page


# --- Validation --------------------------------------------------------------------------------


def test_no_decision_on_an_attended_appointment(practitioner, young_person):
    appointment = factories.AppointmentFactory(young_person=young_person)
    with pytest.raises(ValidationError) as error:
        decide(practitioner, appointment)
    assert messages_for(error, "decision") == [
        "The young person attended this appointment: there is no absence to decide on"
    ]


def test_a_reason_is_required(practitioner, young_person):
    with pytest.raises(ValidationError) as error:
        decide(practitioner, missed(practitioner, young_person), reason="  ")
    assert messages_for(error, "reason") == ["Give the reason for the decision"]


def test_one_live_decision_per_missed_appointment(practitioner, young_person):
    appointment = missed(practitioner, young_person)
    decide(practitioner, appointment)
    with pytest.raises(ValidationError) as error:
        decide(practitioner, appointment, decision="acceptable_absence")
    assert messages_for(error, "decision") == [
        "This missed appointment already has a decision: change that decision instead"
    ]
    assert ComplianceDecision.objects.count() == 1


def test_changing_a_decision_keeps_its_history_and_checks_the_version(practitioner, young_person):
    record = decide(practitioner, missed(practitioner, young_person))
    changed = compliance.compliance_decision_change(
        by=practitioner,
        record=record,
        version=record.version,
        decision="extenuating_circumstances",
        reason="Her grandmother was taken into hospital",
    )
    assert changed.version == 2
    assert [row.decision for row in changed.history.order_by("history_date")] == [
        "warning",
        "extenuating_circumstances",
    ]
    with pytest.raises(services.ConflictError):
        compliance.compliance_decision_change(
            by=practitioner,
            record=record,
            version=1,
            decision="warning",
            reason="Stale page",
        )


# --- The manager's agreement -------------------------------------------------------------------


def test_first_unacceptable_absence_needs_no_agreement(practitioner, young_person, statutory_order):
    assert not decide(practitioner, missed(practitioner, young_person)).needs_agreement


def test_second_unacceptable_absence_on_a_statutory_order_needs_agreement(
    practitioner, young_person, statutory_order
):
    decide(practitioner, missed(practitioner, young_person, days_ago=40))
    second = decide(practitioner, missed(practitioner, young_person, days_ago=2))
    assert second.needs_agreement and second.awaiting_agreement


def test_breach_proceedings_need_no_agreement(practitioner, young_person, statutory_order):
    decide(practitioner, missed(practitioner, young_person, days_ago=40))
    second = decide(practitioner, missed(practitioner, young_person), decision="breach_proceedings")
    assert not second.needs_agreement


def test_an_earlier_absence_over_12_months_ago_does_not_count(
    practitioner, young_person, statutory_order
):
    young_person.referral_date -= timedelta(days=400)
    young_person.save()
    statutory_order.start_date = young_person.referral_date
    statutory_order.save()
    decide(practitioner, missed(practitioner, young_person, days_ago=380))
    assert not decide(practitioner, missed(practitioner, young_person)).needs_agreement


def test_no_agreement_needed_without_a_statutory_order(practitioner, young_person):
    factories.OrderFactory(
        young_person=young_person, order_type="youth_caution", start_date=young_person.referral_date
    )
    decide(practitioner, missed(practitioner, young_person, days_ago=40))
    assert not decide(practitioner, missed(practitioner, young_person)).needs_agreement


@pytest.fixture
def awaiting(practitioner, young_person, statutory_order):
    decide(practitioner, missed(practitioner, young_person, days_ago=40))
    return decide(practitioner, missed(practitioner, young_person))


def test_the_manager_agrees_with_a_reason(manager, awaiting):
    agreed = compliance.compliance_agreement_record(
        by=manager,
        record=awaiting,
        version=awaiting.version,
        agreement="agreed",
        reason="Family crisis; a warning fits",
    )
    assert agreed.agreement == "agreed" and agreed.agreed_by == manager
    assert CaseEvent.objects.filter(action="compliance.agreed").exists()


def test_a_manager_may_not_agree_their_own_decision(team_a, young_person, statutory_order):
    acting = factories.user_with_role(Role.MANAGER, team_a, username="acting")
    decide(acting, missed(acting, young_person, days_ago=40))
    own = decide(acting, missed(acting, young_person))
    with pytest.raises(ValidationError) as error:
        compliance.compliance_agreement_record(
            by=acting, record=own, version=own.version, agreement="agreed", reason="Fine"
        )
    assert messages_for(error, "agreement") == [
        "You made this decision, so you cannot agree or disagree with it: another manager of "
        "the team must"
    ]


def test_agreement_needs_a_reason(manager, awaiting):
    with pytest.raises(ValidationError) as error:
        compliance.compliance_agreement_record(
            by=manager, record=awaiting, version=awaiting.version, agreement="disagreed", reason=""
        )
    assert messages_for(error, "reason") == ["Give the reason you agree or disagree"]


def test_a_changed_decision_asks_again(manager, practitioner, awaiting):
    agreed = compliance.compliance_agreement_record(
        by=manager, record=awaiting, version=awaiting.version, agreement="disagreed", reason="No"
    )
    changed = compliance.compliance_decision_change(
        by=practitioner,
        record=agreed,
        version=agreed.version,
        decision="extenuating_circumstances",
        reason="New information from school",
    )
    assert changed.awaiting_agreement


# --- Breach proceedings ------------------------------------------------------------------------


def test_breach_proceedings_record_the_breach_once(practitioner, young_person, statutory_order):
    appointment = missed(practitioner, young_person)
    record = decide(practitioner, appointment, decision="breach_proceedings")
    breach = Breach.objects.get()
    assert record.breach == breach
    assert breach.order == statutory_order
    assert breach.breach_date == timezone.localtime(appointment.starts_at).date()


def test_changing_away_from_breach_archives_the_breach(practitioner, young_person, statutory_order):
    record = decide(practitioner, missed(practitioner, young_person), decision="breach_proceedings")
    compliance.compliance_decision_change(
        by=practitioner,
        record=record,
        version=record.version,
        decision="warning",
        reason="Court date moved; warning instead",
    )
    assert Breach.objects.get().archived_at is not None
    assert not Breach.objects.filter(archived_at__isnull=True).exists()
    record.refresh_from_db()
    assert record.breach is None


# --- Pages -------------------------------------------------------------------------------------


def test_practitioner_records_a_warning_through_the_page(practitioner, young_person):
    appointment = missed(practitioner, young_person)
    url = reverse("cases:compliancedecision-edit", args=[young_person.pk, appointment.pk])
    response = client_for(practitioner).post(
        url,
        {
            "decision": "warning",
            "reason": "Did not come; no reason",
            "decided_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    page = client_for(practitioner).get(response.url).content.decode()
    assert "Compliance: missed appointments and decisions" in page
    assert "Did not come; no reason" in page


def test_the_page_puts_a_missing_reason_next_to_the_field(practitioner, young_person):
    appointment = missed(practitioner, young_person)
    url = reverse("cases:compliancedecision-edit", args=[young_person.pk, appointment.pk])
    response = client_for(practitioner).post(
        url, {"decision": "warning", "reason": "", "decided_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 200
    assert "Give the reason for the decision" in response.content.decode()


def test_the_manager_home_lists_decisions_awaiting_agreement(manager, young_person, awaiting):
    page = client_for(manager).get(reverse("home")).content.decode()
    assert "Awaiting your agreement" in page
    assert young_person.full_name in page
    assert reverse("cases:compliancedecision-agree", args=[young_person.pk, awaiting.pk]) in page


def test_the_manager_agrees_from_the_page(manager, young_person, awaiting):
    url = reverse("cases:compliancedecision-agree", args=[young_person.pk, awaiting.pk])
    response = client_for(manager).post(
        url + "?next=/", {"agreement": "agreed", "reason": "Fits", "version": awaiting.version}
    )
    assert response.status_code == 302 and response.url == "/"
    awaiting.refresh_from_db()
    assert awaiting.agreement == "agreed"


def test_the_timeline_shows_the_decision(practitioner, young_person):
    decide(practitioner, missed(practitioner, young_person), reason="Overslept after night shift")
    page = (
        client_for(practitioner)
        .get(reverse("cases:youngperson-timeline", args=[young_person.pk]))
        .content.decode()
    )
    assert "Compliance decision: Warning" in page
    assert "Overslept after night shift" in page


def test_an_appointment_missed_long_ago_gives_no_follow_up(practitioner, young_person):
    missed(practitioner, young_person, days_ago=60)
    assert not FollowUp.objects.filter(kind=FollowUpKind.COMPLIANCE_DECISION).exists()


def test_a_decided_missed_appointment_cannot_become_attended(practitioner, young_person):
    appointment = missed(practitioner, young_person)
    decide(practitioner, appointment)
    appointment.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.appointment_update(
            by=practitioner,
            appointment=appointment,
            version=appointment.version,
            attendance="attended",
            outcome="Came after all",
        )
    assert messages_for(error, "attendance") == [
        "This missed appointment has a compliance decision: it cannot be recorded as anything "
        "but missed"
    ]
