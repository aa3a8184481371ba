from django.utils import timezone

from .models import FollowUp, FollowUpKind


def attendance_recorded(sender, instance, **kwargs):
    """Recording an appointment's attendance closes the follow-up asking for it at once."""
    if instance.attendance:
        FollowUp.objects.filter(
            appointment_id=instance.pk,
            kind=FollowUpKind.RECORD_ATTENDANCE,
            done_on__isnull=True,
        ).update(done_on=timezone.localdate(), done_at=timezone.now())
