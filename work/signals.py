from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from cases import rules
from cases.models import Attendance

from .models import FollowUp, FollowUpKind
from .reminders import ATTENDANCE_LOOKBACK_DAYS, next_working_day

#: Working days the practitioner has to decide on a missed appointment.
COMPLIANCE_DECISION_WORKING_DAYS = 3


def attendance_recorded(sender, instance, **kwargs):
    """Recording an appointment's attendance closes the follow-up asking for it at once, and
    an attended one closes the young person's "make contact" follow-up too."""
    if not instance.attendance:
        return
    asked = Q(appointment_id=instance.pk, kind=FollowUpKind.RECORD_ATTENDANCE)
    if instance.attendance == Attendance.ATTENDED:
        asked |= Q(young_person_id=instance.young_person_id, kind=FollowUpKind.MAKE_CONTACT)
    FollowUp.objects.filter(asked, done_on__isnull=True).update(
        done_on=timezone.localdate(), done_at=timezone.now()
    )


def missed_appointment(sender, instance, **kwargs):
    """An appointment recorded as missed gives its practitioner a follow-up: record a
    compliance decision (once per appointment). Not for one missed more than 28 days ago
    (records brought in late, or from an import: their decisions are on the record's
    compliance card). An appointment no longer missed, or archived, closes it, done by no
    one."""
    subject = f"compliance:{instance.pk}"
    if not rules.is_missed(instance.attendance) or instance.archived_at is not None:
        FollowUp.objects.filter(
            kind=FollowUpKind.COMPLIANCE_DECISION, subject=subject, done_on__isnull=True
        ).update(done_on=timezone.localdate(), done_at=timezone.now())
        return
    follow_up = _decision_follow_up(instance)
    if follow_up is not None:
        FollowUp.objects.bulk_create([follow_up], ignore_conflicts=True)


def _decision_follow_up(appointment) -> FollowUp | None:
    """The follow-up a missed appointment gives (not saved): none without a practitioner,
    or for one missed more than 28 days ago."""
    assignee = appointment.practitioner_id or appointment.young_person.practitioner_id
    if assignee is None:
        return None
    missed_on = timezone.localtime(appointment.starts_at).date()
    if missed_on < timezone.localdate() - timedelta(days=ATTENDANCE_LOOKBACK_DAYS):
        return None
    due_on = max(missed_on, timezone.localdate())
    for _day in range(COMPLIANCE_DECISION_WORKING_DAYS):
        due_on = next_working_day(due_on)
    return FollowUp(
        kind=FollowUpKind.COMPLIANCE_DECISION,
        subject=f"compliance:{appointment.pk}",
        assignee_id=assignee,
        young_person_id=appointment.young_person_id,
        appointment_id=appointment.pk,
        on=missed_on,
        due_on=due_on,
    )


def missed_appointments_imported(sender, appointments, **kwargs):
    """Missed appointments the exchange importer wrote (in bulk, so without `post_save`) get
    the follow-up one recorded on screen gets, by the same rule, in one statement: the
    importer sends only those without a compliance decision."""
    follow_ups = [
        follow_up
        for appointment in appointments
        if rules.is_missed(appointment.attendance) and appointment.archived_at is None
        for follow_up in [_decision_follow_up(appointment)]
        if follow_up is not None
    ]
    FollowUp.objects.bulk_create(follow_ups, ignore_conflicts=True, batch_size=1000)


def compliance_decided(sender, instance, created, **kwargs):
    """Recording the decision on a missed appointment completes its follow-up, done by whoever
    decided."""
    if instance.archived_at is not None:
        return
    FollowUp.objects.filter(
        kind=FollowUpKind.COMPLIANCE_DECISION,
        appointment_id=instance.appointment_id,
        done_on__isnull=True,
    ).update(
        done_on=timezone.localdate(),
        done_by_id=instance.decided_by_id,
        done_at=timezone.now(),
    )
