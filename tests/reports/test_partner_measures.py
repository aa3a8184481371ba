"""The partnership measures (issue 18) on a hand-built cohort; expected values worked out below.

Period 2024, as of 2026-06-30, 12 follow-up months. Agencies education, camhs and police.

* Q1, team a — started 2024-02-01, ended 2025-01-31. Contacts: education 2024-01-20 (before
  the start: not counted), education 2024-03-01, camhs 2024-06-01 and education 2025-01-31
  (the end date itself: during ECM), so 3 during; after the end education 2025-03-01 and
  camhs 2026-01-31 (the last day of the 12 months), police 2026-02-01 (one day too late):
  2 agencies after. Plan items: education done, camhs active, one with no agency (done,
  not partner-owned).
* Q2, team a — started 2024-04-01, ends 2026-08-01 (after the as-of date: not ended).
  Contacts: police 2024-05-01 (during), police 2026-07-01 (after the as-of date). Plan
  items: police stopped, education done.
* Q3, team b — started 2024-06-01, ended 2026-03-01. Contacts: education 2024-07-01
  (during); police 2026-04-01 and 2026-05-01 (after: one agency); education 2026-07-15
  (after the as-of date). Plan item: camhs planned.
* Q4, team b — started 2024-09-01, ended 2025-06-01 (withdrawn). Nothing recorded.
* Q5, team a — referred in 2024, never started: its contact and done item count nowhere.
* Q6, team a — referred in 2023 (outside the period): counts nowhere.

Contacts during ECM: a 3 + 1 = 4, b 1 + 0 = 1; per case 4/2, 1/2, 5/4; medians of [3, 1],
[1, 0], [0, 1, 1, 3]. Cases ended: Q1 (a), Q3 and Q4 (b); agencies after: 2, 1, 0.
Partner-owned items: a 4 (2 done), b 1 (0 done).
"""

import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cases.models import NeedCategory, TRMStage
from cases.reference_data import ensure_defaults
from formulation.models import InterventionItem
from partners.models import PartnerContact
from reports.dataset import dataset_rows, pseudonym
from reports.measures import Scope, compute_all
from reports.models import FileKind
from reports.selectors import measure_catalogue
from seed import factories
from tests.reports.test_evaluator_outputs import rows_of, workbook
from tests.reports.test_exports import (  # noqa: F401 - fixtures
    content,
    csv_rows,
    media_root,
    produced,
    quick_pdf,
)

SCOPE = {
    "date_from": date(2024, 1, 1),
    "date_to": date(2024, 12, 31),
    "as_of": date(2026, 6, 30),
    "follow_up_months": 12,
}

EXPECTED = {
    # id: (overall, team a, team b)
    "cohort_size": (4, 2, 2),
    "partner_contacts": (5, 4, 1),
    "partner_contacts_by_agency": (
        {"camhs": 1, "education": 3, "police": 1},
        {"camhs": 1, "education": 2, "police": 1},
        {"education": 1},
    ),
    "partner_contacts_per_case": (1.25, 2.0, 0.5),
    "median_partner_contacts_per_case": (1, 2, 0.5),
    "share_with_partner_contact": (0.75, 1.0, 0.5),
    "partner_plan_items": (5, 4, 1),
    "partner_plan_items_done": (2, 2, 0),
    "partner_plan_items_done_rate": (0.4, 0.5, 0.0),
    "ended_cases": (3, 1, 2),
    "mean_agencies_active_after_end": (1.0, 2.0, 0.5),
    "share_with_agency_active_after_end": (0.667, 1.0, 0.5),
}


@pytest.fixture
def partnership(db, team_a, team_b, practitioner):
    ensure_defaults(NeedCategory, TRMStage)
    team_a.code, team_b.code = "a", "b"
    team_a.save()
    team_b.save()
    agencies = {
        code: factories.AgencyFactory(code=code, name=code)
        for code in ("education", "camhs", "police")
    }
    purpose = factories.appointment_purpose("review")

    def person(team, start, end=None, referral=date(2024, 1, 10), **fields):
        return factories.YoungPersonFactory(
            team=team,
            referral_date=referral,
            ecm_start_date=start,
            ecm_end_date=end,
            parent_consent_required=False,
            **fields,
        )

    def contacts(who, *dated):
        for code, day in dated:
            PartnerContact.objects.create(
                young_person=who,
                agency=agencies[code],
                contact_on=day,
                purpose_category=purpose,
                outcome_code="achieved",
                duration_minutes=30,
                recorded_by=practitioner,
            )

    def items(who, *owned):
        for code, status in owned:
            InterventionItem.objects.create(
                young_person=who,
                title="Item",
                trm_stage=factories.trm_stage(1),
                agency=agencies[code] if code else None,
                status=status,
            )

    q1 = person(team_a, date(2024, 2, 1), date(2025, 1, 31), end_reason="completed")
    contacts(
        q1,
        ("education", date(2024, 1, 20)),
        ("education", date(2024, 3, 1)),
        ("camhs", date(2024, 6, 1)),
        ("education", date(2025, 1, 31)),
        ("education", date(2025, 3, 1)),
        ("camhs", date(2026, 1, 31)),
        ("police", date(2026, 2, 1)),
    )
    items(q1, ("education", "done"), ("camhs", "active"), (None, "done"))

    q2 = person(team_a, date(2024, 4, 1), date(2026, 8, 1), end_reason="completed")
    contacts(q2, ("police", date(2024, 5, 1)), ("police", date(2026, 7, 1)))
    items(q2, ("police", "stopped"), ("education", "done"))

    q3 = person(team_b, date(2024, 6, 1), date(2026, 3, 1), end_reason="completed")
    contacts(
        q3,
        ("education", date(2024, 7, 1)),
        ("police", date(2026, 4, 1)),
        ("police", date(2026, 5, 1)),
        ("education", date(2026, 7, 15)),
    )
    items(q3, ("camhs", "planned"))

    person(team_b, date(2024, 9, 1), date(2025, 6, 1), end_reason="withdrawn")

    q5 = person(team_a, None, referral=date(2024, 5, 1))
    contacts(q5, ("education", date(2024, 6, 1)))
    items(q5, ("education", "done"))

    q6 = person(team_a, date(2023, 7, 1), date(2024, 1, 31), referral=date(2023, 6, 1))
    contacts(q6, ("education", date(2023, 8, 1)), ("camhs", date(2024, 3, 1)))
    items(q6, ("camhs", "done"))
    return {
        "agencies": agencies,
        "purpose": purpose,
        "team_a": team_a,
        "practitioner": practitioner,
        "q1": q1,
        "q2": q2,
    }


@pytest.mark.parametrize("measure_id", sorted(EXPECTED))
def test_partnership_measure_overall_and_per_team(partnership, measure_id):
    result = compute_all(Scope(**SCOPE))[measure_id]
    overall, team_a, team_b = EXPECTED[measure_id]
    assert (result.overall, result.by_team["a"], result.by_team["b"]) == (overall, team_a, team_b)


def test_one_team_alone_gives_its_own_figures_overall(partnership, team_b):
    results = compute_all(Scope(**SCOPE, team_ids=(team_b.pk,)))
    for measure_id, (_overall, _team_a, team_b_value) in EXPECTED.items():
        assert (measure_id, results[measure_id].overall) == (measure_id, team_b_value)


def test_a_shorter_follow_up_counts_fewer_agencies_after_the_end(partnership):
    # 6 months after 31 January 2025 ends on 31 July 2025: only Q1's education contact of
    # March 2025 is in it; Q3's police contacts (March to May 2026) still are.
    results = compute_all(Scope(**{**SCOPE, "follow_up_months": 6}))
    assert results["mean_agencies_active_after_end"].by_team == {"a": 1.0, "b": 0.5}


def test_the_measures_worked_out_alone_match_the_whole_report(partnership):
    whole = compute_all(Scope(**SCOPE))
    alone = compute_all(Scope(**SCOPE), only=list(EXPECTED))
    assert {measure_id: alone[measure_id] for measure_id in EXPECTED} == {
        measure_id: whole[measure_id] for measure_id in EXPECTED
    }


def test_query_count_does_not_grow_with_more_young_people_contacts_and_items(partnership):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            compute_all(Scope(**SCOPE))
        return len(captured.captured_queries)

    small = queries()
    agencies, purpose = partnership["agencies"], partnership["purpose"]
    for index in range(15):
        who = factories.YoungPersonFactory(
            team=partnership["team_a"],
            referral_date=date(2024, 6, 1),
            ecm_start_date=date(2024, 7, 1),
            ecm_end_date=date(2025, 7, 1),
            end_reason="completed",
            reference=f"MORE{index}",
        )
        for code, agency in agencies.items():
            PartnerContact.objects.create(
                young_person=who,
                agency=agency,
                contact_on=date(2025, 9, 1),
                purpose_category=purpose,
                outcome_code="achieved",
                duration_minutes=30,
                recorded_by=partnership["practitioner"],
            )
            InterventionItem.objects.create(
                young_person=who,
                title=code,
                trm_stage=factories.trm_stage(1),
                agency=agency,
                status="done",
            )
    results = compute_all(Scope(**SCOPE))
    assert results["ended_cases"].by_team["a"] == 16
    # Q1's 2 agencies and 3 for each of the 15 more, over 16 cases ended: 47 / 16.
    assert results["mean_agencies_active_after_end"].by_team["a"] == 2.94
    assert queries() == small


def test_the_dataset_has_each_persons_partner_columns(partnership, settings):
    settings.ECM_STUDY_KEY = "study-key-for-the-partner-measures"
    for who in (partnership["q1"], partnership["q2"]):
        factories.ConsentFactory(
            young_person=who,
            party="young_person",
            purpose="evaluation",
            decision="given",
            decided_on=date(2024, 1, 20),
        )
    columns, rows = dataset_rows(Scope(**SCOPE))
    described = dict(columns)
    assert "ECM ended" in described["partner_agencies_after_end"]
    by_person = {row["pseudonym"]: row for row in rows}
    names = (
        "partner_contacts",
        "partner_agencies_after_end",
        "partner_plan_items",
        "partner_plan_items_done",
    )
    q1, q2 = (by_person[pseudonym(partnership[key].pk)] for key in ("q1", "q2"))
    assert [q1[name] for name in names] == [3, 2, 2, 1]
    assert [q2[name] for name in names] == [1, "", 2, 1]  # not ended by the as-of date
    assert list(q1) == [name for name, _text in columns]


def test_the_catalogue_defines_them_in_english_and_welsh():
    with translation.override("en"):
        english = {row["id"]: row for row in _catalogue_rows()}
    with translation.override("cy"):
        welsh = {row["id"]: row for row in _catalogue_rows()}
    for measure_id in EXPECTED:
        if measure_id == "cohort_size":
            continue
        assert english[measure_id]["group"] == "Partner agencies"
        assert welsh[measure_id]["group"] == "Asiantaethau partner"
        assert english[measure_id]["definition"] != welsh[measure_id]["definition"]
        assert english[measure_id]["label"] != welsh[measure_id]["label"]


def _catalogue_rows():
    rows = []
    for group in measure_catalogue():
        for measure in group["measures"]:
            rows.append(
                {
                    "id": measure["id"],
                    "group": str(group["label"]),
                    "label": str(measure["label"]),
                    "definition": str(measure["definition"]),
                }
            )
    return rows


# --- In every output, as the other measures are -----------------------------------------------


def test_every_output_shows_the_partnership_figures(partnership, evaluator):
    for agency in partnership["agencies"].values():
        agency.name = {"education": "Education", "camhs": "CAMHS", "police": "Police"}[agency.code]
        agency.save()
    run = produced(evaluator, follow_up_months=12)
    document = json.loads(content(run, FileKind.JSON))
    assert (
        document["measures"]["partner_contacts_by_agency"]
        == EXPECTED["partner_contacts_by_agency"][0]
    )
    assert document["by_team"]["b"]["mean_agencies_active_after_end"] == 0.5

    rows = {
        (row["id"], row["team"], row["category"]): row
        for row in csv_rows(content(run, FileKind.CSV))
    }
    education = rows[("partner_contacts_by_agency", "a", "education")]
    assert (education["category_name"], education["value"]) == ("Education", "2")
    assert rows[("share_with_agency_active_after_end", "all", "")]["value"] == "0.667"

    sheet = {
        (row["Measure id"].value, row["Category code"].value): row
        for row in rows_of(workbook(content(run, FileKind.XLSX))["By team"])
    }
    share = sheet[("share_with_partner_contact", None)]["All teams"]
    assert (share.value, share.number_format) == (0.75, "0.0%")
    assert sheet[("partner_contacts_by_agency", "camhs")]["Team A"].value == 1

    html = content(run, FileKind.HTML).decode()
    for label in (
        "Partner agencies",
        "Partner agency contacts per case",
        "Share of partner-owned plan items completed",
        "Agencies active per case after ECM ended",
    ):
        assert label in html
    with translation.override("cy"):
        welsh = content(produced(evaluator), FileKind.HTML).decode()
    assert "Asiantaethau gweithredol fesul achos ar ôl i ECM ddod i ben" in welsh
