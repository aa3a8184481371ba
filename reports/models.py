"""Report runs and their output files (DESIGN.md section 5, "ReportRun").

A run is requested through `reports.services.requests.report_request`, carried out by the
Celery task `reports.tasks.run_report_task` (in-process when no broker is configured) and
watched by the requester on its page, which polls the row. The row is the single source of truth for
progress and outcome; a worker proves it owns the run with `claim_token`, so a run is never
carried out twice even when its message is delivered twice.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import ConsentDecision, Versioned


class ReportKind(models.TextChoices):
    EVALUATION = "evaluation", _("Evaluation report")
    EVALUATION_DATASET = "evaluation_dataset", _("Case-level evaluation dataset")
    SUBJECT_ACCESS = "subject_access", _("Subject access bundle")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Ready")
    FAILED = "failed", _("Failed")


class FileKind(models.TextChoices):
    JSON = "json", _("JSON")
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (XLSX)")
    PDF = "pdf", _("PDF")
    HTML = "html", _("Web page (HTML)")
    DATASET_CSV = "dataset_csv", _("Dataset (CSV)")
    DATASET_XLSX = "dataset_xlsx", _("Dataset (Excel XLSX)")
    DICTIONARY = "dictionary", _("Data dictionary (CSV)")
    MANIFEST = "manifest", _("Manifest (JSON)")
    ZIP = "zip", _("Bundle (ZIP)")


def _parameter_date(parameters, name):
    try:
        return date.fromisoformat(parameters[name])
    except (KeyError, TypeError, ValueError):
        return None


class ReportRun(models.Model):
    kind = models.CharField(_("kind"), max_length=32, choices=ReportKind.choices)
    #: What was asked for, as shown in the JSON output: date_from, date_to, teams ("all" or
    #: team codes), follow_up_months, as_of, fidelity_window_days, suppression,
    #: suppression_threshold (dates as YYYY-MM-DD).
    parameters = models.JSONField(_("parameters"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_runs",
        help_text=_("Empty for runs started from the command line"),
    )
    #: The teams the requester could report on when asking (null: every team). The run never
    #: reports on a team outside this list.
    scope_team_ids = models.JSONField(_("teams the requester may see"), null=True, blank=True)
    #: The teams reported on (null: every team), always within `scope_team_ids`.
    team_ids = models.JSONField(_("teams reported on"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en-gb")
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_text = models.CharField(_("progress"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    queued_at = models.DateTimeField(_("last queued"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    #: Set by the worker that claimed the run; every later write checks it.
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    error_message = models.TextField(_("reason it failed"), blank=True)
    expires_at = models.DateTimeField(_("files kept until"), null=True, blank=True)
    files_deleted_at = models.DateTimeField(_("files deleted"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        indexes = [
            models.Index(fields=["requested_by", "-created_at"]),
            models.Index(fields=["status", "heartbeat_at"]),
            models.Index(fields=["expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_run_progress_at_most_100"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def period_start(self):
        return _parameter_date(self.parameters, "date_from")

    @property
    def period_end(self):
        return _parameter_date(self.parameters, "date_to")

    @property
    def is_active(self) -> bool:
        """Queued or running: its page keeps refreshing."""
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)


class ReportFile(models.Model):
    """One output of a succeeded run. Served only through the permission-checked download
    view, under its own `name`, never by a path a user typed."""

    run = models.ForeignKey(
        ReportRun, verbose_name=_("report run"), on_delete=models.CASCADE, related_name="files"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FileKind.choices)
    file = models.FileField(_("file"), max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("data rows"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["run", "id"]
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        constraints = [
            models.UniqueConstraint(fields=["run", "kind"], name="report_file_one_per_kind"),
        ]

    def __str__(self):
        return self.name


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Checking the file")
    SUCCEEDED = "succeeded", _("Done")
    PROBLEMS = "problems", _("Problems found")
    FAILED = "failed", _("Failed")


class ExchangeImport(models.Model):
    """An uploaded exchange .zip (DESIGN.md section 8), checked and, if asked, imported by the
    Celery task `reports.tasks.run_exchange_import_task` (`reports.exchange.jobs`).

    The upload is kept only until the task has finished with it; what the administrator sees
    afterwards (the counts, notes and problems, in the language they asked in) is on the row.
    """

    file_name = models.CharField(_("file name"), max_length=255)
    #: The uploaded .zip in the file storage; emptied once the task has finished with it.
    upload = models.FileField(_("uploaded file"), max_length=300, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    dry_run = models.BooleanField(_("check only"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="exchange_imports",
    )
    language = models.CharField(_("language"), max_length=10, default="en-gb")
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    progress_text = models.CharField(_("progress"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    queued_at = models.DateTimeField(_("last queued"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    #: What was (or would be) done: {"files": [[name, rows, created, updated, unchanged]],
    #: "notes": [...]}, as the page shows it.
    summary = models.JSONField(_("summary"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("rows created"), default=0)
    updated = models.PositiveIntegerField(_("rows updated"), default=0)
    #: The first problems found (the command line lists them all), and how many there were.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    problem_count = models.PositiveIntegerField(_("number of problems"), default=0)
    error_message = models.TextField(_("reason it failed"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("exchange import")
        verbose_name_plural = _("exchange imports")
        indexes = [models.Index(fields=["status", "queued_at"])]

    def __str__(self):
        return f"{self.file_name} #{self.pk}"

    @property
    def is_active(self) -> bool:
        """Queued or running: its page keeps refreshing."""
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)

    @property
    def problems_hidden(self) -> int:
        return max(0, self.problem_count - len(self.problems))


class PersonFacts(models.Model):
    """One young person's evaluation facts for a report run (reports.facts).

    Not a stored table: `reports.facts.person_facts` makes it as a temporary table on the
    run's database connection and drops it when the run is done. Flags are 1 or 0; counts
    are 0 when there is nothing to count; consent columns hold the decision.
    """

    id = models.BigIntegerField(primary_key=True)
    team_code = models.CharField(max_length=32)
    gender = models.CharField(max_length=20)
    referral_date = models.DateField()
    ecm_start_date = models.DateField(null=True)
    end_reason = models.CharField(max_length=20)
    parent_consent_required = models.BooleanField()
    in_cohort = models.IntegerField()
    in_followup = models.IntegerField()
    # Whether ECM ended on or before the as-of date.
    ended = models.IntegerField()
    age_at_start = models.IntegerField(null=True)
    # Whether the allocated practitioner attended an ECM course on or before the start.
    practitioner_trained = models.IntegerField()
    # Eligibility: the latest decision's result, and the latest on or before the start.
    eligible_latest = models.IntegerField(null=True)
    eligible_on_start = models.IntegerField(null=True)
    # Consent: the young person's and the parent or carer's latest decisions.
    participation = models.CharField(max_length=20, null=True)
    participation_on_start = models.CharField(max_length=20, null=True)
    parent_participation_on_start = models.CharField(max_length=20, null=True)
    evaluation = models.CharField(max_length=20, null=True)
    parent_evaluation = models.CharField(max_length=20, null=True)
    # Appointments from the start to the as-of date.
    appointments = models.IntegerField()
    attended = models.IntegerField()
    did_not_attend = models.IntegerField()
    attended_days_0_90 = models.IntegerField()
    did_not_attend_days_0_90 = models.IntegerField()
    attended_days_91_180 = models.IntegerField()
    did_not_attend_days_91_180 = models.IntegerField()
    # Attended appointments whose outcome says how far their purpose was achieved (achieved,
    # partly or not achieved), those achieved or partly achieved, and their minutes.
    attended_outcome_coded = models.IntegerField()
    attended_achieved = models.IntegerField()
    attended_minutes = models.IntegerField()
    first_rated_at = models.DateTimeField(null=True)
    last_rated_at = models.DateTimeField(null=True)
    engagement_first = models.IntegerField(null=True)
    engagement_last = models.IntegerField(null=True)
    # Offences, breaches and custody in the before and after windows.
    offences_12m_before_start = models.IntegerField()
    offences_before = models.IntegerField()
    offences_after = models.IntegerField()
    gravity_before = models.IntegerField()
    gravity_after = models.IntegerField()
    highest_gravity_before = models.IntegerField(null=True)
    highest_gravity_after = models.IntegerField(null=True)
    breaches_before = models.IntegerField()
    breaches_after = models.IntegerField()
    custody_after = models.IntegerField()
    # Compliance decisions on appointments missed from the start, decided by the as-of date.
    compliance_decisions = models.IntegerField()
    compliance_without_breach = models.IntegerField()
    compliance_days_total = models.IntegerField()
    # The rest of the model.
    needs = models.IntegerField()
    formulation_meetings = models.IntegerField()
    initial_formulation_in_window = models.IntegerField()
    first_formulation_on = models.DateField(null=True)
    # Time from the start to the as-of date: minutes of formulation meetings held, those
    # minutes times the partner agencies that attended, and the case's share of the minutes
    # of the supervision sessions that discussed it.
    meeting_minutes = models.IntegerField()
    meeting_agency_minutes = models.IntegerField()
    supervision_minutes = models.FloatField()
    trm_assessments = models.IntegerField()
    trm_first_stage = models.IntegerField(null=True)
    trm_latest_stage = models.IntegerField(null=True)
    planned_interventions = models.IntegerField()
    # Plan items with a responsible (partner) agency, and those of them done.
    partner_plan_items = models.IntegerField()
    partner_plan_items_done = models.IntegerField()
    # Partner agencies' contacts dated during ECM (the start to the end, or to the as-of
    # date), and the agencies with a contact in the follow-up months after ECM ended.
    partner_contacts = models.IntegerField()
    partner_agencies_after_end = models.IntegerField()
    supervision_sessions = models.IntegerField()
    supervision_notes = models.IntegerField()
    oversight_entries = models.IntegerField()
    oversight_in_last_3_months = models.IntegerField()

    class Meta:
        managed = False
        db_table = "reports_person_facts"


class AppointmentFacts(models.Model):
    """One young person's appointment facts from their ECM start on, with no as-of date:
    the appointments pass of `reports.facts` over every live appointment dated on or after
    the start, kept true on every write by `cases.summary` (as the case summaries are).

    A report reads these instead of the appointments for a young person whose latest
    counted appointment (`latest_day`, in days from the start) falls on or before its as-of
    date, where the two are the same; for one with appointments after it (a next one
    booked), these less those, unless one of those is rated; for anyone else it reads the
    appointments (`reports.facts._split_appointments`).
    """

    young_person = models.OneToOneField(
        "cases.YoungPerson",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="appointment_facts",
    )
    appointments = models.IntegerField(default=0)
    attended = models.IntegerField(default=0)
    did_not_attend = models.IntegerField(default=0)
    attended_days_0_90 = models.IntegerField(default=0)
    did_not_attend_days_0_90 = models.IntegerField(default=0)
    attended_days_91_180 = models.IntegerField(default=0)
    did_not_attend_days_91_180 = models.IntegerField(default=0)
    attended_outcome_coded = models.IntegerField(default=0)
    attended_achieved = models.IntegerField(default=0)
    attended_minutes = models.IntegerField(default=0)
    first_rated_at = models.DateTimeField(null=True)
    last_rated_at = models.DateTimeField(null=True)
    engagement_first = models.IntegerField(null=True)
    engagement_last = models.IntegerField(null=True)
    #: Days from the start to the latest appointment counted (None: none counted).
    latest_day = models.IntegerField(null=True)

    class Meta:
        verbose_name = _("appointment facts")
        verbose_name_plural = _("appointment facts")

    def __str__(self):
        return f"appointment facts of {self.young_person_id}"


class AppointmentPurposeFacts(models.Model):
    """One young person's appointments from their ECM start on, with no as-of date, counted
    by purpose: the appointments the measure "Appointments by purpose" and the dataset's
    purpose columns count, kept true on every write by `cases.summary` (a row for each
    purpose they have appointments for). A report reads these where it reads the young
    person's `AppointmentFacts` (less the appointments after its as-of date where it takes
    those away), and the appointments for anyone else."""

    young_person = models.ForeignKey(
        "cases.YoungPerson", on_delete=models.CASCADE, related_name="appointment_purpose_facts"
    )
    purpose = models.ForeignKey("cases.AppointmentPurpose", on_delete=models.CASCADE)
    appointments = models.IntegerField()

    class Meta:
        verbose_name = _("appointment facts by purpose")
        verbose_name_plural = _("appointment facts by purpose")
        constraints = [
            models.UniqueConstraint(
                fields=["young_person", "purpose"], name="one_purpose_count_per_young_person"
            )
        ]

    def __str__(self):
        return f"appointments of {self.young_person_id} for purpose {self.purpose_id}"


class MeetingNumberFacts(models.Model):
    """Each formulation meeting held for a young person, numbered in the order they were
    held (by date, then as recorded), with how many agencies attended it: what the measure
    "Mean agencies attending, by meeting number" averages, kept true on every write by
    `cases.summary` (a row per meeting held). No run parameter changes them, so a report
    reads them for every young person rather than the meetings and their attendance."""

    young_person = models.ForeignKey(
        "cases.YoungPerson", on_delete=models.CASCADE, related_name="meeting_number_facts"
    )
    number = models.PositiveIntegerField()
    agencies_attended = models.IntegerField()

    class Meta:
        verbose_name = _("formulation meeting facts by number")
        verbose_name_plural = _("formulation meeting facts by number")
        constraints = [
            models.UniqueConstraint(
                fields=["young_person", "number"], name="one_row_per_meeting_number"
            )
        ]

    def __str__(self):
        return f"meeting {self.number} of {self.young_person_id}"


class AgencyAttendanceFacts(models.Model):
    """A young person's formulation meetings held, counted for each agency invited: how
    many it was invited to and how many it attended: what the measure "Formulation
    attendance by agency" adds up, kept true on every write by `cases.summary` (a row per
    agency invited). No run parameter changes them, so a report reads them for every young
    person rather than the attendance."""

    young_person = models.ForeignKey(
        "cases.YoungPerson", on_delete=models.CASCADE, related_name="agency_attendance_facts"
    )
    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    invited = models.IntegerField()
    attended = models.IntegerField()

    class Meta:
        verbose_name = _("formulation attendance facts by agency")
        verbose_name_plural = _("formulation attendance facts by agency")
        constraints = [
            models.UniqueConstraint(
                fields=["young_person", "agency"], name="one_row_per_agency_invited"
            )
        ]

    def __str__(self):
        return f"attendance of agency {self.agency_id} for {self.young_person_id}"


class MeetingFacts(models.Model):
    """One young person's formulation meeting facts with no as-of date: the meetings pass
    of `reports.facts` over every meeting held, its minutes costed from the ECM start on,
    with the window for the first formulation that a report asks by default
    (`window_days`), kept true on every write by `cases.summary`.

    A report with that window reads these for a young person whose latest costed meeting
    (`latest_costed_on`) was held on or before its as-of date, where the two are the same;
    for anyone else it reads their meetings.
    """

    young_person = models.OneToOneField(
        "cases.YoungPerson",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="meeting_facts",
    )
    formulation_meetings = models.IntegerField(default=0)
    initial_formulation_in_window = models.IntegerField(default=0)
    meeting_minutes = models.IntegerField(default=0)
    meeting_agency_minutes = models.IntegerField(default=0)
    first_formulation_on = models.DateField(null=True)
    #: The window (days from the start) the initial formulation was looked for in.
    window_days = models.IntegerField()
    #: The day of the latest meeting held on or after the start (None: none).
    latest_costed_on = models.DateField(null=True)

    class Meta:
        verbose_name = _("meeting facts")
        verbose_name_plural = _("meeting facts")

    def __str__(self):
        return f"meeting facts of {self.young_person_id}"


class StandingFacts(models.Model):
    """One young person's evaluation facts that no run parameter changes, kept true on every
    write by `cases.summary` (as the case summaries are): the eligibility, consent, needs
    and plan passes of `reports.facts`, which a run reads from here; and the offences,
    breaches and custody passes, which only the follow-up months change, at the months a
    run reads them for.

    Their records' dates are not bounded by a run's as-of date; the facts "on the start
    date" and in the windows around it follow the young person's ECM start, which saving
    them refreshes.
    """

    young_person = models.OneToOneField(
        "cases.YoungPerson",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="standing_facts",
    )
    eligible_latest = models.IntegerField(null=True)
    eligible_on_start = models.IntegerField(null=True)
    # The consent decisions (codes: an anonymisation keeps them).
    participation = models.CharField(max_length=20, null=True, choices=ConsentDecision.choices)
    participation_on_start = models.CharField(
        max_length=20, null=True, choices=ConsentDecision.choices
    )
    parent_participation_on_start = models.CharField(
        max_length=20, null=True, choices=ConsentDecision.choices
    )
    evaluation = models.CharField(max_length=20, null=True, choices=ConsentDecision.choices)
    parent_evaluation = models.CharField(max_length=20, null=True, choices=ConsentDecision.choices)
    needs = models.IntegerField(default=0)
    planned_interventions = models.IntegerField(default=0)
    partner_plan_items = models.IntegerField(default=0)
    partner_plan_items_done = models.IntegerField(default=0)
    # The offences, breaches and custody in the windows around the ECM start at the stored
    # follow-up months (`reports.facts.STORED_FOLLOW_UP_MONTHS`).
    offences_12m_before_start = models.IntegerField(default=0)
    offences_before = models.IntegerField(default=0)
    offences_after = models.IntegerField(default=0)
    gravity_before = models.IntegerField(default=0)
    gravity_after = models.IntegerField(default=0)
    highest_gravity_before = models.IntegerField(null=True)
    highest_gravity_after = models.IntegerField(null=True)
    breaches_before = models.IntegerField(default=0)
    breaches_after = models.IntegerField(default=0)
    custody_after = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("standing facts")
        verbose_name_plural = _("standing facts")

    def __str__(self):
        return f"standing facts of {self.young_person_id}"


class ComparisonFacts(models.Model):
    """One young person's place in the comparison report (`reports.comparison`) at its
    default follow-up months (`STORED_FOLLOW_UP_MONTHS`), kept true on every write by
    `cases.summary`: their index date (the ECM start; with none, the date of their latest
    eligibility decision if it found them eligible), the factors recorded by then and the
    outcomes in the windows around it.

    None of these depends on a run's as-of date (it only decides who has been followed up
    for long enough: those whose index date is on or before its cut-off), so a run with
    those months reads them here; a run with other months works them out.
    """

    young_person = models.OneToOneField(
        "cases.YoungPerson",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="comparison_facts",
    )
    index_on = models.DateField(null=True)
    needs = models.IntegerField(default=0)
    offences_12m = models.IntegerField(default=0)
    gravity_12m = models.IntegerField(default=0)
    offences_before = models.IntegerField(default=0)
    offences_after = models.IntegerField(default=0)
    gravity_before = models.IntegerField(default=0)
    gravity_after = models.IntegerField(default=0)
    breaches_before = models.IntegerField(default=0)
    breaches_after = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("comparison facts")
        verbose_name_plural = _("comparison facts")

    def __str__(self):
        return f"comparison facts of {self.young_person_id}"


class TargetDirection(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class MeasureTarget(Versioned):
    """A target for one measure, nationally or for one team, over an optional period
    (`reports.targets`). Set by administrators; every change is a new version with its history
    row, and a report run copies the targets in force into its own results, so changing a
    target later never changes a report already made.

    `value` is what the administrator typed: a percentage (0–100) for a rate, otherwise the
    measure's own number.
    """

    measure_id = models.CharField(_("measure"), max_length=64)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measure_targets",
        help_text=_("Leave empty for a national target, which applies to every team"),
    )
    period_start = models.DateField(
        _("from"), null=True, blank=True, help_text=_("Empty: no start date")
    )
    period_end = models.DateField(_("to"), null=True, blank=True, help_text=_("Empty: no end date"))
    direction = models.CharField(_("direction"), max_length=8, choices=TargetDirection.choices)
    value = models.DecimalField(
        _("target"),
        max_digits=12,
        decimal_places=3,
        help_text=_("For a rate, a percentage from 0 to 100"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["measure_id", "team__code", "period_start", "id"]
        verbose_name = _("measure target")
        verbose_name_plural = _("measure targets")
        indexes = [models.Index(fields=["measure_id", "team"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__isnull=True)
                | models.Q(period_start__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
                name="measure_target_end_after_start",
            ),
        ]

    def __str__(self):
        scope = self.team.code if self.team_id else _("national")
        return f"{self.measure_id} ({scope}, v{self.version})"
