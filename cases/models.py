"""The case record: a young person and everything recorded about them (DESIGN.md section 5).

Records are never deleted in normal use: each carries an archive stamp with a reason, and
django-simple-history keeps every earlier version (who, when, before/after). Records that
people edit carry a `version` number so that a second writer is told about the first
instead of overwriting them.
"""

from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Bilingual, Team, in_current_language

#: The age of criminal responsibility in England and Wales.
MINIMUM_AGE_AT_REFERRAL = 10

#: The YJB offence gravity scale, 1 (least serious) to 8 (most serious), and the engagement
#: rating of an attended appointment, 1 (not engaged) to 5 (fully engaged). Stated here, where
#: the fields and constraints need them; `cases.rules` owns them for everyone else.
GRAVITY_MIN, GRAVITY_MAX = 1, 8
ENGAGEMENT_MIN, ENGAGEMENT_MAX = 1, 5


def age_on(date_of_birth: date, on: date) -> int:
    """Age in completed years on a given day."""
    return relativedelta(on, date_of_birth).years


class NeedCategory(Bilingual):
    """One entry of the editable needs vocabulary (default codes in DESIGN.md section 5)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    active = models.BooleanField(_("offered for new records"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("need category")
        verbose_name_plural = _("need categories")


class AppointmentPurpose(Bilingual):
    """One entry of the editable vocabulary of what an appointment is for (issue 15: the
    evaluation asked for the purpose of each contact as data, not free text)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    active = models.BooleanField(_("offered for new records"), default=True)
    sequence = models.PositiveSmallIntegerField(_("order on the form"), default=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sequence", "name"]
        verbose_name = _("appointment purpose")
        verbose_name_plural = _("appointment purposes")


class TRMStage(Bilingual):
    """A stage of the Trauma Recovery Model, lowest (1, safety and routine) first."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    presenting_behaviour = models.TextField(_("presenting behaviour"))
    presenting_behaviour_cy = models.TextField(_("presenting behaviour (Welsh)"), blank=True)
    underlying_need = models.TextField(_("underlying need"))
    underlying_need_cy = models.TextField(_("underlying need (Welsh)"), blank=True)
    interventions = models.TextField(_("fitting interventions"))
    interventions_cy = models.TextField(_("fitting interventions (Welsh)"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name = _("TRM stage")
        verbose_name_plural = _("TRM stages")

    def __str__(self):
        return f"{self.number}. {self.label}"

    def _localised(self, field):
        return in_current_language(getattr(self, field), getattr(self, f"{field}_cy"))

    @property
    def presenting_behaviour_label(self):
        return self._localised("presenting_behaviour")

    @property
    def underlying_need_label(self):
        return self._localised("underlying_need")

    @property
    def interventions_label(self):
        return self._localised("interventions")


class DisengagementReason(Bilingual):
    """One entry of the editable vocabulary of reasons a young person gives for refusing or
    withdrawing consent, or for withdrawing from ECM (issue 15, "Reasons, coded")."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    active = models.BooleanField(_("offered for new records"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("reason for refusing or withdrawing")
        verbose_name_plural = _("reasons for refusing or withdrawing")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    NOT_STATED = "not_stated", _("Not stated")


class EndReason(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MOVED_AWAY = "moved_away", _("Moved away")
    CUSTODY = "custody", _("Custody")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    REFERRED = "referred", _("Referred")
    ACTIVE = "active", _("On ECM")
    ENDED = "ended", _("Ended")


class ChoiceDisplay(models.Model):
    """``get_FOO_display()`` that translates only the label it returns.

    Django's own builds a dictionary of every choice on each call, and hashing a lazily
    translated label translates it: a young person's record made about 700 translation
    look-ups for its 86 labels, a fifth of the page's time (docs/benchmarks.md).
    """

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):  # noqa: N802 (Django's name, overridden)
        value = getattr(self, field.attname)
        for choice, label in field.flatchoices:
            if choice == value:
                return force_str(label, strings_only=True)
        return force_str(value, strings_only=True)


class Archivable(ChoiceDisplay):
    """Archive instead of delete: the record leaves lists but stays readable to managers."""

    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    archived_reason = models.CharField(_("reason for archiving"), max_length=500, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("archived by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Versioned(ChoiceDisplay):
    """A counter for optimistic concurrency: every change through a service increments it."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class Task(models.Model):
    """Something someone agreed to do by a date: a user of the service, or, for someone outside
    it, a name at an agency. Marking it done records who and when.

    Agreed actions of formulation meetings and supervision sessions are tasks; the models that
    inherit this add what the task belongs to, its description and its due date.
    """

    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who (a user of the service)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("agency (someone outside the service)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner = models.CharField(_("who (someone outside the service)"), max_length=200, blank=True)
    done_on = models.DateField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_at = models.DateTimeField(_("marked done at"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def who(self) -> str:
        """The assignee's name, or the outside person's name and agency."""
        if self.assignee_id:
            return str(self.assignee)
        if self.agency_id and self.owner:
            return f"{self.owner} ({self.agency})"
        return self.owner

    def is_overdue(self, today: date) -> bool:
        return self.done_on is None and self.due_on is not None and self.due_on < today


#: What a typed value becomes when a record is anonymised under the retention schedule
#: (`governance.anonymise`); the exchange export writes an empty cell instead.
ANONYMISED_TEXT = "[removed]"


def in_work(prefix: str = "") -> models.Q:
    """Young people offered for work (caseloads, team views, action lists, pickers,
    reminders): neither archived nor anonymised under the retention schedule (issue 17).

    `prefix` reaches the young person from another model ("young_person__"). The evaluation
    does not use this: an anonymised young person is still counted there.
    """
    return models.Q(
        **{f"{prefix}archived_at__isnull": True, f"{prefix}anonymised_at__isnull": True}
    )


def case_status(ecm_start_date, ecm_end_date) -> str:
    """Referred until ECM starts, active until it ends."""
    if ecm_end_date:
        return Status.ENDED
    if ecm_start_date:
        return Status.ACTIVE
    return Status.REFERRED


class YoungPerson(Archivable, Versioned):
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="young_people"
    )
    reference = models.CharField(_("reference"), max_length=64, unique=True)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=100, blank=True)
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("allocated practitioner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="caseload",
    )
    referral_date = models.DateField(_("referral date"))
    ecm_start_date = models.DateField(_("ECM start date"), null=True, blank=True)
    ecm_end_date = models.DateField(_("ECM end date"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=20, choices=EndReason.choices, blank=True
    )
    end_note = models.TextField(
        _("reasons given for ending"),
        blank=True,
        help_text=_("For a withdrawal, the young person's own reasons (a key evaluation question)"),
    )
    withdrawal_reason = models.ForeignKey(
        DisengagementReason,
        verbose_name=_("reason for withdrawing"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Only when ECM ended because the young person withdrew"),
    )
    parent_consent_required = models.BooleanField(_("parent or carer consent required"))
    parent_consent_reason = models.CharField(
        _("reason parent or carer consent requirement was changed"), max_length=500, blank=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    #: Set when the record was anonymised under the retention schedule (issue 17): names,
    #: reference and free text are gone and `date_of_birth` is a stand-in that keeps the age
    #: the evaluation uses (`governance.anonymise`).
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    #: The age in completed years on the ECM start date, kept when the record is anonymised.
    age_at_ecm_start = models.PositiveSmallIntegerField(
        _("age at ECM start"), null=True, blank=True, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        verbose_name = _("young person")
        verbose_name_plural = _("young people")
        indexes = [
            models.Index(fields=["team", "archived_at"]),
            models.Index(fields=["practitioner", "archived_at"]),
            models.Index(fields=["referral_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ecm_end_date__isnull=True)
                | models.Q(
                    ecm_start_date__isnull=False, ecm_end_date__gte=models.F("ecm_start_date")
                ),
                name="young_person_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.given_name} {self.family_name} ({self.reference})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def status(self) -> str:
        return case_status(self.ecm_start_date, self.ecm_end_date)

    def get_status_display(self) -> str:
        return Status(self.status).label

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    def age_on(self, on: date) -> int:
        return age_on(self.date_of_birth, on)


class CaseRecord(Archivable):
    """Something recorded about one young person, by someone, at some time."""

    young_person = models.ForeignKey(
        YoungPerson, verbose_name=_("young person"), on_delete=models.PROTECT
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,  # records brought in by import have no recording user
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self._meta.verbose_name} {self.pk} ({self.young_person_id})"


class Need(CaseRecord):
    category = models.ForeignKey(
        NeedCategory, verbose_name=_("need"), on_delete=models.PROTECT, related_name="records"
    )
    recorded_on = models.DateField(_("date identified"))
    evidence = models.TextField(_("evidence"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_on", "-id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [models.Index(fields=["young_person", "recorded_on"])]


class Offence(CaseRecord):
    committed_on = models.DateField(_("date committed"))
    description = models.CharField(_("description"), max_length=500)
    gravity = models.PositiveSmallIntegerField(
        _("gravity score"),
        validators=[MinValueValidator(GRAVITY_MIN), MaxValueValidator(GRAVITY_MAX)],
        help_text=_("YJB seriousness score, 1 (least serious) to 8 (most serious)"),
    )
    proven_on = models.DateField(_("date proven"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-committed_on", "-id"]
        verbose_name = _("offence")
        verbose_name_plural = _("offences")
        indexes = [models.Index(fields=["young_person", "committed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(gravity__gte=GRAVITY_MIN, gravity__lte=GRAVITY_MAX),
                name="offence_gravity_1_to_8",
            )
        ]


class OrderType(models.TextChoices):
    REFERRAL_ORDER = "referral_order", _("Referral order")
    YOUTH_REHABILITATION_ORDER = "youth_rehabilitation_order", _("Youth rehabilitation order")
    DETENTION_TRAINING_ORDER = "detention_training_order", _("Detention and training order")
    REPARATION_ORDER = "reparation_order", _("Reparation order")
    YOUTH_CONDITIONAL_CAUTION = "youth_conditional_caution", _("Youth conditional caution")
    YOUTH_CAUTION = "youth_caution", _("Youth caution")
    COMMUNITY_RESOLUTION = "community_resolution", _("Community resolution")
    OTHER = "other", _("Other")


#: Court orders are statutory; out-of-court disposals are not.
STATUTORY_ORDER_TYPES = frozenset(
    {
        OrderType.REFERRAL_ORDER,
        OrderType.YOUTH_REHABILITATION_ORDER,
        OrderType.DETENTION_TRAINING_ORDER,
        OrderType.REPARATION_ORDER,
    }
)


class Order(CaseRecord):
    order_type = models.CharField(_("type"), max_length=40, choices=OrderType.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [models.Index(fields=["young_person", "start_date"])]

    @property
    def is_statutory(self) -> bool:
        return self.order_type in STATUTORY_ORDER_TYPES


class Breach(CaseRecord):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.PROTECT
    )
    breach_date = models.DateField(_("date of breach"))
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-breach_date", "-id"]
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        indexes = [models.Index(fields=["young_person", "breach_date"])]


class CustodyEpisode(CaseRecord):
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("custody episode")
        verbose_name_plural = _("custody episodes")
        indexes = [models.Index(fields=["young_person", "start_date"])]


class ConsentParty(models.TextChoices):
    YOUNG_PERSON = "young_person", _("Young person")
    PARENT_CARER = "parent_carer", _("Parent or carer")


class ConsentPurpose(models.TextChoices):
    PARTICIPATION = "participation", _("Taking part in ECM")
    EVALUATION = "evaluation", _("Use of information in the evaluation")


class ConsentDecision(models.TextChoices):
    GIVEN = "given", _("Given")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Consent(CaseRecord):
    """One consent decision. The latest per party and purpose is the current one.

    Participation consent is the ethical agreement to take part; the lawful basis for
    processing is the YOT's public task, not this.
    """

    party = models.CharField(_("who"), max_length=20, choices=ConsentParty.choices)
    purpose = models.CharField(_("consent to"), max_length=20, choices=ConsentPurpose.choices)
    decision = models.CharField(_("decision"), max_length=20, choices=ConsentDecision.choices)
    decided_on = models.DateField(_("date of decision"))
    note = models.TextField(_("note"), blank=True)
    reason = models.ForeignKey(
        DisengagementReason,
        verbose_name=_("reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Only for a refusal or a withdrawal"),
    )
    own_words = models.TextField(_("in the young person's own words"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("consent decision")
        verbose_name_plural = _("consent decisions")
        indexes = [models.Index(fields=["young_person", "party", "purpose", "decided_on"])]


class TRMAssessment(CaseRecord):
    """The young person's TRM stage on a date. A child can move down as well as up."""

    stage = models.ForeignKey(
        TRMStage, verbose_name=_("TRM stage"), on_delete=models.PROTECT, related_name="+"
    )
    assessed_on = models.DateField(_("date assessed"))
    rationale = models.TextField(_("rationale"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("TRM assessment")
        verbose_name_plural = _("TRM assessments")
        indexes = [models.Index(fields=["young_person", "assessed_on"])]


class AppointmentKind(models.TextChoices):
    ONE_TO_ONE = "one_to_one", _("One-to-one")
    HOME_VISIT = "home_visit", _("Home visit")
    PHONE = "phone", _("Phone")
    GROUP = "group", _("Group")
    AGENCY_SESSION = "agency_session", _("Agency session")
    OTHER = "other", _("Other")


class Attendance(models.TextChoices):
    ATTENDED = "attended", _("Attended")
    DID_NOT_ATTEND = "did_not_attend", _("Did not attend")
    CANCELLED_BY_YOUNG_PERSON = "cancelled_by_young_person", _("Cancelled by young person")
    CANCELLED_BY_SERVICE = "cancelled_by_service", _("Cancelled by service")
    REARRANGED = "rearranged", _("Rearranged")


class AppointmentOutcome(models.TextChoices):
    """How far an appointment achieved its purpose (issue 15)."""

    ACHIEVED = "achieved", _("Achieved")
    PARTLY_ACHIEVED = "partly_achieved", _("Partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


#: The longest an appointment can last, in minutes (12 hours).
DURATION_MAX_MINUTES = 12 * 60


class Appointment(CaseRecord, Versioned):
    """A contact with the young person: every one has a purpose, and once held, an outcome."""

    starts_at = models.DateTimeField(_("date and time"))
    kind = models.CharField(_("kind"), max_length=20, choices=AppointmentKind.choices)
    purpose_category = models.ForeignKey(
        AppointmentPurpose,
        verbose_name=_("purpose"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.CharField(_("purpose detail"), max_length=500, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(DURATION_MAX_MINUTES)],
    )
    outcome_code = models.CharField(
        _("outcome"), max_length=20, choices=AppointmentOutcome.choices, blank=True
    )
    attendance = models.CharField(
        _("attendance"),
        max_length=30,
        choices=Attendance.choices,
        blank=True,
        help_text=_("Leave empty for an appointment that has not happened yet"),
    )
    engagement = models.PositiveSmallIntegerField(
        _("engagement"),
        null=True,
        blank=True,
        validators=[MinValueValidator(ENGAGEMENT_MIN), MaxValueValidator(ENGAGEMENT_MAX)],
        help_text=_("1 (not engaged) to 5 (fully engaged); only when the young person attended"),
    )
    outcome = models.TextField(_("outcome note"), blank=True)
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("practitioner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [
            models.Index(fields=["young_person", "starts_at"]),
            models.Index(fields=["practitioner", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(engagement__isnull=True)
                | models.Q(
                    engagement__gte=ENGAGEMENT_MIN,
                    engagement__lte=ENGAGEMENT_MAX,
                    attendance="attended",
                ),
                name="appointment_engagement_only_when_attended",
            )
        ]

    @property
    def purpose_in_words(self) -> str:
        """The purpose from the vocabulary, in the reader's language, then its detail."""
        label = self.purpose_category.label if self.purpose_category_id else ""
        return " – ".join(part for part in (label, self.purpose) if part)

    @property
    def outcome_in_words(self) -> str:
        """The coded outcome in the reader's language, then the note."""
        return " – ".join(part for part in (self.get_outcome_code_display(), self.outcome) if part)


class CaseEvent(models.Model):
    """A readable domain event on a case ("consent.withdrawn", "case.reallocated").

    Field-level history is kept by django-simple-history; events say what happened in the
    domain's words, with the actor and the data that matters.
    """

    young_person = models.ForeignKey(
        YoungPerson, on_delete=models.PROTECT, related_name="events", verbose_name=_("young person")
    )
    action = models.CharField(_("action"), max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["young_person", "-at"])]

    def __str__(self):
        return f"{self.action} {self.young_person_id} {self.at:%Y-%m-%d}"


class CaseSummary(models.Model):
    """Facts every case list shows, stored and kept true by `cases.summary` (not edited).

    One row per young person, recomputed from their records whenever one of those records is
    saved; the lists read it instead of recomputing it for every row on every request.
    """

    young_person = models.OneToOneField(
        YoungPerson, on_delete=models.CASCADE, primary_key=True, related_name="case_summary"
    )
    last_contact_at = models.DateTimeField(null=True)
    current_stage = models.ForeignKey(
        TRMStage, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    young_person_consent = models.CharField(max_length=20, blank=True, null=True)
    parent_consent = models.CharField(max_length=20, blank=True, null=True)

    class Meta:
        verbose_name = _("case summary")
        verbose_name_plural = _("case summaries")

    def __str__(self):
        return f"summary of {self.young_person_id}"


class ComplianceDecisionKind(models.TextChoices):
    """What the practitioner decided about a missed appointment (DESIGN.md section 5)."""

    ACCEPTABLE_ABSENCE = "acceptable_absence", _("Acceptable absence")
    EXTENUATING_CIRCUMSTANCES = "extenuating_circumstances", _("Extenuating circumstances")
    WARNING = "warning", _("Warning")
    BREACH_PROCEEDINGS = "breach_proceedings", _("Breach proceedings")


class ManagerAgreement(models.TextChoices):
    AGREED = "agreed", _("Agreed")
    DISAGREED = "disagreed", _("Disagreed")


class ComplianceDecision(CaseRecord, Versioned):
    """The practitioner's decision about one missed appointment, and, where the rules ask for
    it (`cases.compliance`), the manager's agreement. One live decision per appointment;
    changing it keeps every earlier version in its history. A decision of breach proceedings
    records the case's `Breach` (linked here, so it is never entered twice)."""

    appointment = models.ForeignKey(
        Appointment,
        verbose_name=_("missed appointment"),
        on_delete=models.PROTECT,
        related_name="compliance_decisions",
    )
    decision = models.CharField(
        _("decision"), max_length=30, choices=ComplianceDecisionKind.choices
    )
    reason = models.TextField(_("reason"))
    decided_on = models.DateField(_("date of decision"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,  # decisions brought in by import have no deciding user
        on_delete=models.PROTECT,
        related_name="+",
    )
    needs_agreement = models.BooleanField(_("needs the manager's agreement"), default=False)
    agreement = models.CharField(
        _("manager's agreement"), max_length=20, choices=ManagerAgreement.choices, blank=True
    )
    agreement_reason = models.TextField(_("manager's reason"), blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agreed_at = models.DateTimeField(_("agreement recorded"), null=True, blank=True)
    breach = models.OneToOneField(
        Breach,
        verbose_name=_("breach"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="compliance_decision",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("compliance decision")
        verbose_name_plural = _("compliance decisions")
        indexes = [models.Index(fields=["young_person", "decided_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment"],
                condition=models.Q(archived_at__isnull=True),
                name="compliance_decision_one_live_per_appointment",
            )
        ]

    @property
    def awaiting_agreement(self) -> bool:
        return self.needs_agreement and not self.agreement


class TransferStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class CaseTransfer(Versioned):
    """A young person's case handed from one YOT to another when the child moves (issue 17).

    The sending team's manager requests it with a reason; the receiving team's manager accepts
    it, choosing a practitioner and confirming the current consent decisions, or declines it
    with a reason; the sender may cancel it while it waits. One open request per young person.
    """

    young_person = models.ForeignKey(
        YoungPerson,
        verbose_name=_("young person"),
        on_delete=models.PROTECT,
        related_name="transfers",
    )
    from_team = models.ForeignKey(
        Team, verbose_name=_("from team"), on_delete=models.PROTECT, related_name="+"
    )
    to_team = models.ForeignKey(
        Team, verbose_name=_("to team"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason for the transfer"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=TransferStatus.choices,
        default=TransferStatus.REQUESTED,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("practitioner in the receiving team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    consent_rechecked = models.BooleanField(
        _("current consent decisions re-checked with the young person or family"),
        default=False,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("case transfer")
        verbose_name_plural = _("case transfers")
        indexes = [
            models.Index(fields=["to_team", "status"]),
            models.Index(fields=["from_team", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["young_person"],
                condition=models.Q(status="requested"),
                name="case_transfer_one_open_per_young_person",
            ),
            models.CheckConstraint(
                condition=~models.Q(from_team=models.F("to_team")),
                name="case_transfer_to_another_team",
            ),
        ]

    def __str__(self):
        return f"transfer {self.young_person_id} {self.from_team_id}->{self.to_team_id}"

    @property
    def is_open(self) -> bool:
        return self.status == TransferStatus.REQUESTED
