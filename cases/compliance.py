"""A trauma-informed response to non-compliance: the practitioner's decision on each missed
appointment, the manager's agreement where the rules ask for it, and the reads behind the
record's compliance history and the manager's "awaiting your agreement" list.

Writes follow `cases.services` (keyword-only, one transaction, the policy checked, a
`CaseEvent`, history and version checks); the rules themselves are in `cases.rules`. A
decision of breach proceedings records the case's `Breach` through `services.breach_record`,
linked to the decision, so the measures count it once; a decision that changes away from
breach proceedings archives that breach, so it is no longer counted.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import dates, policy
from accounts.history import save_by, save_version

from . import rules, services
from .models import (
    STATUTORY_ORDER_TYPES,
    Appointment,
    ComplianceDecision,
    ComplianceDecisionKind,
    ManagerAgreement,
    Order,
    in_work,
)

#: Said when a missed appointment already has its live decision.
ALREADY_DECIDED = gettext_lazy(
    "This missed appointment already has a decision: change that decision instead"
)

#: Who may record a decision, and who agrees or disagrees (DESIGN.md section 6).
DECIDE = "case.edit"
AGREE = "compliance.agree"


def missed_on(appointment) -> date:
    return timezone.localtime(appointment.starts_at).date()


def statutory_order_on(young_person, day: date) -> Order | None:
    """The young person's statutory (court) order in force on `day`, if any."""
    return (
        Order.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day),
            young_person=young_person,
            archived_at__isnull=True,
            order_type__in=STATUTORY_ORDER_TYPES,
            start_date__lte=day,
        )
        .order_by("-start_date", "-id")
        .first()
    )


def earlier_unacceptable(appointment) -> int:
    """Missed appointments of the same young person in the 12 months before this one whose
    live decision judged the absence unacceptable (a warning or breach proceedings)."""
    day = missed_on(appointment)
    return (
        ComplianceDecision.objects.filter(
            young_person_id=appointment.young_person_id,
            archived_at__isnull=True,
            decision__in=rules.UNACCEPTABLE_DECISIONS,
            appointment__archived_at__isnull=True,
            appointment__starts_at__lt=appointment.starts_at,
            appointment__starts_at__date__gte=rules.agreement_window_start(day),
        )
        .exclude(appointment_id=appointment.pk)
        .count()
    )


def _validate(errors, appointment, decision, reason, decided_on):
    services._broken(
        errors, "decision", rules.compliance_decision_on_unmissed(appointment.attendance)
    )
    services._check(
        errors,
        "decision",
        decision not in ComplianceDecisionKind.values,
        _("Choose one of the decisions"),
    )
    services._broken(errors, "reason", rules.compliance_reason_missing(reason))
    services._not_in_future(errors, "decided_on", decided_on, _("Date of decision"))
    services._broken(
        errors,
        "decided_on",
        rules.compliance_decided_before_appointment(decided_on, missed_on(appointment)),
    )


def breach_note(appointment, reason: str) -> str:
    """The note of the breach a decision of breach proceedings records (the exchange
    importer writes the same)."""
    return _("Breach proceedings after the missed appointment on %(date)s: %(reason)s") % {
        "date": dates.in_words(missed_on(appointment)),
        "reason": reason,
    }


def _breach_for(*, by, appointment, reason: str, order: Order | None):
    note = breach_note(appointment, reason)
    return services.breach_record(
        by=by,
        young_person=appointment.young_person,
        breach_date=missed_on(appointment),
        note=note,
        order=order,
    )


def _decided(record, *, by, appointment, decision, reason, decided_on):
    """Set the decision's fields, its breach and whether it needs agreement (not saved)."""
    order = statutory_order_on(appointment.young_person, missed_on(appointment))
    record.decision = decision
    record.reason = reason.strip()
    record.decided_on = decided_on
    record.decided_by = by
    record.needs_agreement = rules.compliance_needs_agreement(
        decision,
        on_statutory_order=order is not None,
        earlier_unacceptable=earlier_unacceptable(appointment),
    )
    record.agreement, record.agreement_reason = "", ""
    record.agreed_by, record.agreed_at = None, None
    breach_now = decision == ComplianceDecisionKind.BREACH_PROCEEDINGS
    if breach_now and record.breach_id is None:
        record.breach = _breach_for(by=by, appointment=appointment, reason=reason, order=order)
    elif not breach_now and record.breach_id is not None:
        services._archive(
            by=by,
            record=record.breach,
            young_person=appointment.young_person,
            reason=_("The compliance decision changed to: %(decision)s")
            % {"decision": ComplianceDecisionKind(decision).label},
        )
        record.breach = None
    return record


@transaction.atomic
def compliance_decision_record(
    *, by, appointment, decision: str, reason: str, decided_on: date | None = None
) -> ComplianceDecision:
    """The practitioner's decision on a missed appointment (one live decision for each)."""
    young_person = appointment.young_person
    policy.require(by, DECIDE, young_person.team)
    services.ensure_open(young_person)
    decided_on = decided_on or timezone.localdate()
    appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
    errors: dict = {}
    _validate(errors, appointment, decision, reason, decided_on)
    services._check(
        errors,
        "decision",
        appointment.archived_at is not None,
        _("This appointment is archived and can no longer be changed."),
    )
    services._check(
        errors,
        "decision",
        ComplianceDecision.objects.filter(
            appointment=appointment, archived_at__isnull=True
        ).exists(),
        str(ALREADY_DECIDED),
    )
    services._raise_if(errors)
    record = ComplianceDecision(young_person=young_person, appointment=appointment, recorded_by=by)
    _decided(
        record,
        by=by,
        appointment=appointment,
        decision=decision,
        reason=reason,
        decided_on=decided_on,
    )
    try:
        with transaction.atomic():
            save_by(record, by)
    except IntegrityError:
        raise ValidationError({"decision": [str(ALREADY_DECIDED)]}) from None
    services.event_record(
        young_person=young_person,
        action="compliance.decided",
        by=by,
        appointment=appointment.pk,
        decision=decision,
        needs_agreement=record.needs_agreement,
    )
    return record


@transaction.atomic
def compliance_decision_change(
    *, by, record, version: int, decision: str, reason: str, decided_on: date | None = None
) -> ComplianceDecision:
    """Change a decision; refuses if someone else changed it meanwhile. A changed decision
    asks again for any agreement it needs."""
    young_person = record.young_person
    policy.require(by, DECIDE, young_person.team)
    services.ensure_open(young_person)
    current = services._locked(ComplianceDecision, record.pk, version)
    if current.archived_at is not None:
        raise ValidationError(_("This record is archived and can no longer be changed."))
    decided_on = decided_on or timezone.localdate()
    appointment = current.appointment
    errors: dict = {}
    _validate(errors, appointment, decision, reason, decided_on)
    services._raise_if(errors)
    previous = current.decision
    _decided(
        current,
        by=by,
        appointment=appointment,
        decision=decision,
        reason=reason,
        decided_on=decided_on,
    )
    save_version(current, by)
    services.event_record(
        young_person=young_person,
        action="compliance.changed",
        by=by,
        appointment=appointment.pk,
        previous_decision=previous,
        decision=decision,
        needs_agreement=current.needs_agreement,
    )
    return current


@transaction.atomic
def compliance_agreement_record(
    *, by, record, version: int, agreement: str, reason: str
) -> ComplianceDecision:
    """The manager agrees or disagrees with a decision that needs their agreement."""
    young_person = record.young_person
    policy.require(by, AGREE, young_person.team)
    services.ensure_open(young_person)
    current = services._locked(ComplianceDecision, record.pk, version)
    errors: dict = {}
    services._broken(errors, "agreement", rules.agreeing_own_decision(by.pk, current.decided_by_id))
    services._check(
        errors,
        "agreement",
        not current.needs_agreement or current.archived_at is not None,
        _("This decision does not need a manager's agreement"),
    )
    services._check(
        errors,
        "agreement",
        bool(current.agreement),
        _("A manager has already agreed or disagreed with this decision"),
    )
    services._check(
        errors,
        "agreement",
        agreement not in ManagerAgreement.values,
        _("Choose whether you agree or disagree"),
    )
    services._broken(errors, "reason", rules.agreement_reason_missing(reason))
    services._raise_if(errors)
    current.agreement = agreement
    current.agreement_reason = reason.strip()
    current.agreed_by = by
    current.agreed_at = timezone.now()
    save_version(current, by)
    services.event_record(
        young_person=young_person,
        action=f"compliance.{agreement}",
        by=by,
        appointment=current.appointment_id,
        decision=current.decision,
    )
    return current


# --- Reads --------------------------------------------------------------------------------------


def live_decision(appointment) -> ComplianceDecision | None:
    return (
        ComplianceDecision.objects.filter(appointment=appointment, archived_at__isnull=True)
        .select_related("decided_by", "agreed_by")
        .first()
    )


@dataclass
class HistoryRow:
    appointment: Appointment
    decision: ComplianceDecision | None


def history_for(young_person) -> list[HistoryRow]:
    """Each missed appointment, newest first, with its live decision: two queries."""
    missed = (
        Appointment.objects.filter(
            young_person=young_person,
            archived_at__isnull=True,
            attendance__in=rules.MISSED_ATTENDANCE,
        )
        .order_by("-starts_at", "-id")
        .prefetch_related(
            Prefetch(
                "compliance_decisions",
                queryset=ComplianceDecision.objects.filter(archived_at__isnull=True).select_related(
                    "decided_by", "agreed_by"
                ),
                to_attr="live_decisions",
            )
        )
    )
    return [
        HistoryRow(
            appointment, appointment.live_decisions[0] if appointment.live_decisions else None
        )
        for appointment in missed
    ]


def awaiting_agreement(user) -> QuerySet:
    """Decisions in the user's teams waiting for a manager's agreement, oldest first; not
    the user's own decisions, which another manager agrees."""
    team_ids = policy.team_ids_for(user, AGREE)
    queryset = ComplianceDecision.objects.filter(
        in_work("young_person__"),
        needs_agreement=True,
        agreement="",
        archived_at__isnull=True,
    ).exclude(decided_by=user)
    if team_ids is not None:
        queryset = queryset.filter(young_person__team_id__in=team_ids)
    return queryset.select_related("young_person", "appointment", "decided_by").order_by(
        "decided_on", "id"
    )
