"""Engagement measures: the cohort's appointments on or after their ECM start."""

from datetime import timedelta

from django.db.models import Count, DateField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate

from cases.models import Appointment, Attendance

from ..base import rate
from .registry import from_team_rows, grouped, legacy, mean_from_team_rows, summed

GROUP = "engagement"


def cohort_appointments(scope):
    """Appointments of cohort members dated from their start date to the as-of date."""
    return (
        Appointment.objects.filter(young_person__in=scope.cohort(), archived_at__isnull=True)
        .annotate(day=TruncDate("starts_at"))
        .filter(day__gte=F("young_person__ecm_start_date"), day__lte=scope.as_of)
    )


def _by_team(queryset, **aggregates):
    rows = queryset.order_by().values("young_person__team__code").annotate(**aggregates)
    return {
        row["young_person__team__code"]: {**row, "team__code": row["young_person__team__code"]}
        for row in rows
    }


@legacy("appointments")
def appointments(scope):
    rows = _by_team(cohort_appointments(scope), n=Count("id"))
    return from_team_rows(scope, rows, lambda row: row["n"] if row else 0)


ATTENDED = Q(attendance=Attendance.ATTENDED)
DID_NOT_ATTEND = Q(attendance=Attendance.DID_NOT_ATTEND)


def _attendance_rate(scope, queryset):
    rows = _by_team(
        queryset, attended=Count("id", filter=ATTENDED), missed=Count("id", filter=DID_NOT_ATTEND)
    )
    return from_team_rows(
        scope,
        rows,
        lambda row: rate(row["attended"], row["attended"] + row["missed"]) if row else None,
        lambda all_rows: rate(
            summed(all_rows, "attended"), summed(all_rows, "attended") + summed(all_rows, "missed")
        ),
    )


@legacy("attendance_rate")
def attendance_rate(scope):
    return _attendance_rate(scope, cohort_appointments(scope))


def _days_since_start(first, last):
    start = F("young_person__ecm_start_date")
    return {
        "day__gte": ExpressionWrapper(start + timedelta(days=first), output_field=DateField()),
        "day__lte": ExpressionWrapper(start + timedelta(days=last), output_field=DateField()),
    }


@legacy("attendance_rate_days_0_90")
def attendance_rate_days_0_90(scope):
    return _attendance_rate(scope, cohort_appointments(scope).filter(**_days_since_start(0, 90)))


@legacy("attendance_rate_days_91_180")
def attendance_rate_days_91_180(scope):
    return _attendance_rate(scope, cohort_appointments(scope).filter(**_days_since_start(91, 180)))


def _rated_engagement(scope, order):
    """For a young person (OuterRef): the engagement of their first/last rated appointment."""
    rated = (
        Appointment.objects.filter(
            young_person=OuterRef("pk"), archived_at__isnull=True, engagement__isnull=False
        )
        .annotate(day=TruncDate("starts_at"))
        .filter(day__gte=OuterRef("ecm_start_date"), day__lte=scope.as_of)
        .order_by(*order)
    )
    return Subquery(rated.values("engagement")[:1])


def _mean_engagement(scope, order):
    people = scope.cohort().annotate(engagement=_rated_engagement(scope, order))
    rows = grouped(people.filter(engagement__isnull=False), total=Sum("engagement"), n=Count("id"))
    return mean_from_team_rows(scope, rows)


@legacy("mean_engagement_first")
def mean_engagement_first(scope):
    return _mean_engagement(scope, ("starts_at", "id"))


@legacy("mean_engagement_last")
def mean_engagement_last(scope):
    return _mean_engagement(scope, ("-starts_at", "-id"))
