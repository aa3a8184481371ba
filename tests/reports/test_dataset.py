"""Who is in the case-level evaluation dataset (DESIGN.md section 7, reports/dataset.py).

A cohort member is a row only while their *evaluation* consent is given by the young person
and, where parent/carer consent is required for them, by the parent/carer too.
"""

from datetime import date, datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import exports
from reports.dataset import dataset_rows, dataset_stream, pseudonym
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


def test_a_row_counts_appointments_by_purpose_and_attended_outcomes(person):
    from datetime import datetime, time

    from django.utils import timezone

    evaluation(person, "young_person", "given")
    evaluation(person, "parent_carer", "given")

    def appointment(day, purpose, attendance, outcome, minutes):
        factories.AppointmentFactory(
            young_person=person,
            starts_at=timezone.make_aware(datetime.combine(day, time(10))),
            purpose_category=factories.appointment_purpose(purpose),
            attendance=attendance,
            engagement=None,
            outcome_code=outcome,
            duration_minutes=minutes,
        )

    appointment(date(2024, 4, 10), "family", "attended", "achieved", 60)
    appointment(date(2024, 4, 17), "family", "attended", "partly_achieved", 45)
    appointment(date(2024, 4, 24), "health", "attended", "not_achieved", 30)
    appointment(date(2024, 5, 1), "health", "attended", "not_applicable", 15)
    appointment(date(2024, 5, 8), "reparation", "did_not_attend", "", 60)
    appointment(date(2024, 3, 20), "review", "attended", "achieved", 60)  # before the start
    columns, rows = dataset_rows(SCOPE)
    (row,) = rows
    assert {name: row[name] for name in ("purpose_family", "purpose_health")} == {
        "purpose_family": 2,
        "purpose_health": 2,
    }
    assert (row["purpose_reparation"], row["purpose_review"], row["purpose_other"]) == (1, 0, 0)
    assert (row["attended_outcome_coded"], row["attended_achieved"]) == (3, 2)
    assert row["attended_minutes"] == 150
    dictionary = dict(columns)
    assert dictionary["purpose_family"] == (
        "Of the appointments, those whose purpose was 'family' (Family work)"
    )
    assert "achieved, partly_achieved or not_achieved" in dictionary["attended_outcome_coded"]


def test_the_reasons_and_distance_travelled_are_columns_explained_in_the_dictionary(
    person, psychologist
):
    from formulation.models import DistanceDomain, DistanceRating, Formulation, FormulationMeeting

    evaluation(person, "young_person", "given")
    evaluation(person, "parent_carer", "given")
    factories.ConsentFactory(
        young_person=person,
        party="parent_carer",
        purpose="participation",
        decision="refused",
        decided_on=date(2024, 3, 5),
        reason=factories.disengagement_reason("family_opposed"),
    )
    person.end_reason = "withdrawn"
    person.ecm_end_date = date(2025, 1, 1)
    person.withdrawal_reason = factories.disengagement_reason("moved_away")
    person.save()
    confidence = DistanceDomain.objects.get(code="self_confidence")
    for day, own, theirs in ((date(2024, 5, 1), 2, 1), (date(2024, 8, 1), 4, 3)):
        meeting = FormulationMeeting.objects.create(
            young_person=person, held_on=day, kind="initial", status="held", chair=psychologist
        )
        formulation = Formulation.objects.create(
            meeting=meeting,
            trm_stage=factories.trm_stage(1),
            trm_reasoning="Safety",
            recorded_by=psychologist,
        )
        DistanceRating.objects.create(
            formulation=formulation, domain=confidence, self_rating=own, practitioner_rating=theirs
        )
    dictionary, rows = dataset_rows(SCOPE)
    (row,) = rows
    assert row["withdrawal_reason"] == "moved_away"
    assert row["consent_refusal_reason"] == "family_opposed"
    assert row["distance_self_confidence_self_first"] == 2
    assert row["distance_self_confidence_self_change"] == 2
    assert row["distance_self_confidence_practitioner_change"] == 2
    assert row["distance_anger_management_self_first"] == ""
    explained = dict(dictionary)
    assert set(explained) == set(row)
    assert "relationship_with_worker" in explained["withdrawal_reason"]
    assert "minus their first" in explained["distance_self_confidence_self_change"]
    assert row["ecm_start_period"] == "2024-Q2"
    assert row["days_in_ecm"] == (date(2025, 1, 1) - STARTED).days


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


def test_a_case_still_open_counts_its_days_in_ecm_to_the_as_of_date(person):
    evaluation(person, "young_person", "given")
    evaluation(person, "parent_carer", "given")
    (row,) = dataset_rows(SCOPE)[1]
    assert row["ecm_start_period"] == "2024-Q2"
    assert row["days_in_ecm"] == (SCOPE.as_of - STARTED).days
    assert row["withdrawal_reason"] == ""


@pytest.mark.parametrize(
    ("start", "quarter"),
    [(date(2025, 1, 1), "2025-Q1"), (date(2025, 3, 31), "2025-Q1"), (date(2025, 7, 1), "2025-Q3")],
)
def test_the_start_period_is_the_calendar_quarter(start, quarter):
    from reports.dataset import start_period

    assert start_period(start) == quarter


def test_days_in_ecm_stop_at_the_as_of_date_for_a_case_ended_after_it():
    from reports.dataset import days_in_ecm

    as_of = date(2025, 6, 30)
    assert days_in_ecm(date(2025, 6, 1), date(2025, 6, 11), as_of) == 10
    assert days_in_ecm(date(2025, 6, 1), date(2025, 12, 1), as_of) == 29
    assert days_in_ecm(date(2025, 6, 1), None, as_of) == 29


def test_the_streamed_rows_are_the_listed_rows_and_a_stream_left_part_read_leaves_no_trace(
    team_a, practitioner
):
    people = [
        factories.YoungPersonFactory(
            team=team_a,
            practitioner=practitioner,
            referral_date=REFERRED,
            ecm_start_date=STARTED,
            parent_consent_required=False,
        )
        for _ in range(3)
    ]
    for each in people:
        evaluation(each, "young_person", "given")
    dictionary, rows = dataset_stream(SCOPE)
    first = next(rows)
    rows.close()  # a writer that failed after the first row
    listed_dictionary, listed = dataset_rows(SCOPE)
    assert listed_dictionary == dictionary
    assert sorted(row["pseudonym"] for row in listed) == sorted(
        pseudonym(each.pk) for each in people
    )
    assert dict(first) == dict(listed[0])
    # The files are made from the stream: one row each, in the dictionary's column order.
    csv_file, xlsx_file, count = exports.dataset_files(dictionary, dataset_stream(SCOPE)[1])
    assert count == 3
    header, *lines = csv_file.decode().splitlines()
    assert header.split(",") == [name for name, _text in dictionary]
    assert [line.split(",")[0] for line in lines] == [row["pseudonym"] for row in listed]
    assert xlsx_file.startswith(b"PK")
