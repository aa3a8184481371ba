"""Case warnings that formulation adds to the caseload and team screens (issue 5).

* ``formulation_review_overdue`` — the latest formulation's next review date has passed;
* ``initial_formulation_late`` — ECM started more than ``ECM_FORMULATION_WINDOW_DAYS``
  (default 56, the 8 weeks of the fidelity measure) ago with no initial meeting held;
* ``formulation_actions_overdue`` — an agreed action is past its due date and not done.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import BooleanField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.warnings import WarningProvider, register

from .models import AgreedAction, Formulation, FormulationMeeting, MeetingKind, MeetingStatus


def window_days() -> int:
    return getattr(settings, "ECM_FORMULATION_WINDOW_DAYS", 56)


def _annotate_review(queryset):
    latest = Formulation.objects.filter(meeting__young_person=OuterRef("pk")).order_by(
        "-meeting__held_on", "-meeting_id"
    )
    return queryset.annotate(next_review_on=Subquery(latest.values("next_review_on")[:1]))


def _annotate_initial(queryset):
    # A scalar subquery (LIMIT 1), not EXISTS: for a list of a few hundred young people
    # PostgreSQL turns this EXISTS into a hashed subplan that reads every initial meeting in
    # the service (tens of milliseconds at national scale) instead of one index probe per row.
    held = FormulationMeeting.objects.filter(
        young_person=OuterRef("pk"), kind=MeetingKind.INITIAL, status=MeetingStatus.HELD
    ).values(held=Value(True))[:1]
    return queryset.annotate(
        initial_formulation_held=Coalesce(Subquery(held, output_field=BooleanField()), Value(False))
    )


def _annotate_actions(queryset):
    # A scalar subquery for the same reason as above: as EXISTS, PostgreSQL hashed every
    # overdue action in the service (130 ms for a team of 1,146 at national scale).
    overdue = AgreedAction.objects.filter(
        formulation__meeting__young_person=OuterRef("pk"),
        done_on__isnull=True,
        due_on__lt=timezone.localdate(),
    ).values(overdue=Value(True))[:1]
    return queryset.annotate(
        formulation_actions_overdue=Coalesce(
            Subquery(overdue, output_field=BooleanField()), Value(False)
        )
    )


def _initial_late(row) -> bool:
    if row.ecm_start_date is None or row.initial_formulation_held:
        return False
    return row.ecm_start_date < timezone.localdate() - timedelta(days=window_days())


def register_all() -> None:
    register(
        WarningProvider(
            code="formulation_review_overdue",
            label=_("Formulation review overdue"),
            annotate=_annotate_review,
            applies=lambda row: (
                row.next_review_on is not None and row.next_review_on < timezone.localdate()
            ),
        )
    )
    register(
        WarningProvider(
            code="initial_formulation_late",
            label=_("Initial formulation not held within 8 weeks"),
            annotate=_annotate_initial,
            applies=_initial_late,
        )
    )
    register(
        WarningProvider(
            code="formulation_actions_overdue",
            label=_("Formulation actions overdue"),
            annotate=_annotate_actions,
            applies=lambda row: row.formulation_actions_overdue,
        )
    )
