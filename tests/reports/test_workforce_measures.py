"""Training and time-and-cost measures on a small hand-built cohort; the expected values are
worked out by hand below.

Period 2025, as of 2026-06-30. Alice (practitioner, team a) attended the ECM practitioner
course on 2025-01-15; Bob (practitioner, team b) only TRM awareness (not ECM training) on
2025-01-01, then the ECM course on 2025-09-01, after his first case. Mona (manager, team a)
attended the ECM manager course on 2024-12-01; Max (manager, team b) none.

* A1, team a, Alice — started 2025-02-01, completed. Appointments attended 2025-02-10
  (60 min) and 2025-03-10 (90 min); a missed one (60) and one attended before the start
  (30) do not count. Formulation meeting 2025-02-20, 120 min; police came, education did
  not. Supervision 2025-03-01, 60 min, discussing A1 and A2: 30 min each.
* A2, team a, Alice — started 2025-03-01. Appointment attended 2025-04-01 (45 min).
  Meeting 2025-04-10, 60 min; police and health came. Its share of the 2025-03-01 session.
* B1, team b, Bob — started 2025-02-15. Appointment attended 2025-03-01 (60 min).
  Supervision 2025-05-01, 90 min, discussing B1 only.
* B2, team b — referred, never started: in no measure here.

Dedicated ECM roles: Mona lead in team a from 2025-01-01; Alice champion in team a in 2024
and 2025 only; Bob champion in team b from 2026-01-01; Max lead in team b from 2026-09-01.

Unit costs per hour: practitioner £40 from 2024-01-01 and £50 from 2026-01-01 (in force on
the as-of date), £60 from 2026-09-01 (not yet); psychologist £80, partner agency £30,
manager £45, all from 2024-01-01.

Hours — practitioner (appointments + meetings + supervision share), psychologist (meetings +
supervision share), agency (meeting minutes × agencies that came):
  A1: 5 (150 + 120 + 30 min), 2.5 (120 + 30), 2 (120 × 1) → 5×50 + 2.5×80 + 2×30 = £510
  A2: 2.25 (45 + 60 + 30),    1.5 (60 + 30),   2 (60 × 2)  → 112.5 + 120 + 60 = £292.50
  B1: 2.5 (60 + 0 + 90),      1.5 (90),        0           → 125 + 120 = £245
"""

import json
from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import (
    CostRole,
    DedicatedRole,
    Role,
    TrainingAttendance,
    TrainingCourse,
    UnitCost,
    User,
)
from accounts.services import unit_cost_add
from formulation.models import FormulationMeeting, MeetingAttendance
from reports.measures import REGISTRY, Scope, compute_all
from reports.models import FileKind
from reports.services.requests import report_request
from reports.tasks import run_report_task
from seed import factories
from supervision.models import SupervisionSession

PERIOD = {
    "date_from": date(2025, 1, 1),
    "date_to": date(2025, 12, 31),
    "as_of": date(2026, 6, 30),
    "follow_up_months": 12,
    "fidelity_window_days": 56,
}


def at(day):
    return timezone.make_aware(datetime.combine(day, time(10)))


@pytest.fixture
def workforce(db, team_a, team_b, practitioner, other_practitioner, manager, psychologist):
    team_a.code, team_b.code = "a", "b"
    team_a.save()
    team_b.save()
    factories.user_with_role(Role.MANAGER, team_b, username="max")
    ecm_practitioner = TrainingCourse.objects.create(code="ecm-practitioner", name="ECM")
    ecm_manager = TrainingCourse.objects.create(code="ecm-manager", name="ECM managers")
    awareness = TrainingCourse.objects.create(code="trm-awareness", name="TRM", ecm=False)
    for user, course, day in (
        (practitioner, ecm_practitioner, date(2025, 1, 15)),
        (other_practitioner, awareness, date(2025, 1, 1)),
        (other_practitioner, ecm_practitioner, date(2025, 9, 1)),
        (manager, ecm_manager, date(2024, 12, 1)),
    ):
        TrainingAttendance.objects.create(user=user, course=course, attended_on=day)
    for role, cost, valid_from in (
        (CostRole.PRACTITIONER, "40", date(2024, 1, 1)),
        (CostRole.PRACTITIONER, "50", date(2026, 1, 1)),
        (CostRole.PRACTITIONER, "60", date(2026, 9, 1)),
        (CostRole.PSYCHOLOGIST, "80", date(2024, 1, 1)),
        (CostRole.AGENCY, "30", date(2024, 1, 1)),
        (CostRole.MANAGER, "45", date(2024, 1, 1)),
    ):
        UnitCost.objects.create(role=role, hourly_cost=Decimal(cost), valid_from=valid_from)
    max_ = User.objects.get(username="max")
    for user, team, kind, held_from, held_to in (
        (manager, team_a, "lead", date(2025, 1, 1), None),
        (practitioner, team_a, "champion", date(2024, 1, 1), date(2025, 12, 31)),  # ended
        (other_practitioner, team_b, "champion", date(2026, 1, 1), None),
        (max_, team_b, "lead", date(2026, 9, 1), None),  # not yet
    ):
        DedicatedRole.objects.create(
            user=user, team=team, kind=kind, held_from=held_from, held_to=held_to
        )
    police, education, health = (
        factories.AgencyFactory(code=code, name=code) for code in ("police", "education", "health")
    )

    def case(team, who, start, **fields):
        return factories.YoungPersonFactory(
            team=team,
            practitioner=who,
            referral_date=date(2025, 1, 10),
            ecm_start_date=start,
            **fields,
        )

    def appointment(young_person, day, minutes, attendance="attended"):
        factories.AppointmentFactory(
            young_person=young_person,
            starts_at=at(day),
            duration_minutes=minutes,
            attendance=attendance,
            engagement=4 if attendance == "attended" else None,
        )

    def meeting(young_person, day, minutes, came):
        held = FormulationMeeting.objects.create(
            young_person=young_person,
            held_on=day,
            kind="initial",
            status="held",
            chair=psychologist,
            duration_minutes=minutes,
        )
        for agency, attended in came.items():
            MeetingAttendance.objects.create(meeting=held, agency=agency, attended=attended)

    def supervision(team, day, minutes, *cases):
        session = SupervisionSession.objects.create(
            held_on=day,
            team=team,
            psychologist=psychologist,
            practitioner=practitioner,
            duration_minutes=minutes,
        )
        session.cases.set(cases)

    a1 = case(
        team_a,
        practitioner,
        date(2025, 2, 1),
        end_reason="completed",
        ecm_end_date=date(2025, 12, 1),
    )
    a2 = case(team_a, practitioner, date(2025, 3, 1))
    b1 = case(team_b, other_practitioner, date(2025, 2, 15))
    case(team_b, other_practitioner, None)
    appointment(a1, date(2025, 2, 10), 60)
    appointment(a1, date(2025, 3, 10), 90)
    appointment(a1, date(2025, 3, 20), 60, attendance="did_not_attend")
    appointment(a1, date(2025, 1, 20), 30)
    appointment(a2, date(2025, 4, 1), 45)
    appointment(b1, date(2025, 3, 1), 60)
    meeting(a1, date(2025, 2, 20), 120, {police: True, education: False})
    meeting(a2, date(2025, 4, 10), 60, {police: True, health: True})
    supervision(team_a, date(2025, 3, 1), 60, a1, a2)
    supervision(team_b, date(2025, 5, 1), 90, b1)
    return {"a1": a1, "a2": a2, "b1": b1}


EXPECTED = {
    # id: (overall, team a, team b)
    "practitioners_with_ecm_cases": (2, 1, 1),
    "practitioners_trained_before_first_case": (1, 1, 0),  # Alice; Bob trained too late
    "practitioners_trained_rate": (0.5, 1.0, 0.0),
    "managers_with_ecm_cases": (2, 1, 1),
    "managers_trained_before_first_case": (1, 1, 0),  # Mona
    "managers_trained_rate": (0.5, 1.0, 0.0),
    # Mona's lead role and Bob's champion role are held on the as-of date; Alice's ended,
    # Max's has not begun.
    "dedicated_role_holders": (
        {"lead": 1, "champion": 1},
        {"lead": 1},
        {"champion": 1},
    ),
    "fidelity_practitioner_trained": (2, 2, 0),  # A1, A2
    "fidelity_practitioner_trained_rate": (0.667, 1.0, 0.0),
    "practitioner_contact_hours_per_case": (1.42, 1.63, 1.0),  # (2.5 + 0.75 + 1) / 3
    "psychology_hours_per_case": (1.83, 2.0, 1.5),  # (2.5 + 1.5 + 1.5) / 3
    "psychology_hours_by_month": (
        {"2025-02": 2.0, "2025-03": 1.0, "2025-04": 1.0, "2025-05": 1.5},
        {"2025-02": 2.0, "2025-03": 1.0, "2025-04": 1.0},
        {"2025-05": 1.5},
    ),
    "completed_cases": (1, 1, 0),
    "cost_per_case": (349.17, 401.25, 245.0),  # 1047.50 / 3; 802.50 / 2; 245 / 1
    "cost_per_completed_case": (510.0, 510.0, None),
}
COSTS_IN_FORCE = {
    "agency:2024-01-01": 30.0,
    "manager:2024-01-01": 45.0,
    "practitioner:2026-01-01": 50.0,
    "psychologist:2024-01-01": 80.0,
}


@pytest.mark.parametrize("measure_id", sorted(EXPECTED))
def test_measure_equals_the_hand_calculation(workforce, measure_id):
    result = compute_all(Scope(**PERIOD))[measure_id]
    overall, team_a, team_b = EXPECTED[measure_id]
    assert (result.overall, result.by_team["a"], result.by_team["b"]) == (overall, team_a, team_b)


def test_the_report_says_which_unit_costs_were_in_force(workforce):
    result = compute_all(Scope(**PERIOD))["unit_costs_in_force"]
    assert result.overall == COSTS_IN_FORCE
    assert result.by_team == {"a": COSTS_IN_FORCE, "b": COSTS_IN_FORCE}
    label = REGISTRY["unit_costs_in_force"].category_label
    assert label("practitioner:2026-01-01") == "Practitioner, from 1 January 2026"


def test_no_cost_while_a_role_with_recorded_time_has_no_unit_cost(workforce):
    UnitCost.objects.filter(role=CostRole.AGENCY).delete()
    results = compute_all(Scope(**PERIOD))
    # Team a's meetings had agencies there; team b's case had none, so its cost is known.
    assert (results["cost_per_case"].overall, results["cost_per_case"].by_team) == (
        None,
        {"a": None, "b": 245.0},
    )


def test_a_new_unit_cost_leaves_an_earlier_runs_outputs_unchanged(
    workforce, evaluator, administrator, settings, tmp_path, monkeypatch
):
    from reports import exports

    settings.MEDIA_ROOT = tmp_path / "files"
    monkeypatch.setattr(exports, "evaluation_pdf", lambda html: b"%PDF-1.7 stand-in")

    def run_report():
        run = report_request(by=evaluator, kind="evaluation", parameters=PERIOD, enqueue=False)
        run_report_task.apply(args=(run.pk,))
        return run

    def files_of(run):
        return {each.kind: each.file.open("rb").read() for each in run.files.all()}

    earlier = run_report()
    before = files_of(earlier)
    unit_cost_add(
        role=CostRole.PRACTITIONER,
        hourly_cost=Decimal("100"),
        valid_from=date(2026, 3, 1),
        by=administrator,
    )
    later = run_report()
    assert files_of(earlier) == before
    earlier_document = json.loads(before[FileKind.JSON])
    later_document = json.loads(files_of(later)[FileKind.JSON])
    assert earlier_document["measures"]["cost_per_case"] == 349.17
    assert earlier_document["measures"]["unit_costs_in_force"]["practitioner:2026-01-01"] == 50.0
    # 1047.50 + (5 + 2.25 + 2.5) hours × £50 more = 1535 over 3 cases
    assert later_document["measures"]["cost_per_case"] == 511.67
    assert later_document["measures"]["unit_costs_in_force"]["practitioner:2026-03-01"] == 100.0


def test_query_count_does_not_grow_with_the_cohort(workforce, team_a):
    with CaptureQueriesContext(connection) as small:
        compute_all(Scope(**PERIOD))
    psychologist = SupervisionSession.objects.first().psychologist
    for index in range(20):
        trained = factories.user_with_role(Role.PRACTITIONER, team_a, username=f"extra{index}")
        TrainingAttendance.objects.create(
            user=trained,
            course=TrainingCourse.objects.get(code="ecm-practitioner"),
            attended_on=date(2025, 1, 1),
        )
        young_person = factories.YoungPersonFactory(
            team=team_a,
            practitioner=trained,
            referral_date=date(2025, 6, 1),
            ecm_start_date=date(2025, 7, 1),
        )
        factories.AppointmentFactory(young_person=young_person, starts_at=at(date(2025, 7, 2)))
        FormulationMeeting.objects.create(
            young_person=young_person,
            held_on=date(2025, 7, 3),
            kind="initial",
            status="held",
            chair=psychologist,
            duration_minutes=60,
        )
        session = SupervisionSession.objects.create(
            held_on=date(2025, 7, 4 + index % 20),
            team=team_a,
            psychologist=psychologist,
            practitioner=trained,
            duration_minutes=60,
        )
        session.cases.set([young_person])
    with CaptureQueriesContext(connection) as large:
        results = compute_all(Scope(**PERIOD))
    assert len(large.captured_queries) == len(small.captured_queries)
    assert results["practitioners_with_ecm_cases"].overall == 22


# --- Hours and cost per person in the case-level dataset ---------------------------------------

#: Each case's hours and cost from the hand calculation at the top of this file: practitioner
#: contact hours (appointments attended), clinical psychology hours, cost.
DATASET_EXPECTED = {
    "a1": (2.5, 2.5, 510.0),  # 150 min; 120 + 30 min
    "a2": (0.75, 1.5, 292.5),  # 45 min; 60 + 30 min
    "b1": (1.0, 1.5, 245.0),  # 60 min; 90 min
}
TIME_AND_COST = ("practitioner_contact_hours", "psychology_hours", "cost_gbp")


def _with_evaluation_consent(*people):
    for young_person in people:
        for party in ("young_person", "parent_carer"):
            factories.ConsentFactory(
                young_person=young_person,
                party=party,
                purpose="evaluation",
                decision="given",
                decided_on=date(2025, 1, 12),
            )


def _time_and_cost_by_case(workforce):
    from reports.dataset import dataset_rows, pseudonym

    dictionary, rows = dataset_rows(Scope(**PERIOD))
    names = {pseudonym(young_person.pk): name for name, young_person in workforce.items()}
    return dict(dictionary), {
        names[row["pseudonym"]]: tuple(row[column] for column in TIME_AND_COST) for row in rows
    }


def test_the_dataset_gives_each_persons_hours_and_cost_as_worked_out_by_hand(workforce):
    _with_evaluation_consent(*workforce.values())
    dictionary, by_case = _time_and_cost_by_case(workforce)
    assert by_case == DATASET_EXPECTED
    # The mean of the dataset's cost is the report's cost per case.
    costs = [cost for _contact, _psychology, cost in by_case.values()]
    assert round(sum(costs) / len(costs), 2) == EXPECTED["cost_per_case"][0]
    # The dictionary says which unit costs were used: those in force on the as-of date.
    described = dictionary["cost_gbp"]
    assert "Practitioner £50.00 an hour, in force from 1 January 2026" in described
    assert "Clinical psychologist £80.00 an hour, in force from 1 January 2024" in described
    assert "£40.00" not in described
    assert "£60.00" not in described
    assert "2 decimal places" in dictionary["psychology_hours"]


def test_the_dataset_dictionary_says_which_unit_costs_in_welsh(workforce):
    from django.utils import translation

    from reports.dataset import dataset_rows

    with translation.override("cy"):
        dictionary = dict(dataset_rows(Scope(**PERIOD))[0])
    assert "Ymarferydd £50.00 yr awr, mewn grym o 1 Ionawr 2026" in dictionary["cost_gbp"]
    assert "Oriau seicoleg glinigol" in dictionary["psychology_hours"]


def test_the_dataset_cost_is_empty_where_a_role_with_time_has_no_unit_cost(workforce):
    _with_evaluation_consent(*workforce.values())
    UnitCost.objects.filter(role=CostRole.AGENCY).delete()
    _dictionary, by_case = _time_and_cost_by_case(workforce)
    # A1's and A2's meetings had agencies there; B1's time is all costed.
    assert by_case == {
        "a1": (2.5, 2.5, ""),
        "a2": (0.75, 1.5, ""),
        "b1": (1.0, 1.5, 245.0),
    }


def test_the_dataset_cost_is_empty_and_says_so_without_unit_costs(workforce):
    _with_evaluation_consent(*workforce.values())
    UnitCost.objects.all().delete()
    dictionary, by_case = _time_and_cost_by_case(workforce)
    assert {name: values[2] for name, values in by_case.items()} == {"a1": "", "a2": "", "b1": ""}
    assert by_case["a1"][:2] == (2.5, 2.5)
    assert "no unit cost was in force" in dictionary["cost_gbp"]


def test_the_dataset_takes_as_many_queries_for_more_young_people(workforce, team_a, practitioner):
    from reports.dataset import dataset_rows

    _with_evaluation_consent(*workforce.values())
    with CaptureQueriesContext(connection) as small:
        dataset_rows(Scope(**PERIOD))
    for index in range(10):
        young_person = factories.YoungPersonFactory(
            team=team_a,
            practitioner=practitioner,
            referral_date=date(2025, 6, 1),
            ecm_start_date=date(2025, 7, 1),
        )
        _with_evaluation_consent(young_person)
        factories.AppointmentFactory(
            young_person=young_person,
            starts_at=at(date(2025, 7, 2 + index)),
            duration_minutes=30,
            attendance="attended",
        )
    with CaptureQueriesContext(connection) as large:
        rows = dataset_rows(Scope(**PERIOD))[1]
    assert len(rows) == 13
    assert len(large.captured_queries) == len(small.captured_queries)
    assert sorted(row["practitioner_contact_hours"] for row in rows)[:10] == [0.5] * 10


def test_matched_comparison_flags_are_never_in_the_dataset(workforce, team_a, manager):
    """The comparison group (eligible referrals who never started) is matched in the
    comparison report only: no one outside the ECM cohort is a row, and no column says
    whether anyone was matched."""
    from eligibility.models import EligibilityDecision, EligibilityPolicy
    from eligibility.reference_data import ensure_default_policies
    from reports.comparison.build import comparison_document
    from reports.dataset import dataset_rows, pseudonym

    ensure_default_policies(EligibilityPolicy)
    never_started = factories.YoungPersonFactory(
        team=team_a, practitioner=None, referral_date=date(2025, 1, 10), ecm_start_date=None
    )
    EligibilityDecision.objects.create(
        young_person=never_started,
        policy=EligibilityPolicy.objects.first(),
        decided_on=date(2025, 1, 20),
        eligible=True,
        criteria=[],
        made_by=manager,
    )
    _with_evaluation_consent(never_started, *workforce.values())
    comparison_document(Scope(**PERIOD), threshold=1)
    dictionary, rows = dataset_rows(Scope(**PERIOD))
    names = [name for name, _description in dictionary]
    assert not [name for name in names if "match" in name or "comparison" in name]
    assert not [
        value
        for row in rows
        for name, value in row.items()
        if "match" in name or "comparison" in name
    ]
    assert pseudonym(never_started.pk) not in {row["pseudonym"] for row in rows}
    assert len(rows) == 3
