"""`{{ appointment|has_started }}`: whether how an appointment went can be recorded yet.

Lists offer "Record the outcome" only for an appointment that has begun (`rules`
`appointment_started`); before then its link changes the plan.
"""

from django import template
from django.utils import timezone

from .. import rules

register = template.Library()


@register.filter
def has_started(appointment) -> bool:
    return rules.appointment_started(appointment.starts_at, now=timezone.now())
