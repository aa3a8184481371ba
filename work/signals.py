from django.db.models import Q
from django.utils import timezone

from cases.models import Attendance

from .models import FollowUp, FollowUpKind


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
