"""The exchange format (DESIGN.md section 8), declared once: every file and every column.

The reader parses cells with these declarations, the exporter formats values with the same
ones, and the importer compares rows through them, so "what a cell means" lives here only.

Cell conventions:

* every cell is read with surrounding spaces removed; an empty cell is "no value";
* dates are ``YYYY-MM-DD``; ``starts_at`` is an ISO 8601 date and time (``2024-03-01T14:30``
  or with seconds and an offset); a time without an offset is Europe/London time, and the
  exporter writes London time with its offset (``2024-03-01T14:30:00+00:00``);
* booleans are ``yes`` or ``no``; lists are ``|``-separated (``team-a|team-b``);
* vocabulary values are the codes of DESIGN.md section 5, written in lower case;
* spreadsheet safety: a cell whose value starts with ``=``, ``+``, ``-``, ``@``, a tab, a
  carriage return or an apostrophe, or starts or ends with white space, is written with one
  apostrophe in front (``=HYPERLINK(…)`` is written ``'=HYPERLINK(…)``, ``'quoted`` is
  written ``''quoted``). The reader removes one leading apostrophe and takes the rest of the
  cell exactly as written; a cell without one has its surrounding spaces removed. So a
  spreadsheet never runs a cell as a formula, and reading an exported file gives back
  exactly what was written (`escape_cell` and `unescape_cell` hold the rule).
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from accounts.models import CostRole, DedicatedRoleKind, Role
from cases import rules
from cases.models import (
    ANONYMISED_TEXT,
    AppointmentKind,
    AppointmentOutcome,
    Attendance,
    ComplianceDecisionKind,
    ConsentDecision,
    ConsentParty,
    ConsentPurpose,
    EndReason,
    Gender,
    ManagerAgreement,
    OrderType,
)
from formulation.models import RATING_MAX, RATING_MIN, InterventionStatus, MeetingKind
from reports.models import TargetDirection

#: Naive date-times in a file are clock times in Wales.
LONDON = ZoneInfo("Europe/London")

#: The roles an exchange file may give (administrators are made by hand, never imported).
STAFF_ROLES = (Role.PRACTITIONER, Role.MANAGER, Role.PSYCHOLOGIST, Role.EVALUATOR)

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DATETIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?$"
)
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_STAFF_REF = re.compile(r"^[\w.@+-]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


#: The first characters that make a spreadsheet read a cell as a formula (or, for the
#: apostrophe, the escape itself), so a value starting with one is written escaped.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def escape_cell(text: str) -> str:
    """The cell to write for `text`: with an apostrophe in front when a spreadsheet could
    take it for a formula, when it starts with the apostrophe itself, or when it has
    surrounding white space (which the reader would otherwise remove)."""
    if text and (text.startswith((*FORMULA_STARTS, ESCAPE)) or text != text.strip()):
        return ESCAPE + text
    return text


def unescape_cell(cell: str) -> str:
    """The value a cell holds: after a leading apostrophe (spaces before it are ignored),
    the rest exactly; otherwise the cell without its surrounding spaces."""
    stripped = cell.lstrip()
    if stripped.startswith(ESCAPE):
        return stripped[len(ESCAPE) :]
    return cell.strip()


class CellError(Exception):
    """A cell that does not hold a value of its column's kind; the message says why."""


def quoted(text: str, limit: int = 60) -> str:
    """The value as typed, shortened for a message."""
    return '"' + (text if len(text) <= limit else text[: limit - 1] + "…") + '"'


def control_character(text: str) -> str | None:
    """The first control character in `text` (tabs and line breaks are allowed), if any."""
    found = _CONTROL.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


# --- Kinds of cell ------------------------------------------------------------------------------


class Kind:
    """How one kind of cell is read (``parse``, from a stripped non-empty string) and written."""

    def parse(self, text: str):
        return text

    def format(self, value) -> str:
        return "" if value is None else str(value)


@dataclass(frozen=True)
class Text(Kind):
    max_length: int | None = None

    def parse(self, text):
        if self.max_length is not None and len(text) > self.max_length:
            raise CellError(
                _("is %(length)d characters long; the limit is %(limit)d")
                % {"length": len(text), "limit": self.max_length}
            )
        return text


@dataclass(frozen=True)
class Key(Text):
    """A reference such as a young person's: any text but ``|``, which separates lists."""

    def parse(self, text):
        text = super().parse(text)
        if "|" in text:
            raise CellError(
                _('cannot contain "|", which separates the items of a list (got %(value)s)')
                % {"value": quoted(text)}
            )
        return text


@dataclass(frozen=True)
class Slug(Text):
    """A code such as a team code: letters, digits, hyphens and underscores."""

    def parse(self, text):
        text = super().parse(text)
        if not _SLUG.match(text):
            raise CellError(
                _("use only letters, digits, hyphens and underscores (got %(value)s)")
                % {"value": quoted(text)}
            )
        return text


@dataclass(frozen=True)
class StaffRef(Text):
    """A staff reference; the user name of a new member of staff is this in lower case."""

    def parse(self, text):
        text = super().parse(text)
        if not _STAFF_REF.match(text):
            raise CellError(
                _("use only letters, digits and the characters @ . + - _ (got %(value)s)")
                % {"value": quoted(text)}
            )
        return text


@dataclass(frozen=True)
class Email(Text):
    def parse(self, text):
        text = super().parse(text)
        try:
            validate_email(text)
        except ValidationError:
            raise CellError(
                _("not an email address (got %(value)s)") % {"value": quoted(text)}
            ) from None
        return text


@dataclass(frozen=True)
class Code(Kind):
    """One value of a fixed vocabulary; `values` are the allowed codes."""

    values: tuple[str, ...] = ()

    def parse(self, text):
        code = text.lower()
        if code not in self.values:
            raise CellError(not_allowed(text, self.values))
        return code


def not_allowed(text: str, values) -> str:
    return _("%(value)s is not an allowed value; use one of: %(values)s") % {
        "value": quoted(text),
        "values": ", ".join(str(value) for value in values),
    }


@dataclass(frozen=True)
class Vocabulary(Kind):
    """A code from editable reference data (need codes, reasons for refusing or
    withdrawing); checked against the database."""

    name: str = ""

    def parse(self, text):
        return text.lower()


class DateKind(Kind):
    def parse(self, text):
        if not _DATE.match(text):
            raise CellError(
                _("not a date in YYYY-MM-DD form (got %(value)s)") % {"value": quoted(text)}
            )
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CellError(
                _("not a real date (got %(value)s)") % {"value": quoted(text)}
            ) from None

    def format(self, value):
        return "" if value is None else value.isoformat()


class DateTimeKind(Kind):
    def parse(self, text):
        if not _DATETIME.match(text):
            raise CellError(
                _("not a date and time in ISO 8601 form such as 2024-03-01T14:30 (got %(value)s)")
                % {"value": quoted(text)}
            )
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise CellError(
                _("not a real date and time (got %(value)s)") % {"value": quoted(text)}
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=LONDON)
        return moment

    def format(self, value):
        return "" if value is None else value.astimezone(LONDON).isoformat()


@dataclass(frozen=True)
class Integer(Kind):
    minimum: int | None = None
    maximum: int | None = None

    def parse(self, text):
        if not re.fullmatch(r"[+-]?[0-9]{1,9}", text):
            raise CellError(self._message(text))
        number = int(text)
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            raise CellError(self._message(text))
        return number

    def _message(self, text):
        if self.minimum is not None and self.maximum is not None:
            return _("must be a whole number from %(minimum)d to %(maximum)d (got %(value)s)") % {
                "minimum": self.minimum,
                "maximum": self.maximum,
                "value": quoted(text),
            }
        return _("must be a whole number (got %(value)s)") % {"value": quoted(text)}


@dataclass(frozen=True)
class DecimalKind(Kind):
    """A number with at most `places` decimal places (``12.5``), not below 0."""

    places: int = 2
    digits: int = 8

    def parse(self, text):
        message = _(
            "must be a number of at least 0 with at most %(places)d decimal places, such as "
            "12.5 (got %(value)s)"
        ) % {"places": self.places, "value": quoted(text)}
        if not re.fullmatch(r"[0-9]{1,12}(\.[0-9]+)?", text):
            raise CellError(message)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(message) from None
        if number != number.quantize(Decimal(1).scaleb(-self.places)):
            raise CellError(message)
        if number >= Decimal(10) ** (self.digits - self.places):
            raise CellError(message)
        return number.quantize(Decimal(1).scaleb(-self.places))

    def format(self, value):
        if value is None:
            return ""
        text = format(Decimal(value).quantize(Decimal(1).scaleb(-self.places)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text


class Boolean(Kind):
    def parse(self, text):
        answer = text.lower()
        if answer not in ("yes", "no"):
            raise CellError(_("must be yes or no (got %(value)s)") % {"value": quoted(text)})
        return answer == "yes"

    def format(self, value):
        return "" if value is None else ("yes" if value else "no")


@dataclass(frozen=True)
class Reference(Kind):
    """The key of a row in another file (or already in the database): `target` names it."""

    target: str = ""
    item: Kind = field(default_factory=Text)

    def parse(self, text):
        return self.item.parse(text)


@dataclass(frozen=True)
class ReferenceList(Kind):
    """Keys of rows in another file, ``|``-separated; repeats are dropped, order kept."""

    target: str = ""
    item: Kind = field(default_factory=Text)

    def parse(self, text):
        values = []
        for part in text.split("|"):
            part = part.strip()
            if part:
                value = self.item.parse(part)
                if value not in values:
                    values.append(value)
        return tuple(values)

    def format(self, value):
        return "|".join(value or ())


# --- Files --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    #: The value an empty cell stands for (None: no value).
    default: object = None
    #: A file written before the column was added may leave it out of its header.
    may_be_absent: bool = False


@dataclass(frozen=True)
class FileSpec:
    name: str
    columns: tuple[Column, ...]
    #: Columns whose values identify a row; empty: the row's natural key is the whole row
    #: (an identical row already present is left alone, a new one is added).
    key: tuple[str, ...] = ()
    required: bool = False

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


TEAM = "teams.csv"
AGENCY = "agencies.csv"
STAFF = "staff.csv"
YOUNG_PERSON = "young_people.csv"
NEED = "needs.csv"
OFFENCE = "offences.csv"
ORDER = "orders.csv"
BREACH = "breaches.csv"
CUSTODY = "custody.csv"
CONSENT = "consents.csv"
TRM = "trm_assessments.csv"
APPOINTMENT = "appointments.csv"
COMPLIANCE = "compliance_decisions.csv"
MEETING = "formulation_meetings.csv"
ATTENDANCE = "meeting_attendance.csv"
DISTANCE = "distance_ratings.csv"
INTERVENTION = "interventions.csv"
SESSION = "supervision_sessions.csv"
SUPERVISION_NOTE = "supervision_notes.csv"
OVERSIGHT = "oversight.csv"
OVERSIGHT_ACTION = "oversight_actions.csv"
TARGET = "targets.csv"
COURSE = "training_courses.csv"
TRAINING = "training_attendance.csv"
DEDICATED_ROLE = "dedicated_roles.csv"
UNIT_COST = "unit_costs.csv"

_ref_team = Reference(target=TEAM, item=Slug(32))
_ref_agency = Reference(target=AGENCY, item=Slug(32))
_ref_staff = Reference(target=STAFF, item=StaffRef(64))
_ref_young_person = Reference(target=YOUNG_PERSON, item=Key(64))
_ref_meeting = Reference(target=MEETING, item=Key(64))
_ref_session = Reference(target=SESSION, item=Key(64))
_ref_oversight = Reference(target=OVERSIGHT, item=Key(64))


def _young_person_column():
    return Column("young_person_ref", _ref_young_person, required=True)


FILES: tuple[FileSpec, ...] = (
    FileSpec(
        TEAM,
        (Column("team_code", Slug(32), required=True), Column("name", Text(200), required=True)),
        key=("team_code",),
        required=True,
    ),
    FileSpec(
        AGENCY,
        (
            Column("agency_code", Slug(32), required=True),
            Column("name", Text(200), required=True),
        ),
        key=("agency_code",),
    ),
    FileSpec(
        STAFF,
        (
            Column("staff_ref", StaffRef(64), required=True),
            Column("name", Text(150), required=True),
            Column("email", Email(254)),
            Column("role", Code(tuple(STAFF_ROLES))),
            Column("team_codes", ReferenceList(target=TEAM, item=Slug(32))),
        ),
        # One row per member of staff and role: a person can be a practitioner in one team
        # and a manager in another.
        key=("staff_ref", "role"),
    ),
    FileSpec(
        YOUNG_PERSON,
        (
            Column("ref", Key(64), required=True),
            Column("team_code", _ref_team, required=True),
            # Required unless the row is anonymised (reader.check_young_people).
            Column("given_name", Text(100)),
            Column("family_name", Text(100)),
            Column("date_of_birth", DateKind(), required=True),
            Column("gender", Code(tuple(Gender.values)), required=True),
            Column("ethnicity", Text(100)),
            Column("referral_date", DateKind(), required=True),
            Column("practitioner_ref", _ref_staff),
            Column("parent_consent_required", Boolean()),
            Column("started_on", DateKind()),
            Column("ended_on", DateKind()),
            Column("end_reason", Code(tuple(EndReason.values))),
            Column("withdrawal_reason", Vocabulary(name="reason")),
            # Anonymised under the retention schedule (issue 17): the day, and the age in
            # completed years at ECM start. Such a row has no names, no ethnicity and no free
            # text; its ref is ANON-<id> and its date_of_birth a stand-in giving the same ages.
            Column("anonymised_on", DateKind(), may_be_absent=True),
            Column("age_at_ecm_start", Integer(0, 30), may_be_absent=True),
        ),
        key=("ref",),
        required=True,
    ),
    FileSpec(
        NEED,
        (
            _young_person_column(),
            Column("need", Vocabulary(name="need"), required=True),
            Column("recorded_on", DateKind(), required=True),
            Column("evidence", Text()),
        ),
    ),
    FileSpec(
        OFFENCE,
        (
            _young_person_column(),
            Column("offence_date", DateKind(), required=True),
            Column("description", Text(500), required=True),
            Column("gravity", Integer(rules.GRAVITY_MIN, rules.GRAVITY_MAX), required=True),
            Column("proven_on", DateKind()),
        ),
    ),
    FileSpec(
        ORDER,
        (
            _young_person_column(),
            Column("order_type", Code(tuple(OrderType.values)), required=True),
            Column("start_date", DateKind(), required=True),
            Column("end_date", DateKind()),
        ),
    ),
    FileSpec(
        BREACH,
        (
            _young_person_column(),
            Column("breach_date", DateKind(), required=True),
            Column("note", Text()),
        ),
    ),
    FileSpec(
        CUSTODY,
        (
            _young_person_column(),
            Column("start_date", DateKind(), required=True),
            Column("end_date", DateKind()),
        ),
    ),
    FileSpec(
        CONSENT,
        (
            _young_person_column(),
            Column("party", Code(tuple(ConsentParty.values)), required=True),
            Column("purpose", Code(tuple(ConsentPurpose.values)), required=True),
            Column("decision", Code(tuple(ConsentDecision.values)), required=True),
            Column("decided_on", DateKind(), required=True),
            Column("recorded_by_ref", _ref_staff),
            Column("note", Text()),
            Column("reason", Vocabulary(name="reason")),
            Column("own_words", Text()),
        ),
    ),
    FileSpec(
        TRM,
        (
            _young_person_column(),
            Column("assessed_on", DateKind(), required=True),
            Column("stage", Integer(), required=True),
            Column("rationale", Text(), required=True),
            Column("assessed_by_ref", _ref_staff),
        ),
    ),
    FileSpec(
        APPOINTMENT,
        (
            _young_person_column(),
            Column("starts_at", DateTimeKind(), required=True),
            Column("kind", Code(tuple(AppointmentKind.values)), required=True),
            Column("purpose_code", Vocabulary(name="appointment purpose"), required=True),
            Column("purpose", Text(500)),
            Column("duration_minutes", Integer()),
            Column("attendance", Code(tuple(Attendance.values))),
            Column("engagement", Integer(rules.ENGAGEMENT_MIN, rules.ENGAGEMENT_MAX)),
            Column("outcome_code", Code(tuple(AppointmentOutcome.values))),
            Column("outcome", Text()),
            Column("practitioner_ref", _ref_staff),
            # The plan item the appointment delivered: its position (1 = first) among the
            # young person's rows of interventions.csv, which lists the plan in order.
            Column("plan_item", Integer(1, 9999)),
        ),
    ),
    FileSpec(
        COMPLIANCE,
        (
            _young_person_column(),
            Column("appointment_starts_at", DateTimeKind(), required=True),
            Column("decision", Code(tuple(ComplianceDecisionKind.values)), required=True),
            Column("reason", Text(), required=True),
            Column("decided_on", DateKind(), required=True),
            Column("decided_by_ref", _ref_staff),
            Column("needs_agreement", Boolean(), default=False),
            Column("agreement", Code(tuple(ManagerAgreement.values))),
            Column("agreement_reason", Text()),
            Column("agreed_by_ref", _ref_staff),
        ),
        # One live decision per missed appointment: the young person's appointment at that time.
        key=("young_person_ref", "appointment_starts_at"),
    ),
    FileSpec(
        MEETING,
        (
            Column("meeting_ref", Key(64), required=True),
            _young_person_column(),
            Column("held_on", DateKind(), required=True),
            Column("kind", Code(tuple(MeetingKind.values)), required=True),
            Column("chair_ref", _ref_staff, required=True),
            Column("duration_minutes", Integer()),
            # The TRM stage the meeting's formulation agreed (empty: no formulation given).
            Column("trm_stage", Integer()),
        ),
        key=("meeting_ref",),
    ),
    FileSpec(
        DISTANCE,
        (
            Column("meeting_ref", _ref_meeting, required=True),
            Column("domain", Vocabulary(name="distance domain"), required=True),
            Column("self_rating", Integer(RATING_MIN, RATING_MAX), required=True),
            Column("practitioner_rating", Integer(RATING_MIN, RATING_MAX), required=True),
            Column("recorded_by_ref", _ref_staff),
        ),
        # One rating of each domain at a meeting's formulation (the database allows no more).
        key=("meeting_ref", "domain"),
    ),
    FileSpec(
        ATTENDANCE,
        (
            Column("meeting_ref", _ref_meeting, required=True),
            Column("agency_code", _ref_agency, required=True),
            Column("attended", Boolean()),
            Column("attendee_name", Text(200)),
        ),
        # One row per agency invited to a meeting (the database allows no more).
        key=("meeting_ref", "agency_code"),
    ),
    FileSpec(
        INTERVENTION,
        (
            _young_person_column(),
            Column("title", Text(300), required=True),
            Column("trm_stage", Integer(), required=True),
            Column("agency_code", _ref_agency),
            Column("planned_start", DateKind()),
            Column(
                "status",
                Code(tuple(InterventionStatus.values)),
                default=InterventionStatus.PLANNED.value,
            ),
        ),
    ),
    FileSpec(
        SESSION,
        (
            Column("session_ref", Key(64), required=True),
            Column("held_on", DateKind(), required=True),
            Column("psychologist_ref", _ref_staff, required=True),
            Column("practitioner_ref", _ref_staff, required=True),
            Column(
                "young_person_refs", ReferenceList(target=YOUNG_PERSON, item=Key(64)), default=()
            ),
        ),
        key=("session_ref",),
    ),
    FileSpec(
        SUPERVISION_NOTE,
        (
            Column("session_ref", _ref_session, required=True),
            _young_person_column(),
            Column("note", Text(), required=True),
        ),
        # One note per case discussed in a session (the database allows no more).
        key=("session_ref", "young_person_ref"),
    ),
    FileSpec(
        OVERSIGHT,
        (
            Column("oversight_ref", Key(64), required=True),
            _young_person_column(),
            Column("reviewed_on", DateKind(), required=True),
            Column("manager_ref", _ref_staff, required=True),
            Column("reviewed", Text(), required=True),
            Column("decision", Text(), required=True),
            Column("responds_to_session_ref", _ref_session),
        ),
        key=("oversight_ref",),
    ),
    FileSpec(
        OVERSIGHT_ACTION,
        (
            Column("oversight_ref", _ref_oversight, required=True),
            Column("description", Text(500), required=True),
            Column("assignee_ref", _ref_staff),
            Column("agency_code", _ref_agency),
            Column("owner", Text(200)),
            Column("due_on", DateKind()),
            Column("done_on", DateKind()),
        ),
        # No key: a row identical to an action of that entry is left alone, another is added.
    ),
    FileSpec(
        TARGET,
        (
            Column("measure_id", Text(64), required=True),
            # Empty: a national target, for every team.
            Column("team_code", _ref_team),
            Column("period_start", DateKind()),
            Column("period_end", DateKind()),
            Column("direction", Code(tuple(TargetDirection.values)), required=True),
            Column("value", DecimalKind(places=3, digits=12), required=True),
        ),
        # No key: a row identical to a target in force is left alone, another is a new target
        # (which may not overlap one of the same measure and team).
    ),
    FileSpec(
        COURSE,
        (
            Column("course_code", Slug(32), required=True),
            Column("name", Text(200), required=True),
            Column("name_cy", Text(200)),
            Column("ecm", Boolean(), default=True),
        ),
        key=("course_code",),
    ),
    FileSpec(
        TRAINING,
        (
            Column("staff_ref", _ref_staff, required=True),
            Column("course_code", Reference(target=COURSE, item=Slug(32)), required=True),
            Column("attended_on", DateKind(), required=True),
        ),
        # One attendance of a course a day (the database allows no more).
        key=("staff_ref", "course_code", "attended_on"),
    ),
    FileSpec(
        DEDICATED_ROLE,
        (
            Column("staff_ref", _ref_staff, required=True),
            Column("role", Code(tuple(DedicatedRoleKind.values)), required=True),
            Column("team_code", _ref_team, required=True),
            Column("held_from", DateKind(), required=True),
            Column("held_until", DateKind()),
        ),
        # A role is found again by who holds it, which role, where and from when.
        key=("staff_ref", "role", "team_code", "held_from"),
    ),
    FileSpec(
        UNIT_COST,
        (
            Column("role", Code(tuple(CostRole.values)), required=True),
            Column("hourly_cost", DecimalKind(places=2, digits=8), required=True),
            Column("valid_from", DateKind(), required=True),
        ),
        # One cost of a role from a day; a saved cost is never changed.
        key=("role", "valid_from"),
    ),
)

BY_NAME: dict[str, FileSpec] = {spec.name: spec for spec in FILES}
FILE_ORDER: dict[str, int] = {spec.name: index for index, spec in enumerate(FILES)}


def parse_cell(column: Column, text: str):
    """The value of one cell (raises CellError); an empty cell gives the column's default."""
    text = unescape_cell(text)
    if not text:
        return column.default
    return column.kind.parse(text)


def format_cell(column: Column, value) -> str:
    """The cell written for a value: the column's format, escaped for spreadsheets. What the
    anonymiser left of a typed value (issue 17) is written as an empty cell, except where the
    format requires a value (an offence's description): there the marker says it was removed."""
    if value == ANONYMISED_TEXT and not column.required:
        value = None
    return escape_cell(column.kind.format(value))


def normalise(spec: FileSpec, values) -> tuple:
    """A row of database values as the reader would see it after an export (for comparing)."""
    normalised = []
    for column, value in zip(spec.columns, values, strict=True):
        written = format_cell(column, value)
        try:
            normalised.append(parse_cell(column, written))
        except CellError:
            normalised.append(("unreadable", written))
    return tuple(normalised)


def meeting_key(meeting_ref: str | None, pk: int) -> str:
    """The exchange key of a formulation meeting (one made on screen has no reference)."""
    return meeting_ref or f"ecm-meeting-{pk}"


def session_key(session_ref: str | None, pk: int) -> str:
    """The exchange key of a supervision session (one made on screen has no reference)."""
    return session_ref or f"ecm-session-{pk}"


def oversight_key(oversight_ref: str | None, pk: int) -> str:
    """The exchange key of a manager's oversight entry (one made on screen has no reference)."""
    return oversight_ref or f"ecm-oversight-{pk}"


def staff_key(staff_ref: str | None, username: str) -> str:
    """The exchange key of a member of staff: their staff reference, else their user name."""
    return staff_ref or username
