"""Permission-matrix rows for links made before a transfer between YOTs (issue 17), see
matrix.py.

Decisions:
* A notification is its user's own; one about a case in the user's team opens the case
  (the practitioner is sent on to it). One about a case that is not in the user's team (the
  case was transferred after the notification was made) answers 404 for its own user too,
  like the case's pages, with a page saying only that the case is no longer one of the
  team's; for everyone else it does not exist (404).
"""

from django.urls import reverse

from work.models import Notification, NotificationKind

from .matrix import NOT_FOUND, REDIRECT, SIGN_IN, Row, signed_in


def practitioners_notification_about(world, own: bool) -> dict:
    """The practitioner's notification about a case in their team (own) or another team."""
    young_person = world["own_case" if own else "other_case"]
    notification = Notification.objects.create(
        user=world["users"]["practitioner"],
        kind=NotificationKind.NO_CONTACT,
        subject=f"contact:{young_person.pk}:moved",
        young_person=young_person,
        url=reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk}),
    )
    return {"pk": notification.pk}


ROWS = [
    Row(
        "work:notification-open",
        {"anonymous": SIGN_IN, **signed_in(NOT_FOUND), "practitioner": REDIRECT},
        other_team={"anonymous": SIGN_IN, **signed_in(NOT_FOUND)},
        kwargs=practitioners_notification_about,
        method="post",
    ),
]
