"""Case warnings that formulation adds to the caseload and team screens.

* ``formulation_review_overdue`` — the latest formulation's next review date has passed;
* ``initial_formulation_late`` — ECM started more than ``ECM_FORMULATION_WINDOW_DAYS``
  (default 56, the 8 weeks of the fidelity measure) ago with no initial meeting held;
* ``formulation_actions_overdue`` — an agreed action is past its due date and not done.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import BooleanField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cases import summary
from cases.warnings import WarningProvider, register

from .models import (
    AgreedAction,
    Formulation,
    FormulationMeeting,
    FormulationSummary,
    MeetingKind,
    MeetingStatus,
)


def window_days() -> int:
    return getattr(settings, "ECM_FORMULATION_WINDOW_DAYS", 56)


# --- What is stored (cases.summary computes these for `FormulationSummary`) ---------------------


def next_review() -> Subquery:
    """The latest formulation's next review date."""
    latest = Formulation.objects.filter(meeting__young_person=OuterRef("pk")).order_by(
        "-meeting__held_on", "-meeting_id"
    )
    return Subquery(latest.values("next_review_on")[:1])


def initial_held() -> Coalesce:
    """Whether an initial formulation meeting has been held."""
    held = FormulationMeeting.objects.filter(
        young_person=OuterRef("pk"), kind=MeetingKind.INITIAL, status=MeetingStatus.HELD
    ).values(held=Value(True))[:1]
    return Coalesce(Subquery(held, output_field=BooleanField()), Value(False))


def open_action_due() -> Subquery:
    """The earliest due date of an agreed action not done yet."""
    due = (
        AgreedAction.objects.filter(
            formulation__meeting__young_person=OuterRef("pk"), done_on__isnull=True
        )
        .order_by("due_on")
        .values("due_on")[:1]
    )
    return Subquery(due)


# --- When the warnings apply: the stored facts, judged against today --------------------------


def _initial_late() -> Q:
    window_start = timezone.localdate() - timedelta(days=window_days())
    # A missing summary (NULL) is "not held": Django's negation keeps NULLs in.
    return Q(ecm_start_date__lt=window_start) & ~Q(
        formulation_summary__initial_formulation_held=True
    )


def overdue_actions_named(young_person_ids: list[int]) -> dict[int, str]:
    """Each young person's earliest overdue agreed action, named: what, who and when it was
    due, and how many more are overdue (one query)."""
    overdue = (
        AgreedAction.objects.filter(
            formulation__meeting__young_person_id__in=young_person_ids,
            done_on__isnull=True,
            due_on__lt=timezone.localdate(),
        )
        .select_related("assignee", "agency")
        .annotate(about_id=F("formulation__meeting__young_person_id"))
        .order_by("due_on", "pk")
    )
    by_person: dict[int, list[AgreedAction]] = {}
    for action in overdue:
        by_person.setdefault(action.about_id, []).append(action)
    named = {}
    for young_person_id, actions in by_person.items():
        first = actions[0]
        text = gettext("%(action)s (%(who)s, due %(date)s)") % {
            "action": first.description,
            "who": first.who,
            "date": date_format(first.due_on, "j F Y"),
        }
        if len(actions) > 1:
            more = len(actions) - 1
            text += " " + ngettext("and %(more)s more", "and %(more)s more", more) % {"more": more}
        named[young_person_id] = text
    return named


def register_all() -> None:
    register(
        WarningProvider(
            code="formulation_review_overdue",
            label=_("Formulation review overdue"),
            condition=lambda: Q(formulation_summary__next_review_on__lt=timezone.localdate()),
        )
    )
    register(
        WarningProvider(
            code="initial_formulation_late",
            label=_("Initial formulation not held within 8 weeks"),
            condition=_initial_late,
        )
    )
    register(
        WarningProvider(
            code="formulation_actions_overdue",
            label=_("Formulation actions overdue"),
            condition=lambda: Q(formulation_summary__open_action_due_on__lt=timezone.localdate()),
            details=overdue_actions_named,
        )
    )
    summary.register(
        summary.SummaryTable(
            model=FormulationSummary,
            columns={
                "next_review_on": next_review,
                "initial_formulation_held": initial_held,
                "open_action_due_on": open_action_due,
            },
            sources=(
                summary.Source(FormulationMeeting, lambda meeting: meeting.young_person_id),
                summary.Source(
                    Formulation, lambda formulation: formulation.meeting.young_person_id
                ),
                summary.Source(
                    AgreedAction, lambda action: action.formulation.meeting.young_person_id
                ),
            ),
        )
    )
