"""Clinical supervision of practitioners by the psychologist (DESIGN.md sections 5 and 6).

Three layers of visibility: that a session happened and its agreed actions (practitioner,
psychologist, the practitioner's team manager, and — for the cases discussed — the case
record); the shared notes (practitioner and psychologist); the private reflective notes
(practitioner and psychologist only, never anyone else, never in an export).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Team
from cases.models import Task, Versioned, YoungPerson


class SupervisionSession(Versioned):
    session_ref = models.CharField(
        _("session reference"), max_length=64, unique=True, null=True, blank=True
    )
    held_on = models.DateField(_("date"))
    psychologist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("psychologist"),
        on_delete=models.PROTECT,
        related_name="supervision_given",
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("practitioner supervised"),
        on_delete=models.PROTECT,
        related_name="supervision_received",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The practitioner's team whose manager sees the agreed actions"),
    )
    cases = models.ManyToManyField(
        YoungPerson,
        verbose_name=_("cases discussed"),
        related_name="supervision_sessions",
        blank=True,
    )
    shared_notes = models.TextField(_("shared notes"), blank=True)
    private_notes = models.TextField(
        _("private reflective notes"),
        blank=True,
        help_text=_("Seen only by the practitioner and the psychologist"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # History is kept in full; no page shows it to anyone but the two participants.
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("supervision session")
        verbose_name_plural = _("supervision sessions")
        indexes = [
            models.Index(fields=["practitioner", "-held_on"]),
            models.Index(fields=["psychologist", "-held_on"]),
            models.Index(fields=["team", "-held_on"]),
        ]

    def __str__(self):
        return f"supervision {self.held_on:%Y-%m-%d}"


class SupervisionAction(Task):
    session = models.ForeignKey(
        SupervisionSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    young_person = models.ForeignKey(
        YoungPerson,
        verbose_name=_("young person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_actions",
    )
    description = models.CharField(_("action"), max_length=500)
    due_on = models.DateField(_("due"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("supervision action")
        verbose_name_plural = _("supervision actions")

    def __str__(self):
        return self.description
