"""Writes for formulation meetings, formulations and the intervention plan."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.history import save_by, save_version
from cases import rules as case_rules
from cases import services as case_services
from cases import summary, tasks
from cases.plan_links import PlanLinks
from cases.services import ConflictError, ensure_open, event_record

from . import rules
from .models import (
    CARRIED_FORWARD,
    AgreedAction,
    DeliveredIntervention,
    DistanceRating,
    Formulation,
    FormulationMeeting,
    InterventionItem,
    InterventionStatus,
    MeetingAttendance,
    MeetingKind,
    MeetingStatus,
)

# --- Meetings -----------------------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *, by, young_person, held_on: date, kind: str, agencies, meeting_ref: str | None = None
) -> FormulationMeeting:
    """A psychologist schedules a meeting (initial or review) and invites agencies."""
    policy.require(by, "formulation.write", young_person.team)
    ensure_open(young_person)
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": [_("Choose initial formulation or review")]})
    meeting = FormulationMeeting.objects.create(
        young_person=young_person, held_on=held_on, kind=kind, chair=by, meeting_ref=meeting_ref
    )
    MeetingAttendance.objects.bulk_create(
        MeetingAttendance(meeting=meeting, agency=agency) for agency in agencies
    )
    event_record(
        young_person=young_person,
        action="formulation.meeting_scheduled",
        by=by,
        meeting=meeting.pk,
        kind=kind,
        held_on=held_on.isoformat(),
    )
    return meeting


@transaction.atomic
def meeting_record_attendance(
    *, by, meeting, attendance: dict, duration_minutes: int | None = None
) -> FormulationMeeting:
    """Record the meeting as held with who came: ``{agency_id: (attended, name)}``, and how
    long it lasted (minutes; issue 15).

    Only invited agencies can be recorded, and a meeting cannot be held in the future.
    """
    policy.require(by, "formulation.write", meeting.young_person.team)
    ensure_open(meeting.young_person)
    errors: dict = {}
    bad_duration = case_rules.duration_invalid(duration_minutes)
    if bad_duration:
        errors["duration_minutes"] = [bad_duration]
    not_held = rules.meeting_not_held_yet(meeting.held_on, today=timezone.localdate())
    if not_held:
        errors["held_on"] = [not_held]
    invited = {row.agency_id: row for row in meeting.attendance.select_related("agency")}
    uninvited = [agency_id for agency_id in attendance if agency_id not in invited]
    if uninvited:
        from accounts.models import Agency

        names = ", ".join(str(agency) for agency in Agency.objects.filter(pk__in=uninvited))
        errors["attendance"] = [
            _("These agencies were not invited to this meeting: %(names)s") % {"names": names}
        ]
    if errors:
        raise ValidationError(errors)
    for agency_id, (attended, name) in attendance.items():
        row = invited[agency_id]
        row.attended = attended
        row.attendee_name = name if attended else ""
        row.save()
    meeting.status = MeetingStatus.HELD
    meeting.duration_minutes = duration_minutes
    save_version(meeting, by)
    event_record(
        young_person=meeting.young_person,
        action="formulation.meeting_held",
        by=by,
        meeting=meeting.pk,
        agencies_attending=sum(1 for attended, _name in attendance.values() if attended),
    )
    return meeting


# --- Formulations -------------------------------------------------------------------------------


def previous_formulation(young_person, *, before: FormulationMeeting | None = None):
    """The latest formulation recorded for the young person (a review starts from it)."""
    formulations = Formulation.objects.filter(meeting__young_person=young_person).select_related(
        "meeting", "trm_stage"
    )
    if before is not None:
        formulations = formulations.exclude(meeting=before).filter(
            meeting__held_on__lte=before.held_on
        )
    return formulations.order_by("-meeting__held_on", "-meeting_id").first()


def formulation_starting_values(meeting) -> dict:
    """For a review: the previous formulation's text, so only changes need typing."""
    previous = previous_formulation(meeting.young_person, before=meeting)
    if previous is None:
        return {}
    return {field: getattr(previous, field) for field in CARRIED_FORWARD}


FORMULATION_FIELDS = (*CARRIED_FORWARD, "next_review_on")


def _validate_formulation(errors, meeting, values, actions):
    if meeting.held_on > timezone.localdate():
        errors.setdefault("__all__", []).append(
            _("The meeting on %(date)s has not happened yet; record the formulation afterwards")
            % {"date": meeting.held_on.strftime("%d/%m/%Y")}
        )
    review = values.get("next_review_on")
    if review is not None and review <= meeting.held_on:
        errors.setdefault("next_review_on", []).append(
            _("The next review must be after the meeting (%(date)s)")
            % {"date": meeting.held_on.strftime("%d/%m/%Y")}
        )
    if not (values.get("trm_reasoning") or "").strip():
        errors.setdefault("trm_reasoning", []).append(_("Explain why this TRM stage was agreed"))
    for index, action in enumerate(actions, start=1):
        if action["due_on"] < meeting.held_on:
            errors.setdefault("actions", []).append(
                _("Action %(number)d: the due date cannot be before the meeting (%(date)s)")
                % {"number": index, "date": meeting.held_on.strftime("%d/%m/%Y")}
            )
        tasks.validate(errors, index, action, meeting.young_person.team)


@transaction.atomic
def formulation_record(
    *, by, meeting, values: dict, actions: list[dict] = (), version: int | None = None
) -> Formulation:
    """Record (or, with the version the user opened, revise) a meeting's formulation.

    The TRM stage agreed is written as a TRM assessment on the meeting date. Agreed actions
    given here are added to the formulation's actions.
    """
    young_person = meeting.young_person
    policy.require(by, "formulation.write", young_person.team)
    ensure_open(young_person)
    unknown = set(values) - set(FORMULATION_FIELDS)
    if unknown:
        raise TypeError(f"not formulation fields: {', '.join(sorted(unknown))}")
    actions = list(actions)
    errors: dict = {}
    _validate_formulation(errors, meeting, values, actions)
    if errors:
        raise ValidationError(errors)
    existing = Formulation.objects.select_for_update().filter(meeting=meeting).first()
    if existing is not None:
        if version is None or existing.version != version:
            raise ConflictError(existing)
        formulation = existing
        formulation.version += 1
    else:
        formulation = Formulation(meeting=meeting, recorded_by=by)
    stage_changed = existing is None or existing.trm_stage_id != values["trm_stage"].pk
    for field, value in values.items():
        setattr(formulation, field, value)
    save_by(formulation, by)
    AgreedAction.objects.bulk_create(
        AgreedAction(
            formulation=formulation,
            description=action["description"].strip(),
            due_on=action["due_on"],
            **tasks.task_fields(action),
        )
        for action in actions
    )
    summary.refresh([meeting.young_person_id])  # bulk_create sends no signals
    if meeting.status != MeetingStatus.HELD:
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status"])
    if stage_changed:
        case_services.trm_assess(
            by=by,
            young_person=young_person,
            stage=values["trm_stage"],
            assessed_on=meeting.held_on,
            rationale=_("Agreed at the formulation meeting: %(reasoning)s")
            % {"reasoning": values["trm_reasoning"].strip()},
        )
    event_record(
        young_person=young_person,
        action="formulation.revised" if existing else "formulation.recorded",
        by=by,
        meeting=meeting.pk,
        trm_stage=values["trm_stage"].number,
    )
    return formulation


@transaction.atomic
def action_complete(*, by, action: AgreedAction, done_on: date) -> AgreedAction:
    young_person = action.formulation.meeting.young_person
    if not (
        policy.may(by, "formulation.write", young_person.team)
        or policy.may(by, "plan.write", young_person.team)
        or action.assignee_id == by.pk
    ):
        raise PermissionDenied
    tasks.mark_done(action, by=by, done_on=done_on)
    return action


# --- Distance travelled (issue 15) ---------------------------------------------------------------


def may_rate_distance(user, team) -> bool:
    """The psychologist who holds the formulation, or the practitioners and managers of the
    team, who rate alongside the young person."""
    return policy.may(user, "formulation.write", team) or policy.may(user, "case.edit", team)


def rating_field(domain, rater: str) -> str:
    """The form field (and error key) of one domain's rating: rater is "self" or
    "practitioner"."""
    return f"{domain.code}_{rater}"


@transaction.atomic
def distance_ratings_record(*, by, formulation, ratings: dict, version: int) -> list:
    """Record the distance-travelled ratings agreed at a formulation meeting.

    `ratings` maps a domain to (young person's own rating, practitioner's rating), each 1–5
    or None; a domain left with neither has no rating at this meeting (an earlier rating is
    removed, its history kept). `version` is the formulation's, as the user opened it: the
    ratings belong to the formulation, so saving them makes its next version.
    """
    young_person = formulation.meeting.young_person
    if not may_rate_distance(by, young_person.team):
        raise PermissionDenied
    ensure_open(young_person)
    errors: dict = {}
    for domain, (own, practitioner) in ratings.items():
        for rater, rating, rater_label in (
            ("self", own, _("the young person's own rating")),
            ("practitioner", practitioner, _("the practitioner's rating")),
        ):
            message = rules.rating_off_scale(rating, domain.label, rater_label)
            if message:
                errors.setdefault(rating_field(domain, rater), []).append(message)
        message = rules.rating_half_given(own, practitioner, domain.label)
        if message:
            missing = "practitioner" if own is not None else "self"
            errors.setdefault(rating_field(domain, missing), []).append(message)
    if errors:
        raise ValidationError(errors)
    current = Formulation.objects.select_for_update().get(pk=formulation.pk)
    if current.version != version:
        raise ConflictError(current)
    existing = {row.domain_id: row for row in current.distance_ratings.all()}
    saved = []
    for domain, (own, practitioner) in ratings.items():
        row = existing.get(domain.pk)
        if own is None and practitioner is None:
            if row is not None:
                row._history_user = by
                row.delete()
            continue
        if row is None:
            row = DistanceRating(formulation=current, domain=domain)
        elif (row.self_rating, row.practitioner_rating) == (own, practitioner):
            saved.append(row)
            continue
        row.self_rating, row.practitioner_rating = own, practitioner
        row.recorded_by = by
        row.recorded_at = timezone.now()
        save_by(row, by)
        saved.append(row)
    save_version(current, by)
    event_record(
        young_person=young_person,
        action="formulation.distance_rated",
        by=by,
        meeting=current.meeting_id,
        domains_rated=len(saved),
    )
    return saved


# --- Intervention plan --------------------------------------------------------------------------

ITEM_FIELDS = (
    "title",
    "trm_stage",
    "agency",
    "responsible_person",
    "planned_start",
    "status",
    "sequence",
)


def _validate_item(errors, values):
    if not (values.get("title") or "").strip():
        errors["title"] = [_("Say what the intervention is")]
    if "trm_stage" in values and values["trm_stage"] is None:
        errors["trm_stage"] = [_("Select the TRM stage the intervention serves")]
    if not values.get("agency") and not (values.get("responsible_person") or "").strip():
        errors["responsible_person"] = [_("Name the responsible agency or person")]
    if values.get("status") and values["status"] not in InterventionStatus.values:
        errors["status"] = [_("Choose a status from the list")]


@transaction.atomic
def intervention_add(
    *,
    by,
    young_person,
    title: str,
    trm_stage,
    agency=None,
    responsible_person: str = "",
    planned_start: date | None = None,
    status: str = InterventionStatus.PLANNED,
    sequence: int | None = None,
) -> InterventionItem:
    policy.require(by, "plan.write", young_person.team)
    ensure_open(young_person)
    values = {
        "title": title,
        "trm_stage": trm_stage,
        "agency": agency,
        "responsible_person": responsible_person,
        "status": status,
    }
    errors: dict = {}
    _validate_item(errors, values)
    if errors:
        raise ValidationError(errors)
    if sequence is None:
        last = (
            InterventionItem.objects.filter(young_person=young_person)
            .order_by("-sequence")
            .values_list("sequence", flat=True)
            .first()
        )
        sequence = (last or 0) + 1
    item = InterventionItem(
        young_person=young_person,
        title=title.strip(),
        trm_stage=trm_stage,
        agency=agency,
        responsible_person=responsible_person.strip(),
        planned_start=planned_start,
        status=status,
        sequence=sequence,
        created_by=by,
    )
    save_by(item, by)
    event_record(
        young_person=young_person,
        action="plan.item_added",
        by=by,
        item=item.pk,
        trm_stage=trm_stage.number,
    )
    return item


@transaction.atomic
def intervention_update(*, by, item, version: int, **changes) -> InterventionItem:
    policy.require(by, "plan.write", item.young_person.team)
    ensure_open(item.young_person)
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {', '.join(sorted(unknown))}")
    current = InterventionItem.objects.select_for_update().get(pk=item.pk)
    if current.version != version:
        raise ConflictError(current)
    values = {field: changes.get(field, getattr(current, field)) for field in ITEM_FIELDS}
    errors: dict = {}
    _validate_item(errors, values)
    if errors:
        raise ValidationError(errors)
    for field, value in values.items():
        setattr(current, field, value)
    save_version(current, by)
    return current


@transaction.atomic
def appointment_link_intervention(*, by, appointment, item) -> DeliveredIntervention | None:
    """Record which plan item an appointment delivered (or unlink with ``item=None``)."""
    policy.require(by, "case.edit", appointment.young_person.team)
    ensure_open(appointment.young_person)
    if item is not None and item.young_person_id != appointment.young_person_id:
        raise ValidationError({"item": [_("Choose an intervention from this young person's plan")]})
    DeliveredIntervention.objects.filter(appointment=appointment).delete()
    if item is None:
        return None
    return DeliveredIntervention.objects.create(appointment=appointment, item=item)


def plan_links_for_cases():
    """What the appointment form (in `cases`) needs to link an appointment to a plan item."""

    def items_of(young_person):
        return list(
            InterventionItem.objects.filter(young_person=young_person)
            .order_by("sequence", "id")
            .values_list("pk", "title")
        )

    def linked_item_id(appointment):
        return (
            DeliveredIntervention.objects.filter(appointment=appointment)
            .values_list("item_id", flat=True)
            .first()
        )

    def link(*, by, appointment, item_id):
        item = None
        if item_id is not None:
            item = InterventionItem.objects.filter(pk=item_id).first()
            if item is None:
                raise ValidationError(
                    {"item": [_("Choose an intervention from this young person's plan")]}
                )
        if item is None and linked_item_id(appointment) is None:
            return
        appointment_link_intervention(by=by, appointment=appointment, item=item)

    return PlanLinks(items_of=items_of, linked_item_id=linked_item_id, link=link)
