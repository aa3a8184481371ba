"""What partner agencies record themselves (issue 18): their contacts with a young person and
their answers to formulation-meeting invitations; and the plan items the YOT hands over to a
partner agency to continue once ECM has ended (`ItemHandover`).

A partner agency worker is a user with the partner role and an agency (`accounts`); what
they may reach is worked out per request by `partners.selectors`. Their changes to the plan
items and agreed actions their agency is responsible for are made on those records
(`formulation`) and written as case events, so the YOT practitioner sees them on the record.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Agency
from cases.models import (
    DURATION_MAX_MINUTES,
    AppointmentOutcome,
    AppointmentPurpose,
    ChoiceDisplay,
    YoungPerson,
)
from formulation.models import InterventionItem, MeetingAttendance


class PartnerContact(ChoiceDisplay):
    """A partner agency's contact with a young person, in the appointments' vocabulary
    (purpose and outcome, issue 15), so the two can be read and counted together."""

    young_person = models.ForeignKey(
        YoungPerson,
        verbose_name=_("young person"),
        on_delete=models.PROTECT,
        related_name="partner_contacts",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    contact_on = models.DateField(_("date of the contact"))
    purpose_category = models.ForeignKey(
        AppointmentPurpose, verbose_name=_("purpose"), on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("purpose detail"), max_length=500, blank=True)
    outcome_code = models.CharField(_("outcome"), max_length=20, choices=AppointmentOutcome.choices)
    outcome = models.TextField(_("outcome note"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(DURATION_MAX_MINUTES)],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-contact_on", "-id"]
        verbose_name = _("partner agency contact")
        verbose_name_plural = _("partner agency contacts")
        indexes = [
            models.Index(fields=["young_person", "contact_on"]),
            models.Index(fields=["agency", "contact_on"]),
        ]

    def __str__(self):
        return f"{self.agency} contact {self.contact_on:%Y-%m-%d} ({self.young_person_id})"

    @property
    def purpose_in_words(self) -> str:
        """The purpose from the vocabulary, in the reader's language, then its detail."""
        return " – ".join(part for part in (self.purpose_category.label, self.purpose) if part)

    @property
    def outcome_in_words(self) -> str:
        return " – ".join(part for part in (self.get_outcome_code_display(), self.outcome) if part)


class InvitationAnswer(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class InvitationResponse(ChoiceDisplay):
    """An agency's answer to its invitation to a formulation meeting (one per invitation; a
    changed answer replaces it, the history keeps the earlier one)."""

    invitation = models.OneToOneField(
        MeetingAttendance,
        verbose_name=_("invitation"),
        on_delete=models.CASCADE,
        related_name="partner_response",
    )
    answer = models.CharField(_("answer"), max_length=10, choices=InvitationAnswer.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("answer to a meeting invitation")
        verbose_name_plural = _("answers to meeting invitations")

    def __str__(self):
        return f"{self.answer} ({self.invitation_id})"


class ItemHandover(models.Model):
    """A plan item the YOT handed over to the agency responsible for it, to continue after
    ECM ended ("continuity after the order", issue 18).

    While `until` has not passed, the handover has not been ended early and participation
    consent is still given, the agency's partners keep access to this item (and only this
    item) of the young person: `partners.selectors` works that out on every request, so
    nothing here is a stored flag of access. Ending early keeps the row, with who ended it,
    when and why; the history keeps every change.
    """

    item = models.ForeignKey(
        InterventionItem,
        verbose_name=_("plan item"),
        on_delete=models.PROTECT,
        related_name="partner_handovers",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    until = models.DateField(_("handed over until"))
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed over by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    handed_over_at = models.DateTimeField(_("handed over"), default=timezone.now, editable=False)
    ended_on = models.DateField(_("ended early on"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    end_reason = models.CharField(_("why it ended early"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-handed_over_at", "-id"]
        verbose_name = _("plan item handed over")
        verbose_name_plural = _("plan items handed over")
        indexes = [models.Index(fields=["agency", "until"])]

    def __str__(self):
        return f"{self.item_id} to {self.agency} until {self.until:%Y-%m-%d}"

    def is_running(self, today) -> bool:
        return self.ended_on is None and self.until >= today
