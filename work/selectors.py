from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Notification

#: A notification about a young person whose record was anonymised under the retention
#: schedule is no longer work: it leaves the list and the unread count.
CURRENT = Q(young_person__isnull=True) | Q(young_person__anonymised_at__isnull=True)


def notifications_of(user):
    """The user's notifications, newest first (the model's order), with their young people."""
    return Notification.objects.filter(CURRENT, user=user).select_related("young_person")


def unread_count(user) -> int:
    """How many of the user's notifications are unread (the header shows it). Read from the
    user's own query when it carried the count (`accounts.backends`), else counted."""
    counted = getattr(user, "unread_notifications", None)
    if counted is not None:
        return counted
    return Notification.objects.filter(CURRENT, user=user, read_at__isnull=True).count()


def unread_expression():
    """The unread count as a column of the user's row."""
    unread = (
        Notification.objects.filter(CURRENT, user=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))
