"""Who is in the case-level evaluation dataset (DESIGN.md section 7, reports/dataset.py).

A cohort member is a row only while their *evaluation* consent is given by the young person
and, where parent/carer consent is required for them, by the parent/carer too.
"""

from datetime import date, datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.dataset import dataset_rows, pseudonym
from reports.measures.base import Scope
from seed import factories
from tests.conftest import client_for

REFERRED = date(2024, 3, 1)
STARTED = date(2024, 4, 1)
SCOPE = Scope(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31), as_of=date(2026, 6, 30))


@pytest.fixture
def person(team_a, practitioner):
    return factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        referral_date=REFERRED,
        ecm_start_date=STARTED,
        date_of_birth=date(2010, 1, 1),
        parent_consent_required=True,
    )


def evaluation(person, party, decision, day=date(2024, 3, 10)):
    factories.ConsentFactory(
        young_person=person, party=party, purpose="evaluation", decision=decision, decided_on=day
    )


def pseudonyms() -> list[str]:
    _columns, rows = dataset_rows(SCOPE)
    return [row["pseudonym"] for row in rows]


def test_young_person_and_parent_evaluation_consent_includes_row(person):
    evaluation(person, "young_person", "given")
    evaluation(person, "parent_carer", "given")
    assert pseudonyms() == [pseudonym(person.pk)]


def test_parent_withdrawal_of_evaluation_consent_excludes_row(person):
    evaluation(person, "young_person", "given")
    evaluation(person, "parent_carer", "given")
    evaluation(person, "parent_carer", "withdrawn", day=date(2025, 1, 10))
    assert pseudonyms() == []


def test_parent_refusal_of_evaluation_consent_excludes_row(person):
    evaluation(person, "young_person", "given")
    evaluation(person, "parent_carer", "refused")
    assert pseudonyms() == []


def test_no_parent_evaluation_decision_where_required_excludes_row(person):
    evaluation(person, "young_person", "given")
    factories.ConsentFactory(young_person=person, party="parent_carer", purpose="participation")
    assert pseudonyms() == []


def test_young_person_withdrawal_excludes_row_even_with_parent_consent(person):
    evaluation(person, "young_person", "given")
    evaluation(person, "parent_carer", "given")
    evaluation(person, "young_person", "withdrawn", day=date(2025, 1, 10))
    assert pseudonyms() == []


def test_parent_consent_not_required_includes_row_on_young_persons_consent(person):
    person.parent_consent_required = False
    person.save()
    evaluation(person, "young_person", "given")
    assert pseudonyms() == [pseudonym(person.pk)]


def test_a_parents_later_consent_after_refusal_includes_row(person):
    evaluation(person, "young_person", "given")
    evaluation(person, "parent_carer", "refused")
    evaluation(person, "parent_carer", "given", day=date(2024, 5, 1))
    assert pseudonyms() == [pseudonym(person.pk)]


def test_the_request_page_says_the_parent_or_carers_consent_counts_too(evaluator):
    html = client_for(evaluator).get(reverse("reports:run-create")).content.decode()
    assert "(and their parent or carer's too, where that is required)" in html


def test_the_request_page_says_so_in_welsh(evaluator):
    client = client_for(evaluator)
    client.post(reverse("set_language"), {"language": "cy", "next": "/"})
    html = client.get(reverse("reports:run-create")).content.decode()
    assert "a'i riant neu ei ofalwr hefyd, lle mae angen hynny" in html


def test_compliance_columns_count_the_decisions_and_the_days_to_them(person):
    evaluation(person, "young_person", "given")
    evaluation(person, "parent_carer", "given")
    for missed, decided, decision in (
        (date(2024, 5, 1), date(2024, 5, 3), "warning"),
        (date(2024, 6, 1), date(2024, 6, 6), "breach_proceedings"),
    ):
        factories.ComplianceDecisionFactory(
            young_person=person,
            appointment__starts_at=timezone.make_aware(datetime.combine(missed, time(10))),
            decided_on=decided,
            decision=decision,
        )
    columns, rows = dataset_rows(SCOPE)
    names = [name for name, _text in columns]
    assert {"compliance_decisions", "compliance_mean_days_to_decision"} <= set(names)
    (row,) = rows
    assert (row["did_not_attend"], row["compliance_decisions"]) == (2, 2)
    assert row["compliance_without_breach"] == 1
    assert row["compliance_mean_days_to_decision"] == 3.5  # (2 + 5) / 2
