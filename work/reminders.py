"""The daily reminders: in-app notifications, and an email saying how many, for who asked.

Run once a day by Celery beat (`ecm.settings.CELERY_BEAT_SCHEDULE`) or `manage.py
send_reminders`. It notifies:

* the practitioner of an appointment whose attendance is still not recorded on the next
  working day after it (Monday to Friday; bank holidays are not known to the service);
* the allocated practitioner when a formulation review is due within 7 days;
* whoever was given a task due tomorrow, or overdue;
* the allocated practitioner of a young person with no contact in 14 days.

Each notification is unique for its user, kind and subject (what it is about and the date
that made it due), so running the job twice on one day notifies once, and an email goes only
to people with new notifications. An email never names a young person, never gives a date
of birth, reference or any free text: only how many reminders there are and a link.
"""

import logging
from collections import Counter
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from cases import warnings
from cases.models import Appointment, YoungPerson, in_work
from formulation.models import FormulationSummary

from . import todo
from .models import (
    FollowUp,
    FollowUpKind,
    Notification,
    NotificationKind,
    NotificationPreference,
)

logger = logging.getLogger(__name__)

#: A formulation review is reminded this many days before it is due.
REVIEW_NOTICE_DAYS = 7
#: Appointments older than this are not reminded about (a first run on old data would
#: otherwise bury people in reminders about records long since settled).
ATTENDANCE_LOOKBACK_DAYS = 28


def next_working_day(day: date) -> date:
    """The next Monday-to-Friday day after `day`."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def attendance_due_by(today: date) -> date:
    """The last appointment day whose attendance should have been recorded by today: the
    appointment's next working day has come."""
    day = today - timedelta(days=1)
    while next_working_day(day) > today:
        day -= timedelta(days=1)
    return day


def _attendance_missing(today: date) -> list[Notification]:
    last_day = attendance_due_by(today)
    appointments = (
        Appointment.objects.filter(
            in_work("young_person__"),
            attendance="",
            archived_at__isnull=True,
            starts_at__date__lte=last_day,
            starts_at__date__gte=today - timedelta(days=ATTENDANCE_LOOKBACK_DAYS),
        )
        .filter(Q(practitioner__isnull=False) | Q(young_person__practitioner__isnull=False))
        .select_related("young_person")
        .only("pk", "starts_at", "practitioner_id", "young_person__practitioner_id")
    )
    return [
        Notification(
            user_id=appointment.practitioner_id or appointment.young_person.practitioner_id,
            kind=NotificationKind.ATTENDANCE_MISSING,
            subject=f"appointment:{appointment.pk}",
            young_person_id=appointment.young_person_id,
            on=timezone.localtime(appointment.starts_at).date(),
            url=reverse(
                "cases:appointment-edit",
                kwargs={"pk": appointment.young_person_id, "appointment_pk": appointment.pk},
            ),
        )
        for appointment in appointments
    ]


def _reviews_due(today: date) -> list[Notification]:
    summaries = FormulationSummary.objects.filter(
        in_work("young_person__"),
        next_review_on__gte=today,
        next_review_on__lte=today + timedelta(days=REVIEW_NOTICE_DAYS),
        young_person__ecm_end_date__isnull=True,
        young_person__practitioner__isnull=False,
    ).values_list("young_person_id", "young_person__practitioner_id", "next_review_on")
    return [
        Notification(
            user_id=practitioner_id,
            kind=NotificationKind.REVIEW_DUE,
            subject=f"review:{person_id}:{review_on.isoformat()}",
            young_person_id=person_id,
            on=review_on,
            url=reverse("formulation:meeting-list", args=[person_id]),
        )
        for person_id, practitioner_id, review_on in summaries
    ]


def _tasks_due(today: date) -> list[Notification]:
    tomorrow = today + timedelta(days=1)
    condition = Q(assignee__isnull=False, done_on__isnull=True) & (
        Q(due_on=tomorrow) | Q(due_on__lt=today)
    )
    notifications = []
    for kind, actions in (
        ("formulation", todo.formulation_actions(condition)),
        ("supervision", todo.supervision_actions(condition)),
    ):
        for action in actions:
            young_person = (
                action.formulation.meeting.young_person_id
                if kind == "formulation"
                else action.young_person_id
            )
            notifications.append(
                Notification(
                    user_id=action.assignee_id,
                    kind=(
                        NotificationKind.TASK_DUE
                        if action.due_on == tomorrow
                        else NotificationKind.TASK_OVERDUE
                    ),
                    subject=f"{kind}-task:{action.pk}:{action.due_on.isoformat()}",
                    young_person_id=young_person,
                    on=action.due_on,
                    description=action.description,
                    url=reverse("work:task-list"),
                )
            )
    return notifications


def _no_contact(today: date) -> list[Notification]:
    provider = next(p for p in warnings.providers() if p.code == "no_recent_contact")
    people = (
        YoungPerson.objects.filter(
            warnings.applies(provider),
            in_work(),
            practitioner__isnull=False,
        )
        .values_list("pk", "practitioner_id", "case_summary__last_contact_at")
        .order_by("pk")
    )
    notifications = []
    for person_id, practitioner_id, last_contact_at in people:
        last = timezone.localtime(last_contact_at).date() if last_contact_at else None
        notifications.append(
            Notification(
                user_id=practitioner_id,
                kind=NotificationKind.NO_CONTACT,
                subject=f"contact:{person_id}:{last.isoformat() if last else 'never'}",
                young_person_id=person_id,
                on=last,
                url=reverse("cases:youngperson-detail", args=[person_id]),
            )
        )
    return notifications


def _follow_ups(notifications: list[Notification], today: date) -> list[FollowUp]:
    """The tasks the service gives: record a missing attendance, make a contact overdue."""
    follow_ups = []
    for notification in notifications:
        if notification.kind == NotificationKind.ATTENDANCE_MISSING:
            kind, due_on = FollowUpKind.RECORD_ATTENDANCE, next_working_day(notification.on)
            appointment_id = int(notification.subject.split(":")[1])
        elif notification.kind == NotificationKind.NO_CONTACT:
            kind, due_on, appointment_id = FollowUpKind.MAKE_CONTACT, today, None
        else:
            continue
        follow_ups.append(
            FollowUp(
                kind=kind,
                subject=notification.subject,
                assignee_id=notification.user_id,
                young_person_id=notification.young_person_id,
                appointment_id=appointment_id,
                on=notification.on,
                due_on=due_on,
            )
        )
    return follow_ups


def close_follow_ups(today: date, contact_subjects: set[str]) -> int:
    """Mark done, by the service (no one), open follow-ups whose reason has gone: the
    appointment's attendance is recorded (or it was archived), or the young person has been
    seen since (their no-contact subject changed or went)."""
    now = timezone.now()
    recorded = FollowUp.objects.filter(
        Q(appointment__isnull=True)
        | ~Q(appointment__attendance="")
        | Q(appointment__archived_at__isnull=False),
        kind=FollowUpKind.RECORD_ATTENDANCE,
        done_on__isnull=True,
    )
    seen = FollowUp.objects.filter(kind=FollowUpKind.MAKE_CONTACT, done_on__isnull=True).exclude(
        subject__in=contact_subjects
    )
    return recorded.update(done_on=today, done_at=now) + seen.update(done_on=today, done_at=now)


def run(today: date | None = None) -> dict:
    """Write today's notifications and follow-ups (once each), close follow-ups whose reason
    has gone, and email people who asked; returns counts of new notifications by kind and
    the number of emails sent."""
    today = today or timezone.localdate()
    started = timezone.now()
    attendance, contact = _attendance_missing(today), _no_contact(today)
    candidates = attendance + _reviews_due(today) + _tasks_due(today) + contact
    for notification in candidates:
        notification.created_at = started
    Notification.objects.bulk_create(candidates, ignore_conflicts=True, batch_size=1000)
    follow_ups = _follow_ups(attendance + contact, today)
    FollowUp.objects.bulk_create(follow_ups, ignore_conflicts=True, batch_size=1000)
    close_follow_ups(today, {notification.subject for notification in contact})
    new = Notification.objects.filter(created_at=started)
    by_kind = Counter(new.values_list("kind", flat=True))
    per_user = Counter(new.values_list("user_id", flat=True))
    emails = _email(per_user)
    logger.info("reminders: %s new notifications, %s emails", sum(by_kind.values()), emails)
    return {"notifications": dict(by_kind), "emails": emails}


def _email(per_user: Counter) -> int:
    """One email to each user who asked for them and has new reminders: a count and a link."""
    preferences = NotificationPreference.objects.filter(
        user_id__in=list(per_user), email=True, user__is_active=True
    ).select_related("user")
    link = settings.ECM_SITE_URL.rstrip("/") + reverse("work:notification-list")
    sent = 0
    for preference in preferences:
        if not preference.user.email:
            continue
        count = per_user[preference.user_id]
        with translation.override(preference.language):
            subject = ngettext(
                "ECM case management: %(count)d new reminder",
                "ECM case management: %(count)d new reminders",
                count,
            ) % {"count": count}
            body = ngettext(
                "You have %(count)d new reminder in ECM case management.\n\n"
                "Sign in to see it: %(link)s\n",
                "You have %(count)d new reminders in ECM case management.\n\n"
                "Sign in to see them: %(link)s\n",
                count,
            ) % {"count": count, "link": link}
        send_mail(subject, body, None, [preference.user.email])
        sent += 1
    return sent
