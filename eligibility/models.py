"""Eligibility policies (versioned parameters, never code) and the decisions made with them."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import YoungPerson

from .rules import PolicyParameters


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class EligibilityPolicy(models.Model):
    """One version of the ECM eligibility criteria, in force between two dates.

    A referral is judged by the active policy in force on its referral date. Once a decision
    has used a version, that version is never edited: a change makes a new version.
    """

    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveIntegerField(_("version"), default=1)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT
    )
    minimum_offences = models.PositiveSmallIntegerField(
        _("minimum offences"), help_text=_("0 means no minimum")
    )
    window_months = models.PositiveSmallIntegerField(
        _("window in months before referral"), validators=[MinValueValidator(1)]
    )
    minimum_need_categories = models.PositiveSmallIntegerField(_("minimum need categories"))
    statutory_order_required = models.BooleanField(_("statutory order required"))
    voluntary_participation_allowed = models.BooleanField(_("voluntary participation allowed"))
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_from", "-version"]
        verbose_name = _("eligibility policy")
        verbose_name_plural = _("eligibility policies")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="policy_name_version_unique"),
            models.CheckConstraint(
                condition=models.Q(window_months__gte=1), name="policy_window_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="policy_effective_to_after_from",
            ),
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"

    @property
    def parameters(self) -> PolicyParameters:
        return PolicyParameters(
            minimum_offences=self.minimum_offences,
            window_months=self.window_months,
            minimum_need_categories=self.minimum_need_categories,
            statutory_order_required=self.statutory_order_required,
            voluntary_participation_allowed=self.voluntary_participation_allowed,
        )

    def in_force_on(self, day) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


class EligibilityDecision(models.Model):
    """The result of one eligibility check. Never changed: a new check is a new decision."""

    young_person = models.ForeignKey(
        YoungPerson,
        verbose_name=_("young person"),
        on_delete=models.PROTECT,
        related_name="eligibility_decisions",
    )
    policy = models.ForeignKey(
        EligibilityPolicy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(_("date of decision"))
    eligible = models.BooleanField(_("eligible by the criteria"))
    #: [{"code": ..., "met": bool, "evidence": "..."}] as the rules produced them.
    criteria = models.JSONField(_("criteria"))
    voluntary_participation = models.BooleanField(_("taking part voluntarily"), default=False)
    reconstructed = models.BooleanField(
        _("reconstructed on import"),
        default=False,
        help_text=_("Computed when the referral was imported, dated on its referral date"),
    )
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    made_at = models.DateTimeField(_("checked at"), default=timezone.now)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("eligibility decision")
        verbose_name_plural = _("eligibility decisions")
        indexes = [models.Index(fields=["young_person", "-decided_on", "-id"])]

    def __str__(self):
        return f"{self.young_person_id} {self.decided_on} {'eligible' if self.eligible else 'not'}"

    @property
    def override(self):
        try:
            return self.eligibility_override
        except EligibilityOverride.DoesNotExist:
            return None

    @property
    def final_eligible(self) -> bool:
        """The result that counts: a manager's override if there is one, else the criteria."""
        override = self.override
        return override.eligible if override is not None else self.eligible


class EligibilityOverride(models.Model):
    """A manager's decision to override the criteria, with the required reason."""

    decision = models.OneToOneField(
        EligibilityDecision,
        verbose_name=_("decision"),
        on_delete=models.PROTECT,
        related_name="eligibility_override",
    )
    eligible = models.BooleanField(_("eligible"))
    reason = models.TextField(_("reason"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("overridden by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    made_at = models.DateTimeField(_("overridden at"), default=timezone.now)

    class Meta:
        verbose_name = _("eligibility override")
        verbose_name_plural = _("eligibility overrides")

    def __str__(self):
        return f"override of {self.decision_id}"
