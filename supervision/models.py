"""Clinical supervision of practitioners by the psychologist (DESIGN.md sections 5 and 6).

Four layers of visibility: that a session happened and its agreed actions (practitioner,
psychologist, the practitioner's team manager, and — for the cases discussed — the case
record); a note per case discussed (`SupervisionNote`: everyone who may read that case's
record); the shared notes (practitioner, psychologist and the team's managers, DESIGN.md
section 6); the private reflective notes (practitioner and psychologist only, never anyone
else, never in an export).

Management oversight (`OversightEntry`) is the team manager's own review of a case, kept
beside the clinical supervision it may answer.
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
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"),
        null=True,
        blank=True,
        help_text=_("How long the session lasted; none for sessions recorded before it was asked"),
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


class SessionCases(models.Model):
    """How many cases a supervision session discussed, kept true on every change to its
    list of cases (`supervision.case_counts`): a case's share of the session's time is the
    session's minutes over this. Counted once here rather than once per report, over every
    session in the country (docs/benchmarks.md)."""

    session = models.OneToOneField(
        SupervisionSession, on_delete=models.CASCADE, primary_key=True, related_name="case_count"
    )
    cases = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("cases discussed in a supervision session")
        verbose_name_plural = _("cases discussed in supervision sessions")

    def __str__(self):
        return f"{self.cases} cases in session {self.session_id}"


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


class SupervisionNote(Versioned):
    """What the session said about one case discussed, written for the case record: the
    "shared tier" everyone who may read the young person's record sees (the evaluation's
    recommendation 4.2: notes of clinical supervision reach the case recording system)."""

    session = models.ForeignKey(
        SupervisionSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="case_notes",
    )
    young_person = models.ForeignKey(
        YoungPerson,
        verbose_name=_("young person"),
        on_delete=models.PROTECT,
        related_name="supervision_notes",
    )
    text = models.TextField(_("note for the case record"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["young_person__reference", "id"]
        verbose_name = _("supervision case note")
        verbose_name_plural = _("supervision case notes")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "young_person"], name="supervision_note_once_per_case"
            )
        ]

    def __str__(self):
        return f"supervision note {self.session_id}/{self.young_person_id}"


class OversightEntry(Versioned):
    """A manager's oversight of one case: when, what was reviewed, what was decided, and the
    actions it set (tasks). It may answer a clinical supervision session that discussed the
    case (the evaluation, 3.16: internal management oversight beside external clinical
    supervision), and appears on the case timeline beside that session's actions."""

    young_person = models.ForeignKey(
        YoungPerson,
        verbose_name=_("young person"),
        on_delete=models.PROTECT,
        related_name="oversight_entries",
    )
    #: The key of an entry brought in by the exchange format (one recorded on screen has none).
    oversight_ref = models.CharField(
        _("oversight reference"), max_length=64, unique=True, null=True, blank=True
    )
    reviewed_on = models.DateField(_("date of the oversight"))
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        on_delete=models.PROTECT,
        related_name="oversight_given",
    )
    reviewed = models.TextField(_("what was reviewed"))
    decision = models.TextField(_("decision"))
    responds_to = models.ForeignKey(
        SupervisionSession,
        verbose_name=_("in response to the supervision session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="oversight_entries",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_on", "-id"]
        verbose_name = _("management oversight entry")
        verbose_name_plural = _("management oversight entries")
        indexes = [models.Index(fields=["young_person", "-reviewed_on"])]

    def __str__(self):
        return f"oversight {self.reviewed_on:%Y-%m-%d}"


class OversightAction(Task):
    """An action a manager's oversight set: a task like a supervision session's."""

    entry = models.ForeignKey(
        OversightEntry,
        verbose_name=_("oversight entry"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    description = models.CharField(_("action"), max_length=500)
    due_on = models.DateField(_("due"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("oversight action")
        verbose_name_plural = _("oversight actions")
        indexes = [models.Index(fields=["assignee", "done_on"])]

    def __str__(self):
        return self.description
