"""A fixture of cases due, not due and on hold under the default retention rules, and a
stand-in for the anonymiser where a test needs only to know whom it was asked to anonymise."""

import sys
import types
from datetime import date, timedelta

import pytest
from django.utils import timezone

from governance.due import subtract_years
from governance.models import LegalHold, RetentionRule
from seed import factories


def years_ago(years: int, days: int = 0) -> date:
    return subtract_years(timezone.localdate(), years) - timedelta(days=days)


@pytest.fixture
def retention_cases(team_a, team_b, manager):
    """{name: young person}: the `due_*` ones are due today, the others are not."""
    make = factories.YoungPersonFactory
    cases = {}
    # A referral with nothing since: 3 years after the last action.
    cases["due_referral"] = make(team=team_a, reference="DUE-REF", referral_date=years_ago(4))
    # An out-of-court disposal: 3 years after the last action (the caution).
    cases["due_caution"] = make(team=team_a, reference="DUE-OOC", referral_date=years_ago(6))
    factories.OrderFactory(
        young_person=cases["due_caution"],
        order_type="youth_caution",
        start_date=years_ago(5),
        end_date=years_ago(5),
    )
    # A court order: 5 years after it ended.
    cases["due_court"] = make(team=team_a, reference="DUE-CRT", referral_date=years_ago(8))
    factories.OrderFactory(
        young_person=cases["due_court"], start_date=years_ago(7), end_date=years_ago(6)
    )
    # Not due: a recent referral.
    cases["recent"] = make(team=team_a, reference="NOT-RECENT")
    # Not due: the court order ended 4 years ago (a caution long ago does not change that).
    cases["court_recent_end"] = make(team=team_a, reference="NOT-CRT", referral_date=years_ago(9))
    factories.OrderFactory(
        young_person=cases["court_recent_end"], start_date=years_ago(5), end_date=years_ago(4)
    )
    # Not due: a court order without an end date.
    cases["court_open"] = make(team=team_a, reference="NOT-OPEN", referral_date=years_ago(9))
    factories.OrderFactory(young_person=cases["court_open"], start_date=years_ago(8), end_date=None)
    # Not due: an old referral, but an appointment a year ago.
    cases["recent_appointment"] = make(
        team=team_a, reference="NOT-APPT", referral_date=years_ago(5)
    )
    factories.AppointmentFactory(
        young_person=cases["recent_appointment"], starts_at=timezone.now() - timedelta(days=365)
    )
    # Not due: ECM started long ago and is still running.
    cases["ecm_running"] = make(
        team=team_a, reference="NOT-ECM", referral_date=years_ago(5), ecm_start_date=years_ago(5)
    )
    # Not due: on legal hold.
    cases["on_hold"] = make(team=team_a, reference="NOT-HOLD", referral_date=years_ago(5))
    LegalHold.objects.create(
        young_person=cases["on_hold"], reason="Claim against the council", placed_by=manager
    )
    # Team B keeps referrals 10 years (its own rule beats the national one).
    RetentionRule.objects.create(
        case_kind="referral_only",
        years=10,
        counted_from="last_action",
        team=team_b,
        in_force_from=date(2020, 1, 1),
    )
    cases["team_rule_not_due"] = make(
        team=team_b, reference="NOT-TEAMB", referral_date=years_ago(4)
    )
    cases["due_team_rule"] = make(team=team_b, reference="DUE-TEAMB", referral_date=years_ago(11))
    return cases


def due_references(cases) -> set[str]:
    return {case.reference for name, case in cases.items() if name.startswith("due_")}


@pytest.fixture
def fake_anonymiser(monkeypatch):
    """Stands in for `governance.anonymise` and records the ids it was given."""
    calls = []
    module = types.ModuleType("governance.anonymise")

    def anonymise_young_people(young_person_ids):
        calls.append(sorted(young_person_ids))
        return {"cases.youngperson": len(calls[-1])}

    module.anonymise_young_people = anonymise_young_people
    monkeypatch.setitem(sys.modules, "governance.anonymise", module)
    return calls
