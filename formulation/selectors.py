"""Reads for formulation: meetings, the current plan with its sequencing warnings."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet, Subquery

from cases import selectors as case_selectors
from cases.models import Appointment, TRMStage, YoungPerson

from .models import (
    AgreedAction,
    DistanceDomain,
    DistanceRating,
    Formulation,
    FormulationMeeting,
    InterventionItem,
    MeetingAttendance,
    MeetingStatus,
)


def meetings_readable_by(user) -> QuerySet:
    """Meetings of the young people whose formulation `user` may read (archived ones too)."""
    readable = case_selectors.young_people_visible_to(
        user, "formulation.read", include_archived=True
    )
    return FormulationMeeting.objects.filter(young_person__in=readable).select_related(
        "young_person__team", "young_person__practitioner", "chair"
    )


def actions_readable_by(user) -> QuerySet:
    """Agreed actions of the formulations `user` may read (archived young people too)."""
    readable = case_selectors.young_people_visible_to(
        user, "formulation.read", include_archived=True
    )
    return AgreedAction.objects.filter(
        formulation__meeting__young_person__in=readable
    ).select_related("formulation__meeting__young_person__team")


def meetings_chaired_by(user, first, last) -> QuerySet:
    """The meetings `user` chairs from `first` to `last` (dates), not cancelled, soonest first;
    none about a young person anonymised under the retention schedule."""
    return (
        meetings_readable_by(user)
        .filter(
            chair=user,
            held_on__gte=first,
            held_on__lte=last,
            young_person__anonymised_at__isnull=True,
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("held_on", "id")
    )


def attendance_of(meeting) -> list[MeetingAttendance]:
    """The agencies invited to a meeting, with whether they attended."""
    return list(meeting.attendance.select_related("agency"))


def formulation_of(meeting) -> Formulation | None:
    """The meeting's formulation (if recorded yet), with its stage and agreed actions."""
    return (
        Formulation.objects.filter(meeting=meeting)
        .select_related("trm_stage")
        .prefetch_related(
            Prefetch("actions", queryset=AgreedAction.objects.select_related("assignee", "agency"))
        )
        .first()
    )


def overdue_actions(young_person, today) -> list[AgreedAction]:
    """Agreed actions of the young person's formulations not done by their due date, with
    who does each, most overdue first."""
    return list(
        AgreedAction.objects.filter(
            formulation__meeting__young_person=young_person,
            done_on__isnull=True,
            due_on__lt=today,
        )
        .select_related("assignee", "agency")
        .order_by("due_on", "id")
    )


def current_stage(young_person) -> TRMStage | None:
    """The young person's current TRM stage (the latest assessment), in one query."""
    latest = case_selectors.with_current_stage(YoungPerson.objects.filter(pk=young_person.pk))
    return TRMStage.objects.filter(pk=Subquery(latest.values("current_stage_id")[:1])).first()


def recent_appointments(young_person, limit: int) -> QuerySet:
    """The young person's latest appointments, newest first, with the item each delivered."""
    return (
        Appointment.objects.filter(young_person=young_person, archived_at__isnull=True)
        .select_related("purpose_category", "delivered_intervention__item")
        .order_by("-starts_at", "-id")[:limit]
    )


def appointments_of(young_person) -> QuerySet:
    """The young person's appointments, for finding one to link to a plan item."""
    return Appointment.objects.filter(young_person=young_person).select_related(
        "young_person__team", "purpose_category", "delivered_intervention"
    )


def items_of(young_person) -> QuerySet:
    """The young person's plan items, for finding one to change."""
    return InterventionItem.objects.filter(young_person=young_person).select_related(
        "young_person__team", "trm_stage", "agency"
    )


def items_in_order(young_person) -> list[InterventionItem]:
    """The plan's items in sequence, for choosing which one an appointment delivered."""
    return list(
        InterventionItem.objects.filter(young_person=young_person)
        .select_related("trm_stage")
        .order_by("sequence", "id")
    )


def meetings_for(young_person) -> QuerySet:
    """Meetings newest first, with attendance, formulation and its actions (fixed queries)."""
    return (
        FormulationMeeting.objects.filter(young_person=young_person)
        .select_related("chair", "formulation__trm_stage", "formulation__recorded_by")
        .prefetch_related(
            Prefetch("attendance", queryset=MeetingAttendance.objects.select_related("agency")),
            Prefetch(
                "formulation__actions",
                queryset=AgreedAction.objects.select_related("assignee", "agency").order_by(
                    "due_on"
                ),
            ),
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


# --- Distance travelled (issue 15) --------------------------------------------------------------


def distance_domains_for(formulation) -> list[tuple[DistanceDomain, DistanceRating | None]]:
    """The domains to rate at a formulation, each with its rating there if any: every active
    domain, and any inactive one it was already rated on (two queries)."""
    rated = {
        rating.domain_id: rating
        for rating in DistanceRating.objects.filter(formulation=formulation).select_related(
            "domain"
        )
    }
    domains = [
        domain for domain in DistanceDomain.objects.all() if domain.active or domain.pk in rated
    ]
    return [(domain, rated.get(domain.pk)) for domain in domains]


def ratings_at(formulation) -> list[DistanceRating]:
    """The ratings recorded at one formulation, in the domains' order (one query)."""
    return list(DistanceRating.objects.filter(formulation=formulation).select_related("domain"))


@dataclass
class DistanceTravelled:
    """One domain's first and latest ratings (the young person's and the practitioner's)."""

    domain: DistanceDomain
    first: DistanceRating
    latest: DistanceRating

    @property
    def rated_once(self) -> bool:
        return self.first.pk == self.latest.pk

    @property
    def self_change(self) -> int:
        return self.latest.self_rating - self.first.self_rating

    @property
    def practitioner_change(self) -> int:
        return self.latest.practitioner_rating - self.first.practitioner_rating


def distance_travelled(young_person) -> list[DistanceTravelled]:
    """Per domain rated, the first and the latest rating over the young person's formulation
    meetings, by meeting date (one query)."""
    ratings = (
        DistanceRating.objects.filter(formulation__meeting__young_person=young_person)
        .select_related("domain", "formulation__meeting")
        .order_by("formulation__meeting__held_on", "formulation__meeting_id")
    )
    by_domain: dict[int, DistanceTravelled] = {}
    for rating in ratings:
        found = by_domain.get(rating.domain_id)
        if found is None:
            by_domain[rating.domain_id] = DistanceTravelled(rating.domain, rating, rating)
        else:
            found.latest = rating
    return sorted(by_domain.values(), key=lambda row: (row.domain.order, row.domain.name))
