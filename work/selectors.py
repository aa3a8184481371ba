from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Notification


def unread_count(user) -> int:
    """How many of the user's notifications are unread (the header shows it). Read from the
    user's own query when it carried the count (`accounts.backends`), else counted."""
    counted = getattr(user, "unread_notifications", None)
    if counted is not None:
        return counted
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def unread_expression():
    """The unread count as a column of the user's row."""
    unread = (
        Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))
