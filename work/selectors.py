from .models import Notification


def unread_count(user) -> int:
    """How many of the user's notifications are unread (the header shows it)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
