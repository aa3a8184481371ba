"""The case warning supervision adds to the caseload and team screens (`cases.warnings`):

* ``no_recent_oversight`` — a case open (since ECM started, else since referral) for 3
  calendar months or more with no management oversight recorded in the last 3 months
  (`rules.oversight_due_since`): the team view shows the cases a manager has not reviewed.
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.warnings import WarningProvider, register

from . import rules
from .models import OversightEntry


def _no_recent_oversight() -> Q:
    since = rules.oversight_due_since(timezone.localdate())
    recent = OversightEntry.objects.filter(reviewed_on__gte=since).values("young_person_id")
    open_long_enough = Q(ecm_start_date__lte=since) | Q(
        ecm_start_date__isnull=True, referral_date__lte=since
    )
    return open_long_enough & ~Q(pk__in=recent)


def register_all() -> None:
    register(
        WarningProvider(
            code="no_recent_oversight",
            label=_("No management oversight in 3 months"),
            condition=_no_recent_oversight,
        )
    )
