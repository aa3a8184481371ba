"""Permission-matrix rows for work/views.py: my tasks and my notifications (see matrix.py).

Decisions:
* "My tasks" needs ``tasks.read``: practitioners, managers and psychologists, who are given
  agreed actions; evaluators and administrators have no tasks (403).
* Notifications are every signed-in user's own: the list, "mark all as read" and the email
  settings are open to all; opening one notification that is someone else's is a 404, so
  its existence does not leak.
"""

from work.models import FollowUp, FollowUpKind, Notification, NotificationKind

from .matrix import NOT_FOUND, OK, REDIRECT, SIGN_IN, Row, only, signed_in


def practitioners_notification(world, own: bool) -> dict:
    notification = Notification.objects.create(
        user=world["users"]["practitioner"],
        kind=NotificationKind.NO_CONTACT,
        subject=f"contact:{world['own_case'].pk}:never",
        young_person=world["own_case"],
        url="/caseload/",
    )
    return {"pk": notification.pk}


def practitioners_follow_up(world, own: bool) -> dict:
    follow_up = FollowUp.objects.create(
        kind=FollowUpKind.MAKE_CONTACT,
        subject=f"contact:{world['own_case'].pk}:never",
        young_person=world["own_case"],
        assignee=world["users"]["practitioner"],
    )
    return {"pk": follow_up.pk}


ROWS = [
    # A follow-up is marked done only by the person it was given to; for anyone else it
    # does not exist.
    Row(
        "work:follow-up-complete",
        {"anonymous": SIGN_IN, **signed_in(NOT_FOUND), "practitioner": REDIRECT},
        kwargs=practitioners_follow_up,
        method="post",
    ),
    Row(
        "work:task-list",
        only(OK, ("practitioner", "manager", "psychologist")),
        shows_young_people=True,
    ),
    Row("work:notification-list", signed_in(OK), shows_young_people=True),
    Row("work:notification-read-all", signed_in(REDIRECT), method="post"),
    Row("work:notification-settings", signed_in(OK)),
    Row(
        "work:notification-open",
        {"anonymous": SIGN_IN, **signed_in(NOT_FOUND), "practitioner": REDIRECT},
        kwargs=practitioners_notification,
        method="post",
    ),
]
