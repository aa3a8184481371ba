"""Records governance (issue 17): retention schedules, legal holds, the reviews of who is due
and the runs that anonymised them.

A rule says how long a kind of case is kept (DESIGN.md section 9, "retention is an explicit,
dry-runnable, logged job"); the nightly job lists who is due in a `RetentionReview`; nothing
is removed until an administrator approves it, which records a `RetentionRun` naming who
approved, when, how many and under which rules — never the values removed.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Versioned


class CaseKind(models.TextChoices):
    """What a retention rule applies to, from the orders recorded on the case."""

    OUT_OF_COURT = "out_of_court", _("Out-of-court disposal")
    REFERRAL_ONLY = "referral_only", _("Referral only (no order or disposal)")
    COURT_ORDER = "court_order", _("Court order")


class CountedFrom(models.TextChoices):
    LAST_ACTION = "last_action", _("the last action on the case")
    ORDER_END = "order_end", _("the end of the last court order")


def describe_rule(case_kind: str, years: int, counted_from: str) -> str:
    """A retention rule in words: "Court order: 5 years after the end of the last court
    order"."""
    return _("%(kind)s: %(years)s years after %(counted_from)s") % {
        "kind": CaseKind(case_kind).label,
        "years": years,
        "counted_from": CountedFrom(counted_from).label,
    }


class RetentionRule(Versioned):
    """How many years a kind of case is kept, counted from what; national, or for one team
    whose local schedule differs (a team's rule beats the national one for its cases).

    Reference data that administrators edit in the admin (`governance.schedules`): every
    change is a new version with its history row; a rule is in force from a date, and until
    one if it was replaced.
    """

    case_kind = models.CharField(_("applies to"), max_length=20, choices=CaseKind.choices)
    years = models.PositiveSmallIntegerField(
        _("years kept"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    counted_from = models.CharField(_("counted from"), max_length=20, choices=CountedFrom.choices)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="retention_rules",
        help_text=_("Leave empty for the national rule, which applies to every other team"),
    )
    in_force_from = models.DateField(_("in force from"))
    in_force_until = models.DateField(
        _("in force until"), null=True, blank=True, help_text=_("Empty: until replaced")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["case_kind", "team__code", "in_force_from", "id"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(in_force_until__isnull=True)
                | models.Q(in_force_until__gte=models.F("in_force_from")),
                name="retention_rule_until_after_from",
            ),
        ]

    def __str__(self):
        scope = self.team.code if self.team_id else _("national")
        return f"{self.get_case_kind_display()} ({scope}, v{self.version})"

    @property
    def description(self) -> str:
        return describe_rule(self.case_kind, self.years, self.counted_from)


class LegalHold(models.Model):
    """A young person's record must be kept whatever the schedule says (a claim, an inquiry):
    the due list skips them until the hold is released."""

    young_person = models.ForeignKey(
        "cases.YoungPerson",
        verbose_name=_("young person"),
        on_delete=models.PROTECT,
        related_name="legal_holds",
    )
    reason = models.TextField(_("reason for the hold"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("placed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    placed_at = models.DateTimeField(_("placed"), default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    #: Why the hold could end (required when releasing; empty while the hold is in force).
    release_reason = models.TextField(_("reason for the release"), blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        constraints = [
            models.UniqueConstraint(
                fields=["young_person"],
                condition=models.Q(released_at__isnull=True),
                name="one_open_legal_hold_per_young_person",
            ),
        ]

    def __str__(self):
        return f"legal hold {self.pk} on {self.young_person_id}"

    @property
    def is_open(self) -> bool:
        return self.released_at is None


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Replaced by a newer review")


class RetentionReview(models.Model):
    """The young people due under the rules in force on `as_of`, built each night, waiting
    for an administrator's approval. A newer review replaces a pending one."""

    as_of = models.DateField(_("due on"))
    created_at = models.DateTimeField(_("built"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("retention review")
        verbose_name_plural = _("retention reviews")
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self):
        return f"retention review {self.pk} ({self.as_of})"


class RetentionReviewItem(models.Model):
    """One young person due, with the rule and the dates that make them due."""

    review = models.ForeignKey(RetentionReview, on_delete=models.CASCADE, related_name="items")
    young_person = models.ForeignKey(
        "cases.YoungPerson", on_delete=models.PROTECT, related_name="+"
    )
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="+")
    case_kind = models.CharField(_("kind of case"), max_length=20, choices=CaseKind.choices)
    counted_from_date = models.DateField(_("counted from"))
    due_on = models.DateField(_("due since"))

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("young person due")
        verbose_name_plural = _("young people due")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "young_person"], name="one_review_item_per_young_person"
            ),
        ]


class RetentionRun(models.Model):
    """An approved review carried out: who approved, when, how many, under which rules. Never
    the values removed."""

    review = models.OneToOneField(RetentionReview, on_delete=models.PROTECT, related_name="run")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), default=timezone.now)
    anonymised = models.PositiveIntegerField(_("young people anonymised"))
    skipped_on_hold = models.PositiveIntegerField(_("skipped (on legal hold)"), default=0)
    #: [{"id", "version", "description", "team", "count"}] for each rule applied.
    rules = models.JSONField(_("rules applied"), default=list)
    #: Rows changed per model, as the anonymiser reports them.
    rows_changed = models.JSONField(_("rows changed"), default=dict)

    class Meta:
        ordering = ["-approved_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self):
        return f"retention run {self.pk}"

    def rules_described(self) -> list[dict]:
        """The rules as the run recorded them, each with its description in words."""
        return [
            {
                **rule,
                "description": describe_rule(
                    rule["case_kind"], rule["years"], rule["counted_from"]
                ),
            }
            for rule in self.rules
        ]


class RetentionRunItem(models.Model):
    """A young person a run anonymised, under which rule (they are never due again)."""

    run = models.ForeignKey(RetentionRun, on_delete=models.PROTECT, related_name="items")
    young_person = models.OneToOneField(
        "cases.YoungPerson", on_delete=models.PROTECT, related_name="retention_run_item"
    )
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("young person anonymised")
        verbose_name_plural = _("young people anonymised")
