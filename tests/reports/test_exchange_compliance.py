"""Compliance decisions brought in by the exchange behave as if recorded through the
services (issue 15): the manager's-agreement rule is worked out, not read from the file; a
decision of breach proceedings is linked to its breach (never two); and a missed appointment
without a decision gives its practitioner the follow-up the service gives."""

from datetime import timedelta

from django.utils import timezone

from cases import rules
from cases.compliance import breach_note, earlier_unacceptable, statutory_order_on
from cases.models import Appointment, Breach, ComplianceDecision
from tests.reports.test_exchange import (
    _queries_to_import,
    appended,
    changed,
    exported,
    fixture_files,
    problems,
    rows_of,
    run,
    state,
)
from work.models import FollowUp, FollowUpKind
from work.reminders import next_working_day

EARLIER_WARNING = "YP001,2016-04-08T10:00,warning,Did not come and did not ring"


def _decision(purpose: str) -> ComplianceDecision:
    return ComplianceDecision.objects.select_related("appointment", "breach").get(
        appointment__purpose=purpose
    )


# --- needs_agreement: the service's rule ---------------------------------------------------------


def test_whether_a_decision_needs_agreement_is_the_services_rule(db):
    assert problems(run(fixture_files())) == []

    for decision in ComplianceDecision.objects.select_related("appointment__young_person"):
        appointment = decision.appointment
        order = statutory_order_on(appointment.young_person, appointment.starts_at.date())
        assert decision.needs_agreement == rules.compliance_needs_agreement(
            decision.decision,
            on_statutory_order=order is not None,
            earlier_unacceptable=earlier_unacceptable(appointment),
        )
    # The second unacceptable absence on the referral order needs it; the first does not.
    assert _decision("Meet the family").needs_agreement is True
    assert _decision("First session at the office").needs_agreement is False


def test_the_files_needs_agreement_is_not_read(db):
    files = changed(
        "compliance_decisions.csv",
        "Did not come and did not ring,2016-04-08,S001,no",
        "Did not come and did not ring,2016-04-08,S001,yes",
    )

    assert problems(run(files)) == []

    assert _decision("First session at the office").needs_agreement is False


def test_an_agreement_on_a_decision_that_needs_none_means_nothing_is_written(db):
    before = state()
    # Without the earlier warning, the absence of 12 April is the first judged unacceptable.
    files = changed(
        "compliance_decisions.csv",
        EARLIER_WARNING,
        "YP001,2016-04-08T10:00,acceptable_absence,Did not come and did not ring",
    )

    result = run(files)

    assert problems(result) == [
        "compliance_decisions.csv:2: agreement: this decision does not need a manager's "
        "agreement (only one short of breach proceedings, on a statutory order, after an "
        "earlier absence judged unacceptable within 12 months does); leave agreement empty"
    ]
    assert result.written is False
    assert state() == before


# --- breach proceedings: linked to the breach -----------------------------------------------------


def test_breach_proceedings_are_linked_to_the_breach_of_that_day(db):
    assert problems(run(fixture_files())) == []

    decision = _decision("Review of the order")
    assert decision.breach is not None
    assert (decision.breach.breach_date.isoformat(), decision.breach.note) == (
        "2016-08-01",
        "Missed two appointments",
    )
    assert Breach.objects.filter(young_person__reference="YP001").count() == 1


def test_breach_proceedings_without_a_breach_row_record_the_breach_as_the_service_does(
    db, tmp_path
):
    files = changed("breaches.csv", "YP001,2016-08-01,Missed two appointments\n", "")

    assert problems(run(files)) == []

    decision = _decision("Review of the order")
    (breach,) = Breach.objects.filter(young_person__reference="YP001")
    assert decision.breach == breach
    assert breach.breach_date.isoformat() == "2016-08-01"
    assert breach.note == breach_note(decision.appointment, "Third missed appointment since April")
    assert breach.order.order_type == "referral_order"

    # Importing again, or exporting and importing that, adds no second breach.
    again = run(files)
    assert problems(again) == [] and again.created == 0
    first = exported(tmp_path, "first")
    assert problems(run(first)) == []
    assert Breach.objects.filter(young_person__reference="YP001").count() == 1


def test_the_breach_a_decision_recorded_exports_as_a_breach_row_that_imports_back(db, tmp_path):
    files = changed("breaches.csv", "YP001,2016-08-01,Missed two appointments\n", "")
    run(files)
    note = "Breach proceedings after the missed appointment on 1 August 2016: Third missed "
    note += "appointment since April"

    # The export is the fixture with the service's breach in breaches.csv, which, imported
    # into an empty database, links the decision to that one breach (as the fixture's does).
    assert rows_of(exported(tmp_path)) == rows_of(
        changed("breaches.csv", "Missed two appointments", note)
    )


# --- a missed appointment without a decision: the follow-up -------------------------------------


def _missed(days_ago: int) -> str:
    moment = timezone.localtime() - timedelta(days=days_ago)
    return f"YP002,{moment:%Y-%m-%dT10:00},one_to_one,review,Missed last week,,did_not_attend,,,,,"


def test_a_recently_missed_appointment_gets_the_services_follow_up(db):
    assert problems(run(appended("appointments.csv", _missed(3)))) == []

    appointment = Appointment.objects.get(purpose="Missed last week")
    follow_up = FollowUp.objects.get(kind=FollowUpKind.COMPLIANCE_DECISION)
    missed_on = timezone.localtime(appointment.starts_at).date()
    due = max(missed_on, timezone.localdate())
    for _day in range(3):
        due = next_working_day(due)
    assert (follow_up.appointment, follow_up.assignee.staff_ref, follow_up.on) == (
        appointment,
        "S001",
        missed_on,
    )
    assert follow_up.due_on == due
    assert follow_up.description == (
        "Record a compliance decision on the missed appointment of "
        f"{missed_on.day} {missed_on:%B %Y}"
    )
    assert follow_up.done_on is None


def test_no_follow_up_for_an_old_missed_appointment_a_decided_one_or_a_check(db):
    assert problems(run(appended("appointments.csv", _missed(40)), dry_run=True)) == []
    assert problems(run(appended("appointments.csv", _missed(3)), dry_run=True)) == []
    assert not FollowUp.objects.exists()

    files = appended("appointments.csv", _missed(40))
    moment = timezone.localtime() - timedelta(days=3)
    files = appended("appointments.csv", _missed(3).replace("Missed last week", "Decided"), files)
    files = appended(
        "compliance_decisions.csv",
        f"YP002,{moment:%Y-%m-%dT10:00},acceptable_absence,Ill,{moment:%Y-%m-%d},S001,no,,,",
        files,
    )
    assert problems(run(files)) == []

    assert not FollowUp.objects.exists()  # the fixture's 2016 absences are decided or old too


def test_the_compliance_fixture_round_trips_and_reimporting_changes_nothing(db, tmp_path):
    run(fixture_files())
    files = exported(tmp_path)
    assert (
        rows_of(files)["compliance_decisions.csv"]
        == (rows_of(fixture_files())["compliance_decisions.csv"])
    )
    before = state()

    again = run(files)

    assert problems(again) == [] and (again.created, again.updated) == (0, 0)
    assert state() == before


def test_the_queries_to_give_follow_ups_do_not_grow_with_the_missed_appointments(db):
    def files(count):
        lines = [
            _missed(1 + index % 25).replace("Missed last week", f"Missed {index}")
            for index in range(count)
        ]
        return appended("appointments.csv", "\n".join(lines))

    assert _queries_to_import(files(1)) == _queries_to_import(files(30))


def test_a_decision_changed_away_from_breach_proceedings_archives_its_breach(db):
    run(fixture_files())

    result = run(
        changed(
            "compliance_decisions.csv",
            "breach_proceedings,Third missed appointment since April",
            "warning,Third missed appointment since April",
        )
    )

    assert problems(result) == []
    decision = _decision("Review of the order")
    assert (decision.decision, decision.breach) == ("warning", None)
    breach = Breach.objects.get(young_person__reference="YP001")
    assert breach.archived_at is not None
    assert breach.archived_reason == "The compliance decision changed to: Warning"
