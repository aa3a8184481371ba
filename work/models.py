"""Reminders for the people who do the work: in-app notifications and email preferences.

A notification says what needs doing and links to where it is done. The daily reminder job
(`work.reminders`) writes them; each is unique for its user, kind and subject (what it is
about and the date that made it due), so running the job twice on one day notifies once.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.models import Task


class NotificationKind(models.TextChoices):
    ATTENDANCE_MISSING = "attendance_missing", _("Attendance not recorded")
    REVIEW_DUE = "review_due", _("Formulation review due")
    TASK_DUE = "task_due", _("Task due tomorrow")
    TASK_OVERDUE = "task_overdue", _("Task overdue")
    NO_CONTACT = "no_contact", _("No contact in 14 days")


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    #: What the notification is about and the date that made it due: the idempotence key.
    subject = models.CharField(_("subject"), max_length=200)
    young_person = models.ForeignKey(
        "cases.YoungPerson",
        verbose_name=_("young person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: The date it is about: the appointment's, the review's, the task's due date, the last
    #: contact (none: never seen).
    on = models.DateField(_("date"), null=True, blank=True)
    #: A task's description (only in the service, never in an email).
    description = models.CharField(_("description"), max_length=500, blank=True)
    url = models.CharField(_("link"), max_length=300)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "subject"], name="notification_once_per_subject"
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return f"{self.kind} {self.subject}"

    def message(self) -> str:
        """What it says, in the reader's language (rendered when read, never stored)."""
        name = self.young_person.full_name if self.young_person_id else ""
        day = date_format(self.on, "j F Y") if self.on else ""
        if self.kind == NotificationKind.ATTENDANCE_MISSING:
            return gettext("Record the attendance of the appointment with %(name)s on %(date)s") % {
                "name": name,
                "date": day,
            }
        if self.kind == NotificationKind.REVIEW_DUE:
            return gettext("The formulation review for %(name)s is due on %(date)s") % {
                "name": name,
                "date": day,
            }
        if self.kind == NotificationKind.TASK_DUE:
            if name:
                return gettext("Due tomorrow: %(task)s (%(name)s)") % {
                    "task": self.description,
                    "name": name,
                }
            return gettext("Due tomorrow: %(task)s") % {"task": self.description}
        if self.kind == NotificationKind.TASK_OVERDUE:
            if name:
                return gettext("Overdue since %(date)s: %(task)s (%(name)s)") % {
                    "date": day,
                    "task": self.description,
                    "name": name,
                }
            return gettext("Overdue since %(date)s: %(task)s") % {
                "date": day,
                "task": self.description,
            }
        if self.on:
            return gettext("No contact with %(name)s since %(date)s") % {"name": name, "date": day}
        return gettext("No contact with %(name)s since ECM started") % {"name": name}


class NotificationPreference(models.Model):
    """Whether a user also gets an email when new reminders arrive, and in which language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email = models.BooleanField(_("email me when I have new reminders"), default=False)
    language = models.CharField(
        _("language of the email"), max_length=10, choices=settings.LANGUAGES, default="en-gb"
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user)


class FollowUpKind(models.TextChoices):
    RECORD_ATTENDANCE = "record_attendance", _("Record an appointment's attendance")
    MAKE_CONTACT = "make_contact", _("Make contact")
    COMPLIANCE_DECISION = "compliance_decision", _("Decide on a missed appointment")


class FollowUp(Task):
    """A task the service gives the allocated practitioner: record the attendance of an
    appointment that has none a working day later, make contact after 14 days without, or
    decide on a missed appointment (created when it is recorded as missed, done when the
    decision is recorded).

    The reminder job creates one per subject (like its notification) and closes it, marked
    done by no one, when the record shows it was done; saving the appointment's attendance
    closes it at once.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=FollowUpKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    young_person = models.ForeignKey(
        "cases.YoungPerson",
        verbose_name=_("young person"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    appointment = models.ForeignKey(
        "cases.Appointment",
        verbose_name=_("appointment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    #: The date it is about: the appointment's, or the last contact (none: never seen).
    on = models.DateField(_("date"), null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject"], name="follow_up_once_per_subject")
        ]
        indexes = [models.Index(fields=["assignee", "done_on"])]

    def __str__(self):
        return f"{self.kind} {self.subject}"

    @property
    def description(self) -> str:
        """What to do, in the reader's language."""
        day = date_format(self.on, "j F Y") if self.on else ""
        if self.kind == FollowUpKind.RECORD_ATTENDANCE:
            return gettext("Record the attendance and outcome of the appointment on %(date)s") % {
                "date": day
            }
        if self.kind == FollowUpKind.COMPLIANCE_DECISION:
            return gettext("Record a compliance decision on the missed appointment of %(date)s") % {
                "date": day
            }
        return gettext("Make contact: no contact in 14 days")
