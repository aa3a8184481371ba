"""Reads about accounts for the administrator's pages."""

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone


def locked_out_attempts(now=None) -> QuerySet:
    """django-axes' records of the usernames locked out now: as many failed sign-ins as
    AXES_FAILURE_LIMIT, the last one within AXES_COOLOFF_TIME (the lockout then lifts by
    itself; an administrator lifts it sooner by deleting the record)."""
    since = (now or timezone.now()) - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    )
