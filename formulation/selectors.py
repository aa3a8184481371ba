"""Reads for formulation: meetings, the current plan with its sequencing warnings."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from .models import (
    AgreedAction,
    Formulation,
    FormulationMeeting,
    InterventionItem,
    MeetingAttendance,
)


def meetings_for(young_person) -> QuerySet:
    """Meetings newest first, with attendance, formulation and its actions (fixed queries)."""
    return (
        FormulationMeeting.objects.filter(young_person=young_person)
        .select_related("chair", "formulation__trm_stage", "formulation__recorded_by")
        .prefetch_related(
            Prefetch("attendance", queryset=MeetingAttendance.objects.select_related("agency")),
            Prefetch("formulation__actions", queryset=AgreedAction.objects.order_by("due_on")),
        )
        .order_by("-held_on", "-id")
    )


def latest_formulation(young_person) -> Formulation | None:
    return (
        Formulation.objects.filter(meeting__young_person=young_person)
        .select_related("meeting", "trm_stage", "recorded_by")
        .order_by("-meeting__held_on", "-meeting_id")
        .first()
    )


@dataclass
class PlanRow:
    item: InterventionItem
    above_current_stage: bool


def plan_for(young_person, current_stage_number: int | None) -> list[PlanRow]:
    """The plan in order, each item flagged when it targets a stage above the current one.

    The TRM sequencing rule: relational and regulation work before offence-focused work. With
    no stage assessed yet, nothing can be judged, so nothing is flagged.
    """
    items = (
        InterventionItem.objects.filter(young_person=young_person)
        .select_related("trm_stage", "agency")
        .order_by("sequence", "id")
    )
    return [
        PlanRow(
            item, current_stage_number is not None and item.trm_stage.number > current_stage_number
        )
        for item in items
    ]
