"""People, teams and agencies, the roles that join them, and the append-only access log."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def in_current_language(english: str, welsh: str) -> str:
    """The Welsh form when the reader reads Welsh and there is one, else the English."""
    if welsh and (get_language() or "").startswith("cy"):
        return welsh
    return english


class Bilingual(models.Model):
    """Reference data that administrators edit, with a Welsh form of each name.

    `label` is the name to show: Welsh for a Welsh reader when there is one, else English.
    """

    name = models.CharField(_("name (English)"), max_length=200)
    name_cy = models.CharField(
        _("name (Welsh)"),
        max_length=200,
        blank=True,
        help_text=_("Shown to people reading in Welsh; leave empty to show the English name."),
    )

    class Meta:
        abstract = True

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return in_current_language(self.name, self.name_cy)


def labels_by_code(model, codes=None) -> dict[str, str]:
    """Code → name in the current language, for a `Bilingual` model with a `code` (one query)."""
    rows = model.objects.all()
    if codes is not None:
        rows = rows.filter(code__in=list(codes))
    return {
        code: in_current_language(name, name_cy)
        for code, name, name_cy in rows.values_list("code", "name", "name_cy")
    }


def ensure_vocabulary(model, entries, *, order_field: str | None = None) -> None:
    """Create each (code, English name, Welsh name) entry of a `Bilingual` vocabulary that is
    missing, numbering them from 1 in `order_field` when the vocabulary keeps an order.
    Entries an administrator has edited are left as they are. Migrations pass their historical
    model."""
    for position, (code, name, name_cy) in enumerate(entries, start=1):
        defaults = {"name": name, "name_cy": name_cy}
        if order_field:
            defaults[order_field] = position
        model.objects.get_or_create(code=code, defaults=defaults)


class Team(Bilingual):
    """A Youth Offending Team (YOT)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")


class Agency(Bilingual):
    """A partner agency that takes part in formulation meetings and delivers interventions."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", _("Practitioner")
    MANAGER = "manager", _("Manager")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    EVALUATOR = "evaluator", _("Evaluator")
    ADMIN = "admin", _("Administrator")
    PARTNER = "partner", _("Partner agency worker")


#: Roles that act within particular teams; the others act service-wide.
TEAM_ROLES = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.PSYCHOLOGIST})
#: Roles of people outside the YOT: they belong to an agency (`User.agency`), never a team,
#: and reach only the young people their agency works with (the `partners` app).
AGENCY_ROLES = frozenset({Role.PARTNER})


class User(AbstractUser):
    """A member of staff. `staff_ref` keys the user in the exchange format."""

    staff_ref = models.CharField(
        _("staff reference"), max_length=64, unique=True, null=True, blank=True
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username


class Membership(models.Model):
    """A user holding a role, in a team for team roles or service-wide for the others."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), related_name="memberships", on_delete=models.CASCADE
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        related_name="memberships",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "team", "role"], name="membership_unique_role_in_team"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(team__isnull=True),
                name="membership_unique_service_role",
            ),
        ]
        indexes = [models.Index(fields=["team", "role"])]

    def __str__(self):
        if self.team_id:
            return f"{self.user} – {self.get_role_display()} – {self.team}"
        return f"{self.user} – {self.get_role_display()}"

    def clean(self):
        if self.role in TEAM_ROLES and not self.team_id:
            raise ValidationError(
                {
                    "team": _("A %(role)s must belong to a team.")
                    % {"role": self.get_role_display().lower()}
                }
            )
        if self.role not in TEAM_ROLES and self.team_id:
            raise ValidationError(
                {
                    "team": _("An %(role)s works across all teams; leave the team empty.")
                    % {"role": self.get_role_display().lower()}
                }
            )


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError("Access log entries are append-only.")

    def delete(self):
        raise ValidationError("Access log entries are append-only.")


class AccessLogEntry(models.Model):
    """One view, export or denied attempt. Rows are never changed or removed.

    The database refuses UPDATE and DELETE on this table (see the migration that adds the
    triggers), so the log stays trustworthy even against code that forgets the rule.
    """

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    allowed = models.BooleanField(_("allowed"))
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]

    def __str__(self):
        verdict = "allowed" if self.allowed else "denied"
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {verdict}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Access log entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Access log entries are append-only.")


class Draft(models.Model):
    """What one user typed into one long-text form and has not saved yet.

    Kept while they type (saved by the page every so often) and when they submit the form
    after being signed out for inactivity, so the text can be offered back. Only its owner
    ever reads it; saving the form or discarding the draft deletes it, and drafts left
    alone are deleted after ``ECM_DRAFT_KEEP_DAYS`` (``delete_old_drafts``).
    """

    owner = models.ForeignKey(
        User, verbose_name=_("owner"), related_name="drafts", on_delete=models.CASCADE
    )
    #: The address of the form's page (path and query string), which is also where it posts.
    key = models.CharField(_("page address"), max_length=500)
    #: The form's fields as ``{name: [values]}``, without the CSRF token.
    data = models.JSONField(_("what was typed"), default=dict)
    #: Kept from a form submitted after the user was signed out (rather than while typing).
    submitted_after_sign_out = models.BooleanField(_("submitted after signing out"), default=False)
    updated_at = models.DateTimeField(_("kept at"), auto_now=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="one_draft_per_user_and_form")
        ]

    def __str__(self):
        return self.key


# --- Training, dedicated roles and unit costs (DESIGN.md section 7, "Time and cost") -------------


class TrainingCourse(Bilingual):
    """A course staff attend (ECM practitioner, ECM manager, TRM awareness, refresher …), an
    editable list. `ecm` courses count as ECM training in the evaluation's measures."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    ecm = models.BooleanField(
        _("counts as ECM training"),
        default=True,
        help_text=_(
            "Attending it counts as being trained in ECM for the evaluation's training measures"
        ),
    )
    active = models.BooleanField(_("offered"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")


class TrainingAttendance(models.Model):
    """A member of staff attending a course on a day."""

    user = models.ForeignKey(
        User,
        verbose_name=_("member of staff"),
        on_delete=models.PROTECT,
        related_name="training_attended",
    )
    course = models.ForeignKey(
        TrainingCourse, verbose_name=_("course"), on_delete=models.PROTECT, related_name="+"
    )
    attended_on = models.DateField(_("date attended"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-attended_on", "id"]
        verbose_name = _("training attendance")
        verbose_name_plural = _("training attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course", "attended_on"], name="training_attendance_once_a_day"
            )
        ]
        indexes = [models.Index(fields=["user", "attended_on"])]

    def __str__(self):
        return f"{self.user} – {self.course} – {self.attended_on:%Y-%m-%d}"

    def clean(self):
        if self.attended_on and self.attended_on > timezone.localdate():
            raise ValidationError({"attended_on": _("The date attended cannot be in the future.")})


class DedicatedRoleKind(models.TextChoices):
    LEAD = "lead", _("ECM lead")
    CHAMPION = "champion", _("ECM champion")


class DedicatedRole(models.Model):
    """A dedicated ECM role a member of staff holds in a team, from a date (to a date)."""

    user = models.ForeignKey(
        User,
        verbose_name=_("member of staff"),
        on_delete=models.PROTECT,
        related_name="dedicated_roles",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("role"), max_length=20, choices=DedicatedRoleKind.choices)
    held_from = models.DateField(_("held from"))
    held_to = models.DateField(
        _("held until"), null=True, blank=True, help_text=_("Leave empty while the role is held")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["team__name", "kind", "-held_from"]
        verbose_name = _("dedicated ECM role")
        verbose_name_plural = _("dedicated ECM roles")

    def __str__(self):
        return f"{self.user} – {self.get_kind_display()} – {self.team}"

    def clean(self):
        if self.held_from and self.held_to and self.held_to < self.held_from:
            raise ValidationError({"held_to": _("The end of the role cannot be before its start.")})


class CostRole(models.TextChoices):
    """Whose time is costed: the roles that take part in ECM work."""

    PRACTITIONER = "practitioner", _("Practitioner")
    MANAGER = "manager", _("Manager")
    PSYCHOLOGIST = "psychologist", _("Clinical psychologist")
    AGENCY = "agency", _("Partner agency representative")


class UnitCost(models.Model):
    """An hourly cost of a role, in force from a date until the next one for that role.

    Versioned: a cost is never changed once saved; a new cost is a new row with a later
    `valid_from`, so a report can say which costs it used."""

    role = models.CharField(_("role"), max_length=20, choices=CostRole.choices)
    hourly_cost = models.DecimalField(
        _("cost per hour (£)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    valid_from = models.DateField(_("in force from"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "-valid_from"]
        verbose_name = _("unit cost")
        verbose_name_plural = _("unit costs")
        constraints = [
            models.UniqueConstraint(fields=["role", "valid_from"], name="unit_cost_one_per_day"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} £{self.hourly_cost}/h from {self.valid_from:%Y-%m-%d}"
