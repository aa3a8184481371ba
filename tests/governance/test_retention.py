"""Retention schedules (issue 17): who is due, the nightly review, approving it, the dry run."""

from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from accounts.models import AccessLogEntry
from cases.models import CaseEvent, YoungPerson
from governance import retention, schedules
from governance.due import add_years, due_young_people, subtract_years
from governance.models import (
    LegalHold,
    RetentionReview,
    RetentionRule,
    RetentionRun,
    ReviewStatus,
)
from governance.tasks import build_retention_review_task

from .conftest import due_references, years_ago

pytestmark = pytest.mark.django_db


def dry_run(*arguments) -> str:
    out = StringIO()
    call_command("apply_retention", "--dry-run", *arguments, stdout=out)
    return out.getvalue()


def listed_references(output: str) -> set[str]:
    return {line.split(" ", 1)[0] for line in output.splitlines() if "due since" in line}


# --- The rules --------------------------------------------------------------------------------


def test_the_default_rules_are_loaded():
    rules = {
        (rule.case_kind, rule.years, rule.counted_from)
        for rule in RetentionRule.objects.filter(team__isnull=True)
    }
    assert rules == {
        ("out_of_court", 3, "last_action"),
        ("referral_only", 3, "last_action"),
        ("court_order", 5, "order_end"),
    }


def test_only_a_court_order_rule_counts_from_the_end_of_the_order(administrator):
    with pytest.raises(ValidationError) as error:
        schedules.rule_save(
            values={
                "case_kind": "referral_only",
                "years": 3,
                "counted_from": "order_end",
                "team": None,
                "in_force_from": date(2030, 1, 1),
                "in_force_until": None,
            },
            by=administrator,
        )
    assert "Only a rule for court orders can count from the end" in str(error.value)


def test_two_national_rules_for_one_kind_cannot_be_in_force_together(administrator):
    with pytest.raises(ValidationError) as error:
        schedules.rule_save(
            values={
                "case_kind": "court_order",
                "years": 6,
                "counted_from": "order_end",
                "team": None,
                "in_force_from": date(2030, 1, 1),
                "in_force_until": None,
            },
            by=administrator,
        )
    assert "Another rule for this kind of case and every team (national)" in str(error.value)


def test_changing_a_rule_makes_a_new_version_with_history(administrator):
    rule = RetentionRule.objects.get(case_kind="court_order", team__isnull=True)
    changed = schedules.rule_save(values={"years": 6}, by=administrator, existing=rule)

    assert (changed.years, changed.version) == (6, 2)
    assert changed.history.first().history_user == administrator


def test_a_year_is_added_to_29_february_as_1_march():
    assert add_years(date(2020, 2, 29), 3) == date(2023, 3, 1)
    assert subtract_years(date(2024, 2, 29), 3) == date(2021, 2, 28)


# --- Who is due -------------------------------------------------------------------------------


def test_the_dry_run_lists_exactly_the_due_young_people(retention_cases):
    output = dry_run()

    assert listed_references(output) == due_references(retention_cases)
    assert "4 young people would be anonymised" in output
    assert "Dry run: nothing was changed." in output


def test_the_dry_run_says_under_which_rule_and_from_which_dates(retention_cases):
    output = dry_run()

    [line] = [line for line in output.splitlines() if line.startswith("DUE-CRT ")]
    order_end = years_ago(6)
    assert "court_order, 5 years after order_end" in line
    assert f"({order_end.isoformat()}), due since {add_years(order_end, 5).isoformat()}" in line


def test_the_dry_run_changes_nothing_and_is_on_the_access_log(retention_cases):
    before = list(YoungPerson.objects.order_by("pk").values())

    dry_run()

    assert list(YoungPerson.objects.order_by("pk").values()) == before
    assert not RetentionReview.objects.exists()
    assert not RetentionRun.objects.exists()
    assert AccessLogEntry.objects.filter(action="command.run", object_id="apply_retention").exists()


def test_a_team_rule_beats_the_national_one(retention_cases):
    due = {item.reference: item for item in due_young_people(date.today())}

    assert "NOT-TEAMB" not in due
    assert due["DUE-TEAMB"].rule.team.code == "team-b"
    assert due["DUE-REF"].rule.team is None


def test_placing_a_hold_does_not_restart_the_clock(retention_cases, manager):
    from governance import holds

    hold = holds.hold_place(
        young_person=retention_cases["due_referral"], reason="Inquiry", by=manager
    )
    holds.hold_release(hold=hold, reason="Inquiry closed", by=manager)

    assert "DUE-REF" in {item.reference for item in due_young_people(date.today())}


def test_the_due_list_takes_a_fixed_number_of_queries(
    retention_cases, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        due = due_young_people(date.today())
    assert len(due) == 4


# --- The nightly review -----------------------------------------------------------------------


def test_the_nightly_task_builds_a_review_of_the_due_young_people(retention_cases):
    result = build_retention_review_task()

    review = RetentionReview.objects.get()
    assert result == {"review": review.pk, "due": 4}
    assert review.status == ReviewStatus.PENDING
    assert {item.young_person.reference for item in review.items.all()} == due_references(
        retention_cases
    )
    # Building it removes nothing.
    assert YoungPerson.objects.count() == len(retention_cases)


def test_the_nightly_task_run_twice_the_same_day_builds_one_review(retention_cases):
    build_retention_review_task()
    build_retention_review_task()

    assert RetentionReview.objects.count() == 1


def test_a_new_review_replaces_the_pending_one(retention_cases):
    old = retention.review_build(on=date.today().replace(day=1))
    new = retention.review_build()

    old.refresh_from_db()
    assert old.status == ReviewStatus.SUPERSEDED
    assert new.status == ReviewStatus.PENDING


# --- Approving --------------------------------------------------------------------------------


def test_approving_anonymises_the_due_young_people_and_records_the_run(
    retention_cases, administrator, fake_anonymiser
):
    review = retention.review_build()

    run = retention.review_approve(review=review, by=administrator)

    due_ids = sorted(case.pk for name, case in retention_cases.items() if name.startswith("due_"))
    assert fake_anonymiser == [due_ids]
    assert (run.approved_by, run.anonymised, run.skipped_on_hold) == (administrator, 4, 0)
    assert sorted((rule["case_kind"], rule["team"] or "", rule["count"]) for rule in run.rules) == [
        ("court_order", "", 1),
        ("out_of_court", "", 1),
        ("referral_only", "", 1),
        ("referral_only", "team-b", 1),
    ]
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED
    assert CaseEvent.objects.filter(action="retention.anonymised").count() == 4
    # Never due again.
    assert due_young_people(date.today()) == []


def test_a_young_person_put_on_hold_after_the_review_is_skipped(
    retention_cases, administrator, manager, fake_anonymiser
):
    review = retention.review_build()
    LegalHold.objects.create(
        young_person=retention_cases["due_court"], reason="Civil claim", placed_by=manager
    )

    run = retention.review_approve(review=review, by=administrator)

    assert retention_cases["due_court"].pk not in fake_anonymiser[0]
    assert (run.anonymised, run.skipped_on_hold) == (3, 1)


def test_approving_an_empty_review_says_there_is_nobody_and_changes_nothing(
    administrator, fake_anonymiser
):
    review = retention.review_build()

    with pytest.raises(ValidationError) as error:
        retention.review_approve(review=review, by=administrator)

    assert "There is nobody to anonymise in this review" in str(error.value)
    assert fake_anonymiser == []
    assert not RetentionRun.objects.exists()


def test_a_review_cannot_be_approved_twice(retention_cases, administrator, fake_anonymiser):
    review = retention.review_build()
    retention.review_approve(review=review, by=administrator)

    with pytest.raises(ValidationError) as error:
        retention.review_approve(review=review, by=administrator)

    assert "This review was approved already" in str(error.value)
    assert len(fake_anonymiser) == 1


def test_only_an_administrator_approves(retention_cases, manager, fake_anonymiser):
    from django.core.exceptions import PermissionDenied

    review = retention.review_build()

    with pytest.raises(PermissionDenied):
        retention.review_approve(review=review, by=manager)
    assert fake_anonymiser == []


# --- The command without --dry-run -------------------------------------------------------------


def test_the_command_refuses_to_run_without_a_review_and_an_administrator(retention_cases):
    with pytest.raises(CommandError, match="Nothing was changed. Use --dry-run"):
        call_command("apply_retention")
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("apply_retention", "--review", "1")


def test_the_command_refuses_someone_who_is_not_an_administrator(retention_cases, manager):
    review = retention.review_build()

    with pytest.raises(CommandError, match="mona is not an active administrator"):
        call_command("apply_retention", "--review", str(review.pk), "--approved-by", "mona")
    assert not RetentionRun.objects.exists()


def test_the_command_approves_a_review_for_an_administrator(
    retention_cases, administrator, fake_anonymiser
):
    review = retention.review_build()
    out = StringIO()

    call_command("apply_retention", "--review", str(review.pk), "--approved-by", "ada", stdout=out)

    assert "4 young people anonymised, 0 skipped (on legal hold)" in out.getvalue()
    assert RetentionRun.objects.get().approved_by == administrator


def test_the_command_refuses_an_empty_review_with_the_message(administrator, fake_anonymiser):
    review = retention.review_build()

    with pytest.raises(CommandError, match="There is nobody to anonymise"):
        call_command("apply_retention", "--review", str(review.pk), "--approved-by", "ada")


def test_the_dry_run_of_a_review_leaves_out_those_now_on_hold(retention_cases, manager):
    review = retention.review_build()
    LegalHold.objects.create(
        young_person=retention_cases["due_referral"], reason="Inquiry", placed_by=manager
    )

    output = dry_run("--review", str(review.pk))

    assert listed_references(output) == due_references(retention_cases) - {"DUE-REF"}
