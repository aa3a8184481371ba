"""The training register and unit costs: what an administrator records in the admin, the
checks on it, and the costs a report finds in force on a day."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import (
    CostRole,
    DedicatedRole,
    TrainingAttendance,
    TrainingCourse,
    UnitCost,
)
from accounts.selectors import unit_costs_in_force
from accounts.services import unit_cost_add, workforce_record_save
from tests.conftest import client_for


def test_the_default_courses_are_loaded_with_welsh_names(db):
    course = TrainingCourse.objects.get(code="ecm_practitioner")
    assert course.ecm
    assert not TrainingCourse.objects.get(code="trm_awareness").ecm
    with translation.override("cy"):
        assert course.label == "Hyfforddiant ECM i ymarferwyr"


def test_an_administrator_records_an_attendance_with_its_history(administrator, practitioner):
    course = TrainingCourse.objects.get(code="ecm_practitioner")
    response = client_for(administrator).post(
        reverse("admin:accounts_trainingattendance_add"),
        {"user": practitioner.pk, "course": course.pk, "attended_on": "2025-01-15"},
    )
    assert response.status_code == 302
    attendance = TrainingAttendance.objects.get()
    assert (attendance.user, attendance.attended_on) == (practitioner, date(2025, 1, 15))
    assert attendance.history.get().history_user == administrator


def test_an_attendance_in_the_future_is_refused_with_a_reason(administrator, practitioner):
    course = TrainingCourse.objects.get(code="ecm_practitioner")
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client_for(administrator).post(
        reverse("admin:accounts_trainingattendance_add"),
        {"user": practitioner.pk, "course": course.pk, "attended_on": tomorrow.isoformat()},
    )
    assert response.status_code == 200
    assert "The date attended cannot be in the future." in response.content.decode()
    assert not TrainingAttendance.objects.exists()


def test_a_dedicated_role_cannot_end_before_it_starts(administrator, manager, team_a):
    role = DedicatedRole(
        user=manager,
        team=team_a,
        kind="lead",
        held_from=date(2025, 4, 1),
        held_to=date(2025, 3, 1),
    )
    with pytest.raises(ValidationError) as refused:
        workforce_record_save(record=role, by=administrator)
    assert refused.value.message_dict == {
        "held_to": ["The end of the role cannot be before its start."]
    }
    role.held_to = None
    workforce_record_save(record=role, by=administrator)
    assert DedicatedRole.objects.get().history.get().history_user == administrator


def test_a_unit_cost_is_added_never_changed(administrator):
    client = client_for(administrator)
    response = client.post(
        reverse("admin:accounts_unitcost_add"),
        {"role": "psychologist", "hourly_cost": "72.50", "valid_from": "2025-04-01"},
    )
    assert response.status_code == 302
    cost = UnitCost.objects.get()
    assert (cost.role, cost.hourly_cost) == ("psychologist", Decimal("72.50"))
    change = reverse("admin:accounts_unitcost_change", args=[cost.pk])
    client.post(change, {"role": "psychologist", "hourly_cost": "1", "valid_from": "2025-04-01"})
    cost.refresh_from_db()
    assert cost.hourly_cost == Decimal("72.50")


@pytest.mark.parametrize(
    ("hourly_cost", "message"),
    [("0", "Ensure this value is greater than or equal to 0.01."), ("-5", "greater than")],
)
def test_a_cost_that_is_not_positive_is_refused(administrator, hourly_cost, message):
    response = client_for(administrator).post(
        reverse("admin:accounts_unitcost_add"),
        {"role": "practitioner", "hourly_cost": hourly_cost, "valid_from": "2025-04-01"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not UnitCost.objects.exists()


def test_two_costs_for_a_role_from_the_same_day_are_refused(administrator):
    unit_cost_add(
        role=CostRole.PRACTITIONER, hourly_cost="40", valid_from=date(2025, 4, 1), by=administrator
    )
    with pytest.raises(ValidationError):
        unit_cost_add(
            role=CostRole.PRACTITIONER,
            hourly_cost="41",
            valid_from=date(2025, 4, 1),
            by=administrator,
        )


def test_the_costs_in_force_are_each_roles_latest_by_the_day(administrator):
    for role, cost, valid_from in (
        (CostRole.PRACTITIONER, "40", date(2024, 4, 1)),
        (CostRole.PRACTITIONER, "42", date(2025, 4, 1)),
        (CostRole.PSYCHOLOGIST, "80", date(2025, 6, 1)),
    ):
        unit_cost_add(role=role, hourly_cost=cost, valid_from=valid_from, by=administrator)
    assert unit_costs_in_force(date(2025, 5, 31)) == [
        {"role": "practitioner", "hourly_cost": 42.0, "valid_from": "2025-04-01"}
    ]
    assert unit_costs_in_force(date(2024, 3, 31)) == []
    assert [row["role"] for row in unit_costs_in_force(date(2025, 6, 1))] == [
        "practitioner",
        "psychologist",
    ]
