"""Multi-agency case formulation and the intervention plan (DESIGN.md section 5).

A formulation meeting is chaired by a clinical psychologist; partner agencies are invited
and their attendance recorded. The formulation (the 5 Ps, the life-story timeline, the
views of the young person and family, the TRM stage agreed) belongs to one meeting; a review
meeting starts from the previous formulation, and earlier ones stay readable.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Agency, Bilingual
from cases.models import (
    DURATION_MAX_MINUTES,
    Appointment,
    Task,
    TRMStage,
    Versioned,
    YoungPerson,
)


class MeetingKind(models.TextChoices):
    INITIAL = "initial", _("Initial formulation")
    REVIEW = "review", _("Formulation review")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class FormulationMeeting(Versioned):
    young_person = models.ForeignKey(
        YoungPerson,
        verbose_name=_("young person"),
        on_delete=models.PROTECT,
        related_name="formulation_meetings",
    )
    meeting_ref = models.CharField(
        _("meeting reference"), max_length=64, unique=True, null=True, blank=True
    )
    held_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=MeetingKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair (psychologist)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(DURATION_MAX_MINUTES)],
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("formulation meeting")
        verbose_name_plural = _("formulation meetings")
        indexes = [models.Index(fields=["young_person", "held_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_on:%Y-%m-%d}"


class MeetingAttendance(models.Model):
    """An agency invited to a meeting and, once held, whether it attended and who came."""

    meeting = models.ForeignKey(
        FormulationMeeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    attendee_name = models.CharField(_("who attended"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name"]
        verbose_name = _("meeting attendance")
        verbose_name_plural = _("meeting attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agency"], name="attendance_one_per_agency")
        ]

    def __str__(self):
        return f"{self.agency} at {self.meeting}"


class Formulation(Versioned):
    """The formulation agreed at a meeting. Free text here is never shown to evaluators."""

    meeting = models.OneToOneField(
        FormulationMeeting,
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        related_name="formulation",
    )
    presenting = models.TextField(_("presenting problems"), blank=True)
    predisposing = models.TextField(_("predisposing factors"), blank=True)
    precipitating = models.TextField(_("precipitating factors"), blank=True)
    perpetuating = models.TextField(_("perpetuating factors"), blank=True)
    protective = models.TextField(_("protective factors"), blank=True)
    timeline_notes = models.TextField(_("life-story timeline"), blank=True)
    young_person_views = models.TextField(_("the young person's views"), blank=True)
    family_views = models.TextField(_("the family's views"), blank=True)
    trm_stage = models.ForeignKey(
        TRMStage, verbose_name=_("TRM stage agreed"), on_delete=models.PROTECT, related_name="+"
    )
    trm_reasoning = models.TextField(_("why this stage"))
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("formulation")
        verbose_name_plural = _("formulations")

    def __str__(self):
        return f"formulation of {self.meeting}"


#: The five Ps, in the order they are presented.
FIVE_PS = ("presenting", "predisposing", "precipitating", "perpetuating", "protective")
#: Fields copied from the previous formulation when a review starts.
CARRIED_FORWARD = (
    *FIVE_PS,
    "timeline_notes",
    "young_person_views",
    "family_views",
    "trm_stage",
    "trm_reasoning",
)


class AgreedAction(Task):
    formulation = models.ForeignKey(
        Formulation,
        verbose_name=_("formulation"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    description = models.CharField(_("action"), max_length=500)
    due_on = models.DateField(_("due"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("agreed action")
        verbose_name_plural = _("agreed actions")
        indexes = [models.Index(fields=["due_on", "done_on"])]

    def __str__(self):
        return self.description


#: The distance-travelled scale: 1 (a real difficulty) to 5 (a real strength).
RATING_MIN, RATING_MAX = 1, 5


class DistanceDomain(Bilingual):
    """One entry of the editable list of softer outcomes rated at each formulation (issue 15,
    "Distance travelled"; the evaluation named resilience to chaotic family life,
    self-confidence, anger management and emotional resilience)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    active = models.BooleanField(_("offered for new ratings"), default=True)
    order = models.PositiveSmallIntegerField(_("order on the page"), default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("distance-travelled domain")
        verbose_name_plural = _("distance-travelled domains")


class DistanceRating(models.Model):
    """The young person's own rating and the practitioner's rating of one domain, both 1–5,
    at the initial formulation or a review. A domain is rated by both or not at all."""

    formulation = models.ForeignKey(
        Formulation,
        verbose_name=_("formulation"),
        on_delete=models.PROTECT,
        related_name="distance_ratings",
    )
    domain = models.ForeignKey(
        DistanceDomain, verbose_name=_("domain"), on_delete=models.PROTECT, related_name="+"
    )
    self_rating = models.PositiveSmallIntegerField(
        _("young person's own rating"),
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)],
    )
    practitioner_rating = models.PositiveSmallIntegerField(
        _("practitioner's rating"),
        validators=[MinValueValidator(RATING_MIN), MaxValueValidator(RATING_MAX)],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["domain__order", "domain__name"]
        verbose_name = _("distance-travelled rating")
        verbose_name_plural = _("distance-travelled ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["formulation", "domain"], name="distance_rating_one_per_domain"
            ),
            models.CheckConstraint(
                condition=models.Q(self_rating__gte=RATING_MIN, self_rating__lte=RATING_MAX)
                & models.Q(
                    practitioner_rating__gte=RATING_MIN, practitioner_rating__lte=RATING_MAX
                ),
                name="distance_rating_on_the_scale",
            ),
        ]

    def __str__(self):
        return f"{self.domain} at {self.formulation_id}"


class InterventionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    DONE = "done", _("Done")
    STOPPED = "stopped", _("Stopped")


class InterventionItem(Versioned):
    """One item of the intervention plan, sequenced to the young person's TRM stage."""

    young_person = models.ForeignKey(
        YoungPerson,
        verbose_name=_("young person"),
        on_delete=models.PROTECT,
        related_name="intervention_items",
    )
    title = models.CharField(_("what"), max_length=300)
    trm_stage = models.ForeignKey(
        TRMStage,
        verbose_name=_("TRM stage it serves"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("responsible agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_person = models.CharField(_("responsible person"), max_length=200, blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InterventionStatus.choices,
        default=InterventionStatus.PLANNED,
    )
    sequence = models.PositiveSmallIntegerField(_("order in the plan"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sequence", "id"]
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        indexes = [models.Index(fields=["young_person", "sequence"])]

    def __str__(self):
        return self.title


class DeliveredIntervention(models.Model):
    """Which plan item an appointment delivered (appointments live in `cases`)."""

    appointment = models.OneToOneField(
        Appointment,
        verbose_name=_("appointment"),
        on_delete=models.CASCADE,
        related_name="delivered_intervention",
    )
    item = models.ForeignKey(
        InterventionItem,
        verbose_name=_("intervention"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("delivered intervention")
        verbose_name_plural = _("delivered interventions")

    def __str__(self):
        return f"{self.appointment_id} → {self.item_id}"


class FormulationSummary(models.Model):
    """The formulation facts the case lists' warnings read, kept true by `cases.summary`."""

    young_person = models.OneToOneField(
        YoungPerson,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="formulation_summary",
    )
    #: The latest formulation's next review date.
    next_review_on = models.DateField(null=True)
    #: Whether an initial formulation meeting has been held.
    initial_formulation_held = models.BooleanField(null=True)
    #: The earliest due date of an agreed action not done yet.
    open_action_due_on = models.DateField(null=True)

    class Meta:
        verbose_name = _("formulation summary")
        verbose_name_plural = _("formulation summaries")

    def __str__(self):
        return f"formulation summary of {self.young_person_id}"
