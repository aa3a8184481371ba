"""Reads about accounts for the administrator's pages."""

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from .models import UnitCost


def locked_out_attempts(now=None) -> QuerySet:
    """django-axes' records of the usernames locked out now: as many failed sign-ins as
    AXES_FAILURE_LIMIT, the last one within AXES_COOLOFF_TIME (the lockout then lifts by
    itself; an administrator lifts it sooner by deleting the record)."""
    since = (now or timezone.now()) - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    )


def unit_costs_in_force(on) -> list[dict]:
    """The hourly cost of each role in force on the date `on` (the one with the latest
    `valid_from` on or before it), as the report records them: role, hourly_cost (a float),
    valid_from (YYYY-MM-DD). One query."""
    latest = (
        UnitCost.objects.filter(role=OuterRef("role"), valid_from__lte=on)
        .order_by("-valid_from")
        .values("valid_from")[:1]
    )
    rows = (
        UnitCost.objects.filter(valid_from=Subquery(latest))
        .order_by("role")
        .values("role", "hourly_cost", "valid_from")
    )
    return [
        {
            "role": row["role"],
            "hourly_cost": float(row["hourly_cost"]),
            "valid_from": row["valid_from"].isoformat(),
        }
        for row in rows
    ]
