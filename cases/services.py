"""Every write to a case record (STYLE.md: keyword-only, one transaction, an event).

Each service checks the access policy, validates the domain rules that forms cannot know
(DESIGN.md section 9, "Bad input"), saves, and writes a readable `CaseEvent`. Field-level
history (who, when, before/after) is kept by django-simple-history on every save. Errors
are `ValidationError`s keyed by field name so a view can put them next to the field.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.history import save_by, save_version
from accounts.models import Membership, Role

from . import rules
from .models import (
    Appointment,
    Attendance,
    Breach,
    CaseEvent,
    ComplianceDecision,
    Consent,
    CustodyEpisode,
    DisengagementReason,
    Need,
    NeedCategory,
    Offence,
    Order,
    TRMAssessment,
    TRMStage,
    YoungPerson,
)


class ConflictError(Exception):
    """Someone else changed the record since the user opened it. Nothing was saved."""

    def __init__(self, current):
        super().__init__("the record was changed by someone else")
        self.current = current


_EVENT_LABELS: dict[str, object] = {}


def register_event_labels(labels: dict) -> None:
    """Readable names for domain events; each app registers its own from ready()."""
    _EVENT_LABELS.update(labels)


def event_label(action: str):
    return _EVENT_LABELS.get(action, action)


#: How the history page shows what an event records (`CaseEvent.data`): key → EventDetail.
_EVENT_DETAILS: dict[str, "EventDetail"] = {}


class EventDetail:
    """One key of an event's data as a reader sees it: a translated label, and how its value
    is shown. `shown` is one of "text", "yes_no", "date" (an ISO date), "team" (a team code),
    "need" (a need category code), "record" (a model name), "hidden" (an internal id), or a
    TextChoices class whose label names the stored value.
    """

    def __init__(self, label, shown="text"):
        self.label = label
        self.shown = shown


def register_event_details(details: dict) -> None:
    """Readable names for the values domain events record; each app registers its own."""
    _EVENT_DETAILS.update(details)


def event_detail(key: str) -> EventDetail | None:
    return _EVENT_DETAILS.get(key)


def ensure_open(young_person) -> None:
    """Archived records stay readable but can no longer be changed; anonymised ones have
    nothing left to change (issue 17)."""
    if young_person.anonymised_at is not None:
        raise ValidationError(
            _("This record was anonymised under the retention schedule and cannot be changed.")
        )
    if young_person.archived_at is not None:
        raise ValidationError(_("This record is archived and can no longer be changed."))


def event_record(*, young_person, action: str, by, **data) -> CaseEvent:
    """Write a domain event for a young person's case (also used by higher apps)."""
    return CaseEvent.objects.create(young_person=young_person, action=action, actor=by, data=data)


def _today() -> date:
    return timezone.localdate()


def _check(errors: dict, field: str, failed: bool, message: str) -> None:
    if failed:
        errors.setdefault(field, []).append(message)


def _broken(errors: dict, field: str, message: str | None) -> None:
    """Put a broken rule's message (see `cases.rules`) next to its field."""
    _check(errors, field, message is not None, message)


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _not_in_future(errors, field, value, label):
    _broken(errors, field, rules.not_in_future(value, label, today=_today()))


def _not_before_birth(errors, field, value, young_person, label):
    _broken(errors, field, rules.not_before_birth(value, young_person.date_of_birth, label))


def _practitioner_in_team(errors, field, practitioner, team):
    if (
        practitioner is not None
        and not Membership.objects.filter(
            user=practitioner, team=team, role=Role.PRACTITIONER, user__is_active=True
        ).exists()
    ):
        _check(
            errors,
            field,
            True,
            _("Choose a practitioner who works in %(team)s") % {"team": team.label},
        )


# --- Young person ---------------------------------------------------------------------------


def _validate_young_person(
    errors, *, date_of_birth, referral_date, ecm_start_date=None, ecm_end_date=None, end_reason=""
):
    _broken(
        errors,
        "date_of_birth",
        rules.date_of_birth_invalid(date_of_birth, referral_date, today=_today()),
    )
    _not_in_future(errors, "referral_date", referral_date, _("Referral date"))
    _broken(
        errors, "ecm_start_date", rules.ecm_start_before_referral(ecm_start_date, referral_date)
    )
    _broken(errors, "ecm_end_date", rules.end_not_before_start(ecm_start_date, ecm_end_date))
    _broken(errors, "ecm_end_date", rules.ecm_end_without_start(ecm_start_date, ecm_end_date))
    _broken(errors, "end_reason", rules.end_reason_missing(ecm_end_date, end_reason))


@transaction.atomic
def young_person_refer(
    *,
    by,
    team,
    reference,
    given_name,
    family_name,
    date_of_birth,
    gender,
    referral_date,
    ethnicity="",
    practitioner=None,
    parent_consent_required=None,
) -> YoungPerson:
    """Record a new referral to ECM."""
    policy.require(by, "case.edit", team)
    errors: dict = {}
    _validate_young_person(errors, date_of_birth=date_of_birth, referral_date=referral_date)
    _practitioner_in_team(errors, "practitioner", practitioner, team)
    _check(
        errors,
        "reference",
        YoungPerson.objects.filter(reference=reference).exists(),
        _("Another young person already has this reference"),
    )
    _raise_if(errors)
    if parent_consent_required is None:
        parent_consent_required = rules.parent_consent_required_by_default(
            date_of_birth, referral_date
        )
    young_person = YoungPerson(
        team=team,
        reference=reference,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=date_of_birth,
        gender=gender,
        ethnicity=ethnicity,
        practitioner=practitioner,
        referral_date=referral_date,
        parent_consent_required=parent_consent_required,
        created_by=by,
    )
    try:
        with transaction.atomic():
            save_by(young_person, by)
    except IntegrityError:
        raise ValidationError(
            {"reference": [_("Another young person already has this reference")]}
        ) from None
    event_record(
        young_person=young_person,
        action="case.referred",
        by=by,
        team=team.code,
        referral_date=referral_date.isoformat(),
    )
    return young_person


#: Details a practitioner corrects through the edit page (not allocation, not the pathway).
EDITABLE_DETAILS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "referral_date",
)


def _locked(model, pk, version):
    current = model.objects.select_for_update().get(pk=pk)
    if current.version != version:
        raise ConflictError(current)
    return current


@transaction.atomic
def young_person_update(*, by, young_person, version: int, **changes) -> YoungPerson:
    """Correct a young person's details; refuses if someone else changed them meanwhile."""
    policy.require(by, "case.edit", young_person.team)
    ensure_open(young_person)
    unknown = set(changes) - set(EDITABLE_DETAILS)
    if unknown:
        raise TypeError(f"not editable here: {', '.join(sorted(unknown))}")
    current = _locked(YoungPerson, young_person.pk, version)
    merged = {field: changes.get(field, getattr(current, field)) for field in EDITABLE_DETAILS}
    errors: dict = {}
    _validate_young_person(
        errors,
        date_of_birth=merged["date_of_birth"],
        referral_date=merged["referral_date"],
        ecm_start_date=current.ecm_start_date,
    )
    _raise_if(errors)
    for field, value in merged.items():
        setattr(current, field, value)
    save_version(current, by)
    return current


@transaction.atomic
def parent_consent_requirement_set(*, by, young_person, required: bool, reason: str):
    """Mark whether a parent or carer must consent, with the practitioner's reason."""
    policy.require(by, "case.edit", young_person.team)
    ensure_open(young_person)
    if not reason.strip():
        raise ValidationError({"reason": [_("Explain why the requirement is changing")]})
    current = YoungPerson.objects.select_for_update().get(pk=young_person.pk)
    current.parent_consent_required = required
    current.parent_consent_reason = reason.strip()
    save_version(current, by)
    event_record(
        young_person=current,
        action="consent.parent_requirement_changed",
        by=by,
        required=required,
        reason=reason.strip(),
    )
    return current


@transaction.atomic
def young_people_reallocate(*, by, young_people, practitioner, reason: str) -> int:
    """Move cases to another practitioner (a manager's job), recording the reason on each."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Give a reason for the reallocation")]})
    people = list(young_people)
    if not people:
        raise ValidationError({"young_people": [_("Select at least one young person")]})
    errors: dict = {}
    for person in people:
        policy.require(by, "case.allocate", person.team)
        _practitioner_in_team(errors, "practitioner", practitioner, person.team)
        if errors:
            break
    _raise_if(errors)
    moved = 0
    for person in YoungPerson.objects.select_for_update().filter(
        pk__in=[person.pk for person in people]
    ):
        if person.practitioner_id == practitioner.pk:
            continue
        previous = person.practitioner
        person.practitioner = practitioner
        save_version(person, by)
        event_record(
            young_person=person,
            action="case.reallocated",
            by=by,
            previous=str(previous) if previous else "",
            to=str(practitioner),
            reason=reason.strip(),
        )
        moved += 1
    return moved


@transaction.atomic
def young_person_archive(*, by, young_person, reason: str) -> YoungPerson:
    policy.require(by, "case.edit", young_person.team)
    return _archive(by=by, record=young_person, young_person=young_person, reason=reason)


# --- Records about a young person -------------------------------------------------------------


def _save_record(record, by, action, **data):
    record.full_clean()
    save_by(record, by)
    event_record(young_person=record.young_person, action=action, by=by, **data)
    return record


@transaction.atomic
def need_record(
    *, by, young_person, category: NeedCategory, recorded_on: date, evidence: str = ""
) -> Need:
    policy.require(by, "case.edit", young_person.team)
    ensure_open(young_person)
    errors: dict = {}
    _not_in_future(errors, "recorded_on", recorded_on, _("Date identified"))
    _not_before_birth(errors, "recorded_on", recorded_on, young_person, _("Date identified"))
    _raise_if(errors)
    need = Need(
        young_person=young_person,
        category=category,
        recorded_on=recorded_on,
        evidence=evidence,
        recorded_by=by,
    )
    return _save_record(need, by, "need.recorded", need=category.code)


@transaction.atomic
def offence_record(
    *,
    by,
    young_person,
    committed_on: date,
    description: str,
    gravity: int,
    proven_on: date | None = None,
) -> Offence:
    policy.require(by, "case.edit", young_person.team)
    ensure_open(young_person)
    errors: dict = {}
    _broken(errors, "gravity", rules.gravity_invalid(gravity))
    _not_in_future(errors, "committed_on", committed_on, _("Date committed"))
    _not_before_birth(errors, "committed_on", committed_on, young_person, _("Date committed"))
    _not_in_future(errors, "proven_on", proven_on, _("Date proven"))
    _broken(errors, "proven_on", rules.proven_before_committed(committed_on, proven_on))
    _raise_if(errors)
    offence = Offence(
        young_person=young_person,
        committed_on=committed_on,
        description=description,
        gravity=gravity,
        proven_on=proven_on,
        recorded_by=by,
    )
    return _save_record(offence, by, "offence.recorded", gravity=gravity)


def _validate_period(errors, start, end, young_person, start_label):
    _not_in_future(errors, "start_date", start, start_label)
    _not_before_birth(errors, "start_date", start, young_person, start_label)
    _broken(errors, "end_date", rules.end_not_before_start(start, end))


@transaction.atomic
def order_record(
    *, by, young_person, order_type: str, start_date: date, end_date: date | None = None
) -> Order:
    policy.require(by, "case.edit", young_person.team)
    ensure_open(young_person)
    errors: dict = {}
    _validate_period(errors, start_date, end_date, young_person, _("Start date"))
    _raise_if(errors)
    order = Order(
        young_person=young_person,
        order_type=order_type,
        start_date=start_date,
        end_date=end_date,
        recorded_by=by,
    )
    return _save_record(order, by, "order.recorded", order_type=order_type)


@transaction.atomic
def breach_record(
    *, by, young_person, breach_date: date, note: str = "", order: Order | None = None
) -> Breach:
    policy.require(by, "case.edit", young_person.team)
    ensure_open(young_person)
    errors: dict = {}
    _not_in_future(errors, "breach_date", breach_date, _("Date of breach"))
    _check(
        errors,
        "order",
        order is not None and order.young_person_id != young_person.pk,
        _("Choose one of this young person's orders"),
    )
    if order is not None:
        _broken(errors, "breach_date", rules.breach_before_order(breach_date, order.start_date))
    _raise_if(errors)
    breach = Breach(
        young_person=young_person, breach_date=breach_date, note=note, order=order, recorded_by=by
    )
    return _save_record(breach, by, "breach.recorded")


@transaction.atomic
def custody_record(
    *, by, young_person, start_date: date, end_date: date | None = None
) -> CustodyEpisode:
    policy.require(by, "case.edit", young_person.team)
    ensure_open(young_person)
    errors: dict = {}
    _validate_period(errors, start_date, end_date, young_person, _("Start date"))
    _raise_if(errors)
    episode = CustodyEpisode(
        young_person=young_person, start_date=start_date, end_date=end_date, recorded_by=by
    )
    return _save_record(episode, by, "custody.recorded")


@transaction.atomic
def consent_record(
    *,
    by,
    young_person,
    party: str,
    purpose: str,
    decision: str,
    decided_on: date,
    note: str = "",
    reason: DisengagementReason | None = None,
    own_words: str = "",
) -> Consent:
    """Record a consent decision; it becomes the current one for that party and purpose.

    A refusal or withdrawal records the reason given (the editable vocabulary) and, if the
    young person said it, their own words; other decisions record neither.
    """
    policy.require(by, "case.edit", young_person.team)
    ensure_open(young_person)
    errors: dict = {}
    _not_in_future(errors, "decided_on", decided_on, _("Date of decision"))
    _broken(
        errors, "decided_on", rules.consent_before_referral(decided_on, young_person.referral_date)
    )
    _broken(errors, "note", rules.withdrawal_without_note(decision, note, own_words))
    _broken(errors, "reason", rules.consent_reason_missing(decision, reason is not None))
    _broken(
        errors,
        "reason",
        rules.consent_reason_not_wanted(decision, reason is not None, own_words),
    )
    _raise_if(errors)
    consent = Consent(
        young_person=young_person,
        party=party,
        purpose=purpose,
        decision=decision,
        decided_on=decided_on,
        note=note,
        reason=reason,
        own_words=own_words.strip(),
        recorded_by=by,
    )
    return _save_record(
        consent,
        by,
        f"consent.{decision}",
        party=party,
        purpose=purpose,
        decided_on=decided_on.isoformat(),
        disengagement_reason=reason.code if reason is not None else None,
    )


@transaction.atomic
def consents_record(
    *,
    by,
    young_person,
    decisions: dict,
    decided_on: date,
    note: str = "",
    reason: DisengagementReason | None = None,
    own_words: str = "",
) -> list[Consent]:
    """Record the decisions made on one day, all or none: `decisions` maps (party, purpose)
    to a decision. The consent page asks for both parties and both purposes at once; its
    reason and the young person's words go with each refusal or withdrawal among them."""
    if not decisions:
        raise ValidationError(_("Select at least one decision to record"))
    if not any(decision in rules.DECISIONS_WITH_A_REASON for decision in decisions.values()):
        errors: dict = {}
        _broken(
            errors,
            "reason",
            rules.consent_reason_not_wanted(
                next(iter(decisions.values())), reason is not None, own_words
            ),
        )
        _raise_if(errors)
    return [
        consent_record(
            by=by,
            young_person=young_person,
            party=party,
            purpose=purpose,
            decision=decision,
            decided_on=decided_on,
            note=note,
            **(
                {"reason": reason, "own_words": own_words}
                if decision in rules.DECISIONS_WITH_A_REASON
                else {}
            ),
        )
        for (party, purpose), decision in decisions.items()
    ]


@transaction.atomic
def trm_assess(
    *, by, young_person, stage: TRMStage, assessed_on: date, rationale: str
) -> TRMAssessment:
    """Record the young person's TRM stage (practitioners, managers and psychologists)."""
    policy.require(by, "case.trm.edit", young_person.team)
    ensure_open(young_person)
    errors: dict = {}
    _not_in_future(errors, "assessed_on", assessed_on, _("Date assessed"))
    _not_before_birth(errors, "assessed_on", assessed_on, young_person, _("Date assessed"))
    _broken(errors, "rationale", rules.trm_rationale_missing(rationale))
    _raise_if(errors)
    assessment = TRMAssessment(
        young_person=young_person,
        stage=stage,
        assessed_on=assessed_on,
        rationale=rationale,
        recorded_by=by,
    )
    return _save_record(
        assessment, by, "trm.assessed", stage=stage.number, assessed_on=assessed_on.isoformat()
    )


APPOINTMENT_FIELDS = (
    "starts_at",
    "kind",
    "purpose_category",
    "purpose",
    "duration_minutes",
    "attendance",
    "engagement",
    "outcome_code",
    "outcome",
    "practitioner",
)


def _validate_appointment(errors, young_person, values):
    starts_at = values.get("starts_at")
    attendance = values.get("attendance") or ""
    engagement = values.get("engagement")
    outcome_code = values.get("outcome_code") or ""
    _broken(
        errors,
        "purpose_category",
        rules.appointment_purpose_missing(values.get("purpose_category")),
    )
    _broken(errors, "duration_minutes", rules.duration_invalid(values.get("duration_minutes")))
    _not_before_birth(errors, "starts_at", starts_at, young_person, _("Appointment date"))
    _broken(
        errors,
        "attendance",
        rules.attendance_before_start(starts_at, attendance, now=timezone.now()),
    )
    _broken(errors, "engagement", rules.engagement_without_attendance(engagement, attendance))
    _broken(errors, "engagement", rules.engagement_invalid(engagement))
    outcome = values.get("outcome")
    _broken(errors, "outcome", rules.outcome_before_start(starts_at, outcome, now=timezone.now()))
    _broken(
        errors,
        "outcome_code",
        rules.outcome_before_start(starts_at, outcome_code, now=timezone.now()),
    )
    if rules.appointment_started(starts_at, now=timezone.now()):
        _broken(errors, "outcome_code", rules.outcome_missing(attendance, outcome_code))
        _broken(errors, "outcome_code", rules.outcome_without_attendance(attendance, outcome_code))


@transaction.atomic
def appointment_log(
    *,
    by,
    young_person,
    starts_at,
    kind: str,
    purpose_category,
    purpose: str = "",
    duration_minutes: int | None = None,
    attendance: str = "",
    engagement: int | None = None,
    outcome_code: str = "",
    outcome: str = "",
    practitioner=None,
) -> Appointment:
    """Log a contact (or plan one: leave attendance empty until it happens). `purpose` is the
    optional detail of the purpose chosen from the vocabulary; without a duration, the usual
    one for its kind is recorded."""
    policy.require(by, "case.edit", young_person.team)
    ensure_open(young_person)
    values = {
        "starts_at": starts_at,
        "kind": kind,
        "purpose_category": purpose_category,
        "purpose": purpose,
        "duration_minutes": (
            rules.default_duration(kind) if duration_minutes is None else duration_minutes
        ),
        "attendance": attendance,
        "engagement": engagement,
        "outcome_code": outcome_code,
        "outcome": outcome,
    }
    errors: dict = {}
    _validate_appointment(errors, young_person, values)
    _raise_if(errors)
    appointment = Appointment(
        young_person=young_person, recorded_by=by, practitioner=practitioner or by, **values
    )
    return _save_record(appointment, by, "appointment.logged", attendance=attendance or "planned")


@transaction.atomic
def appointment_update(*, by, appointment, version: int, **changes) -> Appointment:
    """Correct or complete an appointment; refuses if someone else changed it meanwhile."""
    policy.require(by, "case.edit", appointment.young_person.team)
    ensure_open(appointment.young_person)
    unknown = set(changes) - set(APPOINTMENT_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {', '.join(sorted(unknown))}")
    current = _locked(Appointment, appointment.pk, version)
    values = {field: changes.get(field, getattr(current, field)) for field in APPOINTMENT_FIELDS}
    if "engagement" not in changes and values["attendance"] != Attendance.ATTENDED:
        # Changing attendance away from "attended" takes its engagement rating with it.
        values["engagement"] = None
    if (
        "outcome_code" not in changes
        and values["attendance"] != Attendance.ATTENDED
        and values["outcome_code"] in rules.ACHIEVEMENT_OUTCOMES
    ):
        # ... and how far it was achieved (the history keeps the earlier value).
        values["outcome_code"] = ""
    errors: dict = {}
    _validate_appointment(errors, current.young_person, values)
    _check(
        errors,
        "attendance",
        not rules.is_missed(values["attendance"])
        and ComplianceDecision.objects.filter(
            appointment=current, archived_at__isnull=True
        ).exists(),
        _(
            "This missed appointment has a compliance decision: it cannot be recorded as "
            "anything but missed"
        ),
    )
    _raise_if(errors)
    for field, value in values.items():
        setattr(current, field, value)
    save_version(current, by)
    event_record(
        young_person=current.young_person,
        action="appointment.updated",
        by=by,
        appointment=current.pk,
        attendance=current.attendance or "planned",
    )
    return current


def _archive(*, by, record, young_person, reason: str):
    if not reason.strip():
        raise ValidationError({"reason": [_("Give a reason for archiving")]})
    if record.archived_at is not None:
        raise ValidationError({"reason": [_("This record is already archived")]})
    record.archived_at = timezone.now()
    record.archived_by = by
    record.archived_reason = reason.strip()
    save_by(record, by)
    event_record(
        young_person=young_person,
        action="record.archived",
        by=by,
        record=record._meta.model_name,
        record_id=record.pk,
        reason=reason.strip(),
    )
    return record


@transaction.atomic
def record_archive(*, by, record, reason: str):
    """Archive one record about a young person (instead of deleting it)."""
    young_person = record.young_person
    policy.require(by, "case.edit", young_person.team)
    return _archive(by=by, record=record, young_person=young_person, reason=reason)
