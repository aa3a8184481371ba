"""Reading an exchange: decode, parse and validate every file, collecting every problem.

Nothing here writes. The result says, for every row, what its cells mean and whether it is
valid, and lists every problem as ``file:line: column: what is wrong``. Validation has three
layers, each reporting everything it finds:

1. the file: present when required, UTF-8, well-formed CSV, exactly the expected columns;
2. the cell: a value of the column's kind (date, code, whole number...) within its limits;
3. the row: the domain rules the services apply (a date of birth in the past, consent not
   before the referral, engagement only when attended...) and references to other files or
   to rows already in the database. A reference to a row that is itself invalid still
   counts as known, so one mistake is reported once.

The database is read once per kind of thing (see :class:`Snapshot`), never once per row.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import (
    TEAM_ROLES,
    Agency,
    Membership,
    Role,
    Team,
    TrainingCourse,
    UnitCost,
    User,
)
from cases import rules
from cases.models import (
    STATUTORY_ORDER_TYPES,
    Appointment,
    AppointmentPurpose,
    ComplianceDecision,
    DisengagementReason,
    NeedCategory,
    Order,
    TRMStage,
    YoungPerson,
)
from formulation import rules as formulation_rules
from formulation.models import DistanceDomain, FormulationMeeting
from reports import targets as measure_targets
from supervision.models import OversightEntry, SupervisionSession

from . import exporter, schema
from .problems import Problem
from .schema import (
    AGENCY,
    APPOINTMENT,
    ATTENDANCE,
    COMPLIANCE,
    DISTANCE,
    MEETING,
    OVERSIGHT,
    SESSION,
    STAFF,
    TEAM,
    YOUNG_PERSON,
    CellError,
    FileSpec,
    quoted,
)
from .source import Source

# --- Tables -------------------------------------------------------------------------------------


@dataclass
class Row:
    line: int
    #: Column name → parsed value (None for an empty or unreadable cell).
    values: dict
    #: Columns whose cell could not be read.
    bad: set = field(default_factory=set)
    valid: bool = True
    #: Facts worked out while checking (the team of a supervision session).
    derived: dict = field(default_factory=dict)

    def __getitem__(self, column):
        return self.values.get(column)


@dataclass
class Table:
    spec: FileSpec
    present: bool = False
    #: False when the file could not be read at all: references to it are not judged.
    readable: bool = True
    rows: list[Row] = field(default_factory=list)

    @property
    def valid_rows(self) -> list[Row]:
        return [row for row in self.rows if row.valid]


class _Reporter:
    def __init__(self):
        self.problems: list[Problem] = []

    def file(self, name: str, message: str) -> None:
        self.problems.append(Problem(name, message))

    def at(self, name: str, line: int, column: str | None, message: str) -> None:
        self.problems.append(Problem(name, message, line, column))


def _key_text(values) -> str:
    return ", ".join(str(value) for value in values if value not in (None, ""))


def parse_table(spec: FileSpec, data: bytes, report: _Reporter) -> Table:
    """Decode and parse one file; cell problems are reported, rows kept (valid or not)."""
    table = Table(spec=spec, present=True)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        report.file(
            spec.name,
            _("not UTF-8 text (byte 0x%(byte)02x at position %(position)d); save it as UTF-8")
            % {"byte": data[error.start], "position": error.start},
        )
        table.readable = False
        return table
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous = 0
    positions = None
    seen_keys: dict[tuple, int] = {}
    try:
        for cells in reader:
            line, previous = previous + 1, reader.line_num
            if positions is None:
                positions = _header(spec, cells, report)
                if positions is None:
                    table.readable = False
                    return table
                continue
            if not any(cell.strip() for cell in cells):
                continue
            row = _row(spec, line, cells, positions, report)
            table.rows.append(row)
            _check_key(spec, row, seen_keys, report)
    except csv.Error as error:
        report.at(
            spec.name,
            previous + 1,
            None,
            _("malformed CSV (%(reason)s); check the quotes on this line") % {"reason": str(error)},
        )
        table.readable = False
        return table
    if positions is None:
        report.at(
            spec.name,
            1,
            None,
            _("the file is empty; the first line must be the header: %(columns)s")
            % {"columns": ", ".join(spec.column_names)},
        )
        table.readable = False
    return table


def _header(spec: FileSpec, cells: list[str], report: _Reporter) -> dict[str, int] | None:
    """Column name → position, or None (reported) when a column is missing."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = cell.strip().lower()
        if not name:
            report.at(
                spec.name,
                1,
                None,
                _("column %(number)d has no name; remove it or name it one of: %(columns)s")
                % {"number": index + 1, "columns": ", ".join(spec.column_names)},
            )
        elif name in positions:
            report.at(spec.name, 1, name, _("the column appears twice"))
        elif name not in spec.column_names:
            report.at(
                spec.name,
                1,
                name,
                _("unknown column; the columns are: %(columns)s")
                % {"columns": ", ".join(spec.column_names)},
            )
        else:
            positions[name] = index
    missing = [
        column.name
        for column in spec.columns
        if column.name not in positions and not column.may_be_absent
    ]
    for name in missing:
        report.at(spec.name, 1, name, _("missing column"))
    if missing:
        return None
    positions["__width__"] = len(cells)
    return positions


def _row(spec, line, cells, positions, report) -> Row:
    row = Row(line=line, values={})
    width = positions["__width__"]
    if len(cells) != width:
        report.at(
            spec.name,
            line,
            None,
            _("has %(values)d values but the header has %(columns)d columns")
            % {"values": len(cells), "columns": width},
        )
        row.valid = False
        # Keep the key if it can be read, so that references to this row are still known.
        for name in spec.key:
            try:
                text = cells[positions[name]]
                if schema.control_character(text):  # never looked up (NUL cannot be sent)
                    raise CellError(name)
                row.values[name] = schema.parse_cell(spec.column(name), text)
            except (CellError, IndexError):
                row.values[name] = None
        return row
    for column in spec.columns:
        if column.name not in positions:  # a column an older file may leave out
            row.values[column.name] = column.default
            continue
        text = cells[positions[column.name]]
        control = schema.control_character(text)
        try:
            if control:
                raise CellError(
                    _("contains a control character (%(code)s), which is not allowed")
                    % {"code": control}
                )
            value = schema.parse_cell(column, text)
        except CellError as error:
            report.at(spec.name, line, column.name, str(error))
            row.values[column.name] = None
            row.bad.add(column.name)
            row.valid = False
            continue
        if column.required and value in (None, ()):
            report.at(spec.name, line, column.name, _("is empty; a value is required"))
            row.bad.add(column.name)
            row.valid = False
        row.values[column.name] = value
    return row


def _check_key(spec, row, seen, report):
    if not spec.key or row.values.get(spec.key[0]) is None or row.bad & set(spec.key):
        return
    key = tuple(row.values.get(name) for name in spec.key)
    first = seen.get(key)
    if first is None:
        seen[key] = row.line
        return
    report.at(
        spec.name,
        row.line,
        spec.key[0],
        _("duplicate key %(key)s (first on line %(line)d)")
        % {"key": quoted(_key_text(key)), "line": first},
    )
    row.valid = False


# --- What the database already holds ------------------------------------------------------------


def chunks(values, size: int | None = None):
    """Split a long ``__in`` list so that no query passes the database's parameter limit."""
    values = list(values)
    size = size or (900 if connection.vendor == "sqlite" else 10000)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _numbered(keys, prefix: str) -> list[int]:
    numbers = []
    for key in keys:
        if key.startswith(prefix) and key[len(prefix) :].isdigit():
            numbers.append(int(key[len(prefix) :]))
    return numbers


@dataclass
class Snapshot:
    """The rows already in the database that the exchange refers to, read in a few queries."""

    teams: dict[str, Team]
    agencies: dict[str, Agency]
    needs: dict[str, NeedCategory]
    purposes: dict[str, AppointmentPurpose]
    #: Reasons for refusing or withdrawing, by code.
    reasons: dict[str, DisengagementReason]
    stages: dict[int, TRMStage]
    #: Distance-travelled domains, by code.
    domains: dict[str, DistanceDomain]
    #: Staff key (staff_ref, else user name) → user.
    users: dict[str, User]
    #: User name → staff key, to refuse a new member of staff an existing user name.
    usernames: dict[str, str]
    #: User id → {(role, team code or None)}.
    roles: dict[int, set]
    young_people: dict[str, YoungPerson]
    meetings: dict[str, FormulationMeeting]
    sessions: dict[str, SupervisionSession]
    #: Managers' oversight entries the exchange names, by exchange key.
    oversights: dict[str, OversightEntry]
    #: Training courses, by code.
    courses: dict[str, TrainingCourse] = field(default_factory=dict)
    #: Unit costs, by (role, valid_from).
    costs: dict[tuple, UnitCost] = field(default_factory=dict)
    #: The targets saved, as targets.csv rows read back (to recognise a row already there).
    targets: set = field(default_factory=set)

    @classmethod
    def load(cls, tables: dict[str, Table], *, lock: bool = False) -> "Snapshot":
        """Read what the exchange refers to. With `lock`, the young people, meetings and
        sessions it may update are locked until the transaction ends, so that nobody edits
        them between this read and the import's write (their edit then waits, and is told
        the record changed)."""

        def locked(queryset):
            return queryset.select_for_update(of=("self",)) if lock else queryset

        users: dict[str, User] = {}
        usernames: dict[str, str] = {}
        for user in User.objects.order_by("pk"):
            key = schema.staff_key(user.staff_ref, user.username)
            usernames[user.username.lower()] = key
            if user.staff_ref or key not in users:
                users[key] = user
        roles: dict[int, set] = {}
        for user_id, role, team_code in Membership.objects.values_list(
            "user_id", "role", "team__code"
        ):
            roles.setdefault(user_id, set()).add((role, team_code))
        refs = _values(tables[YOUNG_PERSON], "ref")
        for spec in schema.FILES:
            for column in spec.columns:
                if getattr(column.kind, "target", None) == YOUNG_PERSON:
                    for value in _values(tables[spec.name], column.name):
                        refs.update(value if isinstance(value, tuple) else (value,))
        young_people = {}
        for chunk in chunks(refs):
            for person in locked(
                YoungPerson.objects.filter(reference__in=chunk).select_related("team")
            ):
                young_people[person.reference] = person
        meeting_keys = (
            _values(tables[MEETING], "meeting_ref")
            | _values(tables[ATTENDANCE], "meeting_ref")
            | _values(tables[DISTANCE], "meeting_ref")
        )
        session_keys = (
            _values(tables[SESSION], "session_ref")
            | _values(tables[schema.SUPERVISION_NOTE], "session_ref")
            | _values(tables[schema.OVERSIGHT], "responds_to_session_ref")
        )
        oversight_keys = _values(tables[OVERSIGHT], "oversight_ref") | _values(
            tables[schema.OVERSIGHT_ACTION], "oversight_ref"
        )
        return cls(
            teams={team.code: team for team in Team.objects.all()},
            agencies={agency.code: agency for agency in Agency.objects.all()},
            needs={category.code: category for category in NeedCategory.objects.all()},
            purposes={purpose.code: purpose for purpose in AppointmentPurpose.objects.all()},
            reasons={reason.code: reason for reason in DisengagementReason.objects.all()},
            stages={stage.number: stage for stage in TRMStage.objects.all()},
            domains={domain.code: domain for domain in DistanceDomain.objects.all()},
            users=users,
            usernames=usernames,
            roles=roles,
            young_people=young_people,
            meetings=_by_key(
                locked(
                    FormulationMeeting.objects.select_related("young_person__team", "formulation")
                ),
                "meeting_ref",
                meeting_keys,
                "ecm-meeting-",
                schema.meeting_key,
            ),
            sessions=_by_key(
                locked(SupervisionSession.objects.all()),
                "session_ref",
                session_keys,
                "ecm-session-",
                schema.session_key,
            ),
            oversights=_by_key(
                locked(OversightEntry.objects.select_related("young_person__team")),
                "oversight_ref",
                oversight_keys,
                "ecm-oversight-",
                schema.oversight_key,
            ),
            courses={course.code: course for course in TrainingCourse.objects.all()},
            costs={(cost.role, cost.valid_from): cost for cost in UnitCost.objects.all()},
            targets=saved_targets(),
        )


def saved_targets() -> set:
    """The targets saved, each as its targets.csv row would be read back."""
    spec = schema.BY_NAME[schema.TARGET]
    return {schema.normalise(spec, values) for values in exporter.targets()}


def has_formulation(meeting) -> bool:
    """Whether a meeting read with its formulation (select_related) has one."""
    try:
        return meeting.formulation is not None
    except FormulationMeeting.formulation.RelatedObjectDoesNotExist:
        return False


def _values(table: Table, column: str) -> set:
    return {row.values.get(column) for row in table.rows if row.values.get(column) is not None}


def _by_key(queryset, ref_field, keys, prefix, key_of) -> dict:
    found = {}
    for chunk in chunks(keys):
        numbers = _numbered(chunk, prefix)
        condition = Q(**{f"{ref_field}__in": chunk})
        if numbers:
            condition |= Q(pk__in=numbers, **{f"{ref_field}__isnull": True})
        for item in queryset.filter(condition):
            found[key_of(getattr(item, ref_field), item.pk)] = item
    return found


# --- Row rules ----------------------------------------------------------------------------------


def _unknown(target: str, value) -> str:
    messages = {
        TEAM: _("unknown team %(value)s"),
        AGENCY: _("unknown agency %(value)s"),
        STAFF: _("unknown member of staff %(value)s"),
        YOUNG_PERSON: _("unknown young person %(value)s"),
        MEETING: _("unknown formulation meeting %(value)s"),
        SESSION: _("unknown supervision session %(value)s"),
        OVERSIGHT: _("unknown oversight entry %(value)s"),
        schema.COURSE: _("unknown training course %(value)s"),
    }
    return messages[target] % {"value": quoted(str(value))}


@dataclass
class Exchange:
    """A read and checked exchange: its tables, the database it was checked against, and
    every problem found (nothing may be written unless there are none)."""

    source: Source
    tables: dict[str, Table]
    snapshot: Snapshot | None
    problems: list[Problem]

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def rows_read(self) -> int:
        return sum(len(table.rows) for table in self.tables.values())


class _Checker:
    """The row rules: the services' own rules (`cases.rules`), in the same words, each
    reported against the column it is about, plus the references between files."""

    def __init__(self, tables: dict[str, Table], snapshot: Snapshot, report: _Reporter):
        self.tables = tables
        self.snapshot = snapshot
        self.report = report
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.file_keys = {
            TEAM: _values(tables[TEAM], "team_code"),
            AGENCY: _values(tables[AGENCY], "agency_code"),
            STAFF: _values(tables[STAFF], "staff_ref"),
            YOUNG_PERSON: _values(tables[YOUNG_PERSON], "ref"),
            MEETING: _values(tables[MEETING], "meeting_ref"),
            SESSION: _values(tables[SESSION], "session_ref"),
            OVERSIGHT: _values(tables[OVERSIGHT], "oversight_ref"),
            schema.COURSE: _values(tables[schema.COURSE], "course_code"),
        }
        self.db_keys = {
            TEAM: snapshot.teams,
            AGENCY: snapshot.agencies,
            STAFF: snapshot.users,
            YOUNG_PERSON: snapshot.young_people,
            MEETING: snapshot.meetings,
            SESSION: snapshot.sessions,
            OVERSIGHT: snapshot.oversights,
            schema.COURSE: snapshot.courses,
        }
        #: (measure, team code) → [(start, end, line)] of the new targets read so far.
        self.new_targets: dict[tuple, list] = {}
        self.oversight_rows = {}
        for row in tables[OVERSIGHT].rows:
            self.oversight_rows.setdefault(row["oversight_ref"], row)
        self.session_rows = {}
        for row in tables[SESSION].rows:
            self.session_rows.setdefault(row["session_ref"], row)
        self.people = {}
        for row in tables[YOUNG_PERSON].rows:
            self.people.setdefault(row["ref"], row)
        self.meeting_rows = {}
        for row in tables[MEETING].rows:
            self.meeting_rows.setdefault(row["meeting_ref"], row)
        self.staff_rows: dict[str, list[Row]] = {}
        for row in tables[STAFF].rows:
            if row["staff_ref"] is not None:
                self.staff_rows.setdefault(row["staff_ref"], []).append(row)
        #: (young person ref, starts_at) → attendance, read when a decision first needs it.
        self._appointments: dict | None = None
        #: What the manager's-agreement rule needs (orders and earlier decisions), read once.
        self._history: tuple[dict, dict] | None = None
        self.team_names = {code: team.name for code, team in snapshot.teams.items()}
        for row in tables[TEAM].rows:
            if row["team_code"] and row["name"]:
                self.team_names[row["team_code"]] = row["name"]

    # Reporting -------------------------------------------------------------------------------

    def problem(self, spec_name: str, row: Row, column: str | None, message: str) -> None:
        self.report.at(spec_name, row.line, column, message)
        row.valid = False

    def known(self, spec_name: str, row: Row, column: str, target: str) -> bool:
        """Is the reference in `column` to a row of `target` (file or database)? Reported if not."""
        value = row[column]
        if value is None:
            return False
        if (
            not self.tables[target].readable
            or value in self.file_keys[target]
            or value in self.db_keys[target]
        ):
            return True
        self.problem(spec_name, row, column, _unknown(target, value))
        return False

    # Facts about referenced rows -------------------------------------------------------------

    def person(self, ref) -> dict | None:
        """Date of birth, referral date and team code of a young person (file, else database);
        None for a value that could not be read."""
        row = self.people.get(ref)
        if row is not None:
            return {
                "date_of_birth": row["date_of_birth"],
                "referral_date": row["referral_date"],
                "team": row["team_code"],
            }
        person = self.snapshot.young_people.get(ref)
        if person is not None:
            return {
                "date_of_birth": person.date_of_birth,
                "referral_date": person.referral_date,
                "team": person.team.code,
            }
        return None

    def roles(self, key) -> set | None:
        """{(role, team code)} held by a member of staff (file and database); None when a row
        of theirs in staff.csv is invalid, so that their roles cannot be judged."""
        if not self.tables[STAFF].readable:
            return None
        held = set()
        for row in self.staff_rows.get(key, ()):
            if not row.valid:
                return None
            if row["role"] == Role.EVALUATOR:
                held.add((Role.EVALUATOR, None))
            elif row["role"]:
                held.update((row["role"], code) for code in row["team_codes"] or ())
        user = self.snapshot.users.get(key)
        if user is not None:
            held |= self.snapshot.roles.get(user.pk, set())
        return held

    # Shared rules ----------------------------------------------------------------------------

    def broken(self, spec_name: str, row: Row, column: str, message: str | None) -> None:
        """Report a broken rule (its message, or None when it holds) against `column`."""
        if message is not None:
            self.problem(spec_name, row, column, message)

    def not_future(self, spec_name, row, column, label):
        self.broken(
            spec_name, row, column, rules.not_in_future(row[column], label, today=self.today)
        )

    def not_before_birth(self, spec_name, row, column, facts, label):
        birth = facts and facts["date_of_birth"]
        self.broken(spec_name, row, column, rules.not_before_birth(row[column], birth, label))

    def young_person(self, spec_name, row, column="young_person_ref") -> dict | None:
        if self.known(spec_name, row, column, YOUNG_PERSON):
            return self.person(row[column])
        return None

    def staff_with_role(self, spec_name, row, column, role, team, message) -> set | None:
        """Check that the referenced member of staff holds `role` in `team` (if known)."""
        if not self.known(spec_name, row, column, STAFF):
            return None
        held = self.roles(row[column])
        if held is not None and team is not None and (role, team) not in held:
            self.problem(
                spec_name,
                row,
                column,
                message % {"value": quoted(row[column]), "team": quoted(team)},
            )
        return held

    # Files -------------------------------------------------------------------------------------

    def run(self) -> None:
        for spec in schema.FILES:
            check = getattr(self, "check_" + spec.name.removesuffix(".csv"))
            for row in self.tables[spec.name].rows:
                check(spec.name, row)
        self.check_usernames()

    def check_teams(self, name, row):
        pass

    def check_agencies(self, name, row):
        pass

    def check_staff(self, name, row):
        role, teams = row["role"], row["team_codes"] or ()
        if role in TEAM_ROLES and "team_codes" not in row.bad and not teams:
            self.problem(
                name,
                row,
                "team_codes",
                _("a %(role)s works in at least one team; give the team codes") % {"role": role},
            )
        if role == Role.EVALUATOR and teams:
            self.problem(
                name,
                row,
                "team_codes",
                _("an evaluator works across all teams; leave team_codes empty"),
            )
        if not role and "role" not in row.bad and teams:
            self.problem(name, row, "team_codes", _("give the role held in these teams"))
        for code in teams:
            if not (
                not self.tables[TEAM].readable
                or code in self.file_keys[TEAM]
                or code in self.snapshot.teams
            ):
                self.problem(name, row, "team_codes", _unknown(TEAM, code))
        first = self.staff_rows.get(row["staff_ref"], [row])[0]
        if first is not row:
            for column in ("name", "email"):
                if row[column] != first[column] and column not in row.bad | first.bad:
                    self.problem(
                        name,
                        row,
                        column,
                        _("differs from line %(line)d for the same staff_ref")
                        % {"line": first.line},
                    )

    def check_usernames(self):
        """A new member of staff's user name (staff_ref in lower case) must be free."""
        taken: dict[str, Row] = {}
        for key, rows in self.staff_rows.items():
            row = rows[0]
            if key in self.snapshot.users:
                continue
            username = key.lower()
            owner = self.snapshot.usernames.get(username)
            if owner is not None and owner != key:
                self.problem(
                    STAFF,
                    row,
                    "staff_ref",
                    _("the user name %(name)s is already taken by another user")
                    % {"name": quoted(username)},
                )
            elif username in taken:
                self.problem(
                    STAFF,
                    row,
                    "staff_ref",
                    _(
                        "would have the same user name as %(other)s on line %(line)d; "
                        "staff references must differ by more than capital letters"
                    )
                    % {"other": quoted(taken[username]["staff_ref"]), "line": taken[username].line},
                )
            else:
                taken[username] = row

    def check_young_people(self, name, row):
        self.known(name, row, "team_code", TEAM)
        if row["anonymised_on"] is None and "anonymised_on" not in row.bad:
            for column in ("given_name", "family_name"):
                if not row[column] and column not in row.bad:
                    self.problem(name, row, column, _("is empty; a value is required"))
        birth, referral = row["date_of_birth"], row["referral_date"]
        started, ended = row["started_on"], row["ended_on"]
        self.broken(
            name,
            row,
            "date_of_birth",
            rules.date_of_birth_invalid(birth, referral, today=self.today),
        )
        self.not_future(name, row, "referral_date", _("Referral date"))
        self.not_future(name, row, "started_on", _("Start date"))
        self.not_future(name, row, "ended_on", _("End date"))
        self.broken(name, row, "started_on", rules.ecm_start_before_referral(started, referral))
        if "started_on" not in row.bad:
            self.broken(name, row, "ended_on", rules.ecm_end_without_start(started, ended))
        self.broken(name, row, "ended_on", rules.end_not_before_start(started, ended))
        if "end_reason" not in row.bad:
            self.broken(name, row, "end_reason", rules.end_reason_missing(ended, row["end_reason"]))
        if row["end_reason"] and row["ended_on"] is None and "ended_on" not in row.bad:
            self.problem(name, row, "end_reason", _("only give an end reason with ended_on"))
        if self.reason_known(name, row, "withdrawal_reason") and "end_reason" not in row.bad:
            self.broken(
                name,
                row,
                "withdrawal_reason",
                rules.withdrawal_reason_not_wanted(
                    row["end_reason"], row["withdrawal_reason"] is not None
                ),
            )
        if row["practitioner_ref"] is not None:
            self.staff_with_role(
                name,
                row,
                "practitioner_ref",
                Role.PRACTITIONER,
                row["team_code"],
                _("%(value)s is not a practitioner in team %(team)s"),
            )

    def check_needs(self, name, row):
        facts = self.young_person(name, row)
        code = row["need"]
        if code is not None and code not in self.snapshot.needs:
            self.problem(name, row, "need", schema.not_allowed(code, sorted(self.snapshot.needs)))
        self.not_future(name, row, "recorded_on", _("Date identified"))
        self.not_before_birth(name, row, "recorded_on", facts, _("Date identified"))

    def check_offences(self, name, row):
        facts = self.young_person(name, row)
        self.not_future(name, row, "offence_date", _("Date committed"))
        self.not_before_birth(name, row, "offence_date", facts, _("Date committed"))
        self.not_future(name, row, "proven_on", _("Date proven"))
        self.broken(
            name,
            row,
            "proven_on",
            rules.proven_before_committed(row["offence_date"], row["proven_on"]),
        )

    def _period(self, name, row):
        facts = self.young_person(name, row)
        self.not_future(name, row, "start_date", _("Start date"))
        self.not_before_birth(name, row, "start_date", facts, _("Start date"))
        self.broken(
            name, row, "end_date", rules.end_not_before_start(row["start_date"], row["end_date"])
        )

    check_orders = _period
    check_custody = _period

    def check_breaches(self, name, row):
        self.young_person(name, row)
        self.not_future(name, row, "breach_date", _("Date of breach"))

    def check_consents(self, name, row):
        facts = self.young_person(name, row)
        self.not_future(name, row, "decided_on", _("Date of decision"))
        referral = facts and facts["referral_date"]
        self.broken(
            name, row, "decided_on", rules.consent_before_referral(row["decided_on"], referral)
        )
        if "note" not in row.bad:
            self.broken(
                name,
                row,
                "note",
                rules.withdrawal_without_note(row["decision"], row["note"], row["own_words"]),
            )
        if self.reason_known(name, row, "reason") and "decision" not in row.bad:
            self.broken(
                name,
                row,
                "reason",
                rules.consent_reason_not_wanted(
                    row["decision"], row["reason"] is not None, row["own_words"]
                ),
            )
        if row["recorded_by_ref"] is not None:
            self.known(name, row, "recorded_by_ref", STAFF)

    def reason_known(self, name, row, column) -> bool:
        """Whether the row's reason for refusing or withdrawing is empty or one of the list."""
        code = row[column]
        if column in row.bad:
            return False
        if code is not None and code not in self.snapshot.reasons:
            self.problem(name, row, column, schema.not_allowed(code, sorted(self.snapshot.reasons)))
            return False
        return True

    def _stage(self, name, row, column):
        number = row[column]
        if number is not None and number not in self.snapshot.stages:
            self.problem(
                name,
                row,
                column,
                _("there is no TRM stage %(number)d; use one of: %(numbers)s")
                % {
                    "number": number,
                    "numbers": ", ".join(str(n) for n in sorted(self.snapshot.stages)),
                },
            )

    def check_trm_assessments(self, name, row):
        facts = self.young_person(name, row)
        self.not_future(name, row, "assessed_on", _("Date assessed"))
        self.not_before_birth(name, row, "assessed_on", facts, _("Date assessed"))
        self._stage(name, row, "stage")
        if row["assessed_by_ref"] is not None:
            self.known(name, row, "assessed_by_ref", STAFF)

    def check_appointments(self, name, row):
        facts = self.young_person(name, row)
        attendance = row["attendance"]
        code = row["purpose_code"]
        if code is not None and code not in self.snapshot.purposes:
            self.problem(
                name, row, "purpose_code", schema.not_allowed(code, sorted(self.snapshot.purposes))
            )
        if "duration_minutes" not in row.bad:
            self.broken(
                name, row, "duration_minutes", rules.duration_invalid(row["duration_minutes"])
            )
        if "outcome_code" not in row.bad and "attendance" not in row.bad:
            self.broken(
                name,
                row,
                "outcome_code",
                rules.outcome_without_attendance(attendance, row["outcome_code"]),
            )
        self.not_before_birth(name, row, "starts_at", facts, _("Appointment date"))
        self.broken(
            name,
            row,
            "attendance",
            rules.attendance_before_start(row["starts_at"], attendance, now=self.now),
        )
        self.broken(
            name,
            row,
            "engagement",
            rules.engagement_without_attendance(row["engagement"], attendance),
        )
        if row["practitioner_ref"] is not None:
            self.known(name, row, "practitioner_ref", STAFF)

    def _attendance_at(self, ref, starts_at) -> str | None:
        """The attendance of the young person's appointment at `starts_at` (appointments.csv,
        else the service); None if there is no such appointment. The service's appointments
        of the young people named in compliance_decisions.csv are read once, in chunks."""
        if self._appointments is None:
            self._appointments = {}
            refs = sorted(_values(self.tables[COMPLIANCE], "young_person_ref"))
            for chunk in chunks(refs):
                for reference, moment, attendance in Appointment.objects.filter(
                    young_person__reference__in=chunk, archived_at__isnull=True
                ).values_list("young_person__reference", "starts_at", "attendance"):
                    self._appointments[(reference, moment)] = attendance
            for appointment in self.tables[APPOINTMENT].rows:
                key = (appointment["young_person_ref"], appointment["starts_at"])
                self._appointments[key] = appointment["attendance"] or ""
        return self._appointments.get((ref, starts_at))

    def _compliance_history(self) -> tuple[dict, dict]:
        """For the young people of compliance_decisions.csv: their orders {ref: [(type,
        start, end)]} and their live decisions {ref: {appointment time: decision}}, the
        database's overlaid with the files' (a row of the file replaces the decision it
        matches). Read once, in chunks."""
        if self._history is None:
            orders: dict[str, list] = {}
            decisions: dict[str, dict] = {}
            refs = sorted(_values(self.tables[COMPLIANCE], "young_person_ref"))
            for chunk in chunks(refs):
                for ref, kind, start, end in Order.objects.filter(
                    young_person__reference__in=chunk, archived_at__isnull=True
                ).values_list("young_person__reference", "order_type", "start_date", "end_date"):
                    orders.setdefault(ref, []).append((kind, start, end))
                for ref, moment, decision in ComplianceDecision.objects.filter(
                    young_person__reference__in=chunk,
                    archived_at__isnull=True,
                    appointment__archived_at__isnull=True,
                ).values_list("young_person__reference", "appointment__starts_at", "decision"):
                    decisions.setdefault(ref, {})[moment] = decision
            for order in self.tables[schema.ORDER].rows:
                # An invalid order (already reported) leaves the rule unjudged: None.
                orders.setdefault(order["young_person_ref"], []).append(
                    (order["order_type"], order["start_date"], order["end_date"])
                    if order.valid
                    else None
                )
            for decision in self.tables[COMPLIANCE].rows:
                moment = decision["appointment_starts_at"]
                if moment is not None and decision["decision"] is not None:
                    decisions.setdefault(decision["young_person_ref"], {})[moment] = decision[
                        "decision"
                    ]
            self._history = (orders, decisions)
        return self._history

    def needs_agreement(self, row) -> bool | None:
        """The service's rule (`cases.compliance`): on a statutory order in force on the day
        of the missed appointment, a decision short of breach proceedings after an earlier
        absence judged unacceptable within 12 months needs the manager's agreement. None
        when one of the young person's orders in the file is invalid (it cannot be judged)."""
        orders, decisions = self._compliance_history()
        ref, starts_at = row["young_person_ref"], row["appointment_starts_at"]
        day = timezone.localtime(starts_at).date()
        if None in orders.get(ref, ()):
            return None
        on_order = any(
            kind in STATUTORY_ORDER_TYPES
            and start is not None
            and start <= day
            and (end is None or end >= day)
            for kind, start, end in orders.get(ref, ())
        )
        window = rules.agreement_window_start(day)
        earlier = sum(
            1
            for moment, decision in decisions.get(ref, {}).items()
            if moment < starts_at
            and timezone.localtime(moment).date() >= window
            and decision in rules.UNACCEPTABLE_DECISIONS
        )
        return rules.compliance_needs_agreement(
            row["decision"], on_statutory_order=on_order, earlier_unacceptable=earlier
        )

    def check_compliance_decisions(self, name, row):
        self.young_person(name, row)
        if row["appointment_starts_at"] is not None and row["decision"] is not None:
            # Worked out by the service's rule; the file's needs_agreement is not read.
            row.derived["needs_agreement"] = self.needs_agreement(row)
        for column in ("decided_by_ref", "agreed_by_ref"):
            if row[column] is not None:
                self.known(name, row, column, STAFF)
        self.not_future(name, row, "decided_on", _("Date of decision"))
        starts_at = row["appointment_starts_at"]
        if (
            starts_at is not None
            and row["young_person_ref"] is not None
            and self.tables[APPOINTMENT].readable
        ):
            attendance = self._attendance_at(row["young_person_ref"], starts_at)
            if attendance is None:
                self.problem(
                    name,
                    row,
                    "appointment_starts_at",
                    _("the young person has no appointment at this time in %(file)s or the service")
                    % {"file": APPOINTMENT},
                )
            else:
                self.broken(
                    name,
                    row,
                    "appointment_starts_at",
                    rules.compliance_decision_on_unmissed(attendance),
                )
            self.broken(
                name,
                row,
                "decided_on",
                rules.compliance_decided_before_appointment(
                    row["decided_on"], timezone.localtime(starts_at).date()
                ),
            )
        if "reason" not in row.bad:
            self.broken(name, row, "reason", rules.compliance_reason_missing(row["reason"]))
        if row["agreement"]:
            if row.derived.get("needs_agreement") is False:
                self.problem(
                    name,
                    row,
                    "agreement",
                    _(
                        "this decision does not need a manager's agreement (only one short of "
                        "breach proceedings, on a statutory order, after an earlier absence "
                        "judged unacceptable within 12 months does); leave agreement empty"
                    ),
                )
            if row["agreed_by_ref"] is None:
                self.problem(
                    name, row, "agreed_by_ref", _("give the manager who agreed or disagreed")
                )
            elif row["agreed_by_ref"] == row["decided_by_ref"]:
                self.problem(
                    name,
                    row,
                    "agreed_by_ref",
                    _("a manager cannot agree or disagree with their own decision"),
                )
            if "agreement_reason" not in row.bad:
                self.broken(
                    name,
                    row,
                    "agreement_reason",
                    rules.agreement_reason_missing(row["agreement_reason"]),
                )

    def check_formulation_meetings(self, name, row):
        facts = self.young_person(name, row)
        self._stage(name, row, "trm_stage")
        if "duration_minutes" not in row.bad:
            self.broken(
                name, row, "duration_minutes", rules.duration_invalid(row["duration_minutes"])
            )
        self.not_before_birth(name, row, "held_on", facts, _("Date of the meeting"))
        self.staff_with_role(
            name,
            row,
            "chair_ref",
            Role.PSYCHOLOGIST,
            facts and facts["team"],
            _("%(value)s is not a psychologist serving team %(team)s"),
        )

    def check_distance_ratings(self, name, row):
        """A rating belongs to the formulation of its meeting: one in formulation_meetings.csv
        (a trm_stage given) or already recorded in the service."""
        code = row["domain"]
        if code is not None and code not in self.snapshot.domains:
            self.problem(
                name, row, "domain", schema.not_allowed(code, sorted(self.snapshot.domains))
            )
        if row["recorded_by_ref"] is not None:
            self.known(name, row, "recorded_by_ref", STAFF)
        key = row["meeting_ref"]
        if not self.known(name, row, "meeting_ref", MEETING):
            return
        meeting_row = self.meeting_rows.get(key)
        meeting = self.snapshot.meetings.get(key)
        if meeting_row is not None and (meeting_row["trm_stage"] or "trm_stage" in meeting_row.bad):
            return
        if meeting is not None and has_formulation(meeting):
            return
        if meeting_row is None and not self.tables[MEETING].readable:
            return
        self.problem(
            name,
            row,
            "meeting_ref",
            _(
                "meeting %(value)s has no formulation, which ratings belong to: give the TRM "
                "stage it agreed (trm_stage) in %(file)s"
            )
            % {"value": quoted(key), "file": MEETING},
        )

    def check_meeting_attendance(self, name, row):
        self.known(name, row, "agency_code", AGENCY)
        held_on = None
        if self.known(name, row, "meeting_ref", MEETING):
            meeting_row = self.meeting_rows.get(row["meeting_ref"])
            if meeting_row is not None:
                held_on = meeting_row["held_on"]
            elif row["meeting_ref"] in self.snapshot.meetings:
                held_on = self.snapshot.meetings[row["meeting_ref"]].held_on
        if row["attended"] is not None:
            self.broken(
                name,
                row,
                "attended",
                formulation_rules.meeting_not_held_yet(held_on, today=self.today),
            )
        if row["attendee_name"] and row["attended"] is not True and "attended" not in row.bad:
            self.problem(name, row, "attendee_name", _("only give a name when attended is yes"))

    def check_interventions(self, name, row):
        self.young_person(name, row)
        self._stage(name, row, "trm_stage")
        if row["agency_code"] is not None:
            self.known(name, row, "agency_code", AGENCY)

    def _discussed_in(self, name, row, column, session_ref) -> None:
        """A session named in the file must have discussed the young person of the row."""
        session_row = self.session_rows.get(session_ref)
        person = row["young_person_ref"]
        if (
            session_row is not None
            and person is not None
            and person not in (session_row["young_person_refs"] or ())
        ):
            self.problem(
                name,
                row,
                column,
                _("%(person)s is not among the young people discussed in session %(session)s")
                % {"person": quoted(person), "session": quoted(session_ref)},
            )

    def check_supervision_notes(self, name, row):
        self.young_person(name, row)
        if self.known(name, row, "session_ref", SESSION):
            self._discussed_in(name, row, "young_person_ref", row["session_ref"])

    def check_oversight(self, name, row):
        facts = self.young_person(name, row)
        self.not_future(name, row, "reviewed_on", _("Date of the oversight"))
        referral = facts and facts["referral_date"]
        if row["reviewed_on"] and referral and row["reviewed_on"] < referral:
            self.problem(
                name,
                row,
                "reviewed_on",
                _("Date of the oversight cannot be before the referral (%(date)s)")
                % {"date": rules.shown(referral)},
            )
        self.staff_with_role(
            name,
            row,
            "manager_ref",
            Role.MANAGER,
            facts and facts["team"],
            _("%(value)s is not a manager of team %(team)s"),
        )
        session_ref = row["responds_to_session_ref"]
        if session_ref is not None and self.known(name, row, "responds_to_session_ref", SESSION):
            self._discussed_in(name, row, "responds_to_session_ref", session_ref)

    def check_oversight_actions(self, name, row):
        """An action set by an oversight entry: who does it (a user of the service working
        in the young person's team, or a named person at an agency), by the services' rule."""
        team = None
        key = row["oversight_ref"]
        if self.known(name, row, "oversight_ref", OVERSIGHT):
            entry_row = self.oversight_rows.get(key)
            if entry_row is not None:
                facts = self.person(entry_row["young_person_ref"])
                team = facts and facts["team"]
            elif key in self.snapshot.oversights:
                team = self.snapshot.oversights[key].young_person.team.code
        self.not_future(name, row, "done_on", _("Date done"))
        if {"assignee_ref", "agency_code", "owner"} & row.bad:
            return
        assignee, agency, owner = row["assignee_ref"], row["agency_code"], row["owner"]
        if assignee is not None and (owner or agency is not None):
            self.problem(
                name,
                row,
                "assignee_ref",
                _("give assignee_ref, or owner with agency_code, not both"),
            )
        elif assignee is None and not owner and agency is None:
            self.problem(
                name,
                row,
                "assignee_ref",
                _(
                    "give who will do it: assignee_ref (a user of the service), or owner and "
                    "agency_code (someone outside it)"
                ),
            )
        elif assignee is None and not owner:
            self.problem(name, row, "owner", _("give the name of the person at the agency"))
        elif assignee is None and agency is None:
            self.problem(name, row, "agency_code", _("give the agency of the person named"))
        if agency is not None:
            self.known(name, row, "agency_code", AGENCY)
        if assignee is not None and self.known(name, row, "assignee_ref", STAFF):
            held = self.roles(assignee)
            if held is not None and team is not None and team not in {code for _r, code in held}:
                self.problem(
                    name,
                    row,
                    "assignee_ref",
                    _("%(value)s does not work in team %(team)s")
                    % {"value": quoted(assignee), "team": quoted(team)},
                )

    # Targets, the training register and unit costs (issue 16) ------------------------------

    #: targets.csv's column for each field of `reports.targets.target_validate`'s errors.
    TARGET_COLUMNS = {
        "measure_id": "measure_id",
        "team": "team_code",
        "period_start": "period_start",
        "period_end": "period_end",
        "direction": "direction",
        "value": "value",
    }

    def check_targets(self, name, row):
        """The rules of the targets page (`reports.targets.target_validate`), in its words; a
        row identical to a saved target is that target, any other a new one."""
        spec = schema.BY_NAME[name]
        as_read = tuple(row[column] for column in spec.column_names)
        if not row.valid or as_read in self.snapshot.targets:
            return
        code = row["team_code"]
        if code is not None and not self.known(name, row, "team_code", TEAM):
            return
        team = self.snapshot.teams.get(code) if code else None
        values = {
            "measure_id": row["measure_id"],
            "team": team,
            "period_start": row["period_start"],
            "period_end": row["period_end"],
            "direction": row["direction"],
            "value": row["value"],
        }
        try:
            measure_targets.target_validate(values, check_overlap=code is None or team is not None)
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                for message in messages:
                    self.problem(name, row, self.TARGET_COLUMNS.get(field_name), message)
            return
        start, end = row["period_start"], row["period_end"]
        earlier = self.new_targets.setdefault((row["measure_id"], code), [])
        for other_start, other_end, line in earlier:
            if (end is None or other_start is None or other_start <= end) and (
                start is None or other_end is None or other_end >= start
            ):
                self.problem(
                    name,
                    row,
                    "period_start",
                    _(
                        "overlaps the target on line %(line)d for the same measure and team: "
                        "change the dates so that they do not overlap"
                    )
                    % {"line": line},
                )
                return
        earlier.append((start, end, row.line))

    def check_training_courses(self, name, row):
        pass

    def check_training_attendance(self, name, row):
        self.known(name, row, "staff_ref", STAFF)
        self.known(name, row, "course_code", schema.COURSE)
        self.not_future(name, row, "attended_on", _("The date attended"))

    def check_dedicated_roles(self, name, row):
        self.known(name, row, "staff_ref", STAFF)
        self.known(name, row, "team_code", TEAM)
        start, end = row["held_from"], row["held_until"]
        if start is not None and end is not None and end < start:
            self.problem(
                name, row, "held_until", _("The end of the role cannot be before its start.")
            )

    def check_unit_costs(self, name, row):
        cost = row["hourly_cost"]
        if cost is not None and cost <= 0:
            self.problem(name, row, "hourly_cost", _("an hourly cost must be more than 0"))
            return
        saved = self.snapshot.costs.get((row["role"], row["valid_from"]))
        if saved is not None and cost is not None and saved.hourly_cost != cost:
            self.problem(
                name,
                row,
                "hourly_cost",
                _(
                    "a cost of %(saved)s an hour from %(date)s is already saved for this role, "
                    "and a saved cost is never changed: give a new cost a later valid_from"
                )
                % {"saved": saved.hourly_cost, "date": row["valid_from"].isoformat()},
            )

    def check_supervision_sessions(self, name, row):
        self.not_future(name, row, "held_on", _("Date of the session"))
        teams = set()
        for ref in row["young_person_refs"] or ():
            if ref in self.file_keys[YOUNG_PERSON] or ref in self.snapshot.young_people:
                facts = self.person(ref)
                if facts and facts["team"]:
                    teams.add(facts["team"])
            elif self.tables[YOUNG_PERSON].readable:
                self.problem(name, row, "young_person_refs", _unknown(YOUNG_PERSON, ref))
        psychologist = (
            self.roles(row["psychologist_ref"])
            if self.known(name, row, "psychologist_ref", STAFF)
            else None
        )
        practitioner = (
            self.roles(row["practitioner_ref"])
            if self.known(name, row, "practitioner_ref", STAFF)
            else None
        )
        if len(teams) > 1:
            self.problem(
                name,
                row,
                "young_person_refs",
                _("the young people discussed must all be in one team (they are in %(teams)s)")
                % {"teams": ", ".join(sorted(teams))},
            )
            return
        if psychologist is None or practitioner is None:
            return
        served = {team for role, team in psychologist if role == Role.PSYCHOLOGIST}
        works = {team for role, team in practitioner if role == Role.PRACTITIONER}
        if not served or not works:
            for column, held in (("psychologist_ref", served), ("practitioner_ref", works)):
                if not held:
                    self.problem(
                        name,
                        row,
                        column,
                        _("%(value)s is not a %(role)s")
                        % {
                            "value": quoted(row[column]),
                            "role": Role(column.removesuffix("_ref")).label.lower(),
                        },
                    )
            return
        if teams:
            (team,) = teams
            if team not in served:
                self.problem(
                    name,
                    row,
                    "psychologist_ref",
                    _("%(value)s is not a psychologist serving team %(team)s")
                    % {"value": quoted(row["psychologist_ref"]), "team": quoted(team)},
                )
            if team not in works:
                self.problem(
                    name,
                    row,
                    "practitioner_ref",
                    _("%(value)s is not a practitioner in team %(team)s")
                    % {"value": quoted(row["practitioner_ref"]), "team": quoted(team)},
                )
        else:
            shared = sorted(served & works, key=lambda code: (self.team_names.get(code, ""), code))
            if not shared:
                self.problem(
                    name,
                    row,
                    "practitioner_ref",
                    _("%(value)s is not a practitioner in a team that %(psychologist)s serves")
                    % {
                        "value": quoted(row["practitioner_ref"]),
                        "psychologist": quoted(row["psychologist_ref"]),
                    },
                )
                return
            team = shared[0]
        row.derived["team"] = team


def read(source: Source, *, lock: bool = False) -> Exchange:
    """Parse and check every file of an exchange against the database (writes nothing).

    `lock` (inside a transaction, before writing) locks the rows the import may update."""
    report = _Reporter()
    report.problems.extend(source.problems)
    tables = {spec.name: Table(spec=spec) for spec in schema.FILES}
    required = [spec.name for spec in schema.FILES if spec.required]
    refused = {problem.file.lower() for problem in source.problems}
    for spec in schema.FILES:
        data = source.files.get(spec.name)
        if data is not None:
            tables[spec.name] = parse_table(spec, data, report)
        elif spec.name in refused:
            # Too large or unreadable in the zip (already reported): references to its rows
            # cannot be judged, so they are not reported as unknown.
            tables[spec.name].readable = False
        elif spec.required:
            report.file(
                spec.name,
                _("missing; every exchange needs %(files)s") % {"files": _(" and ").join(required)},
            )
            tables[spec.name].readable = False
    for name in sorted(set(source.files) - set(schema.BY_NAME)):
        report.file(
            name,
            _("not a file of the exchange format; the files are: %(files)s")
            % {"files": ", ".join(schema.BY_NAME)},
        )
    snapshot = Snapshot.load(tables, lock=lock)
    _Checker(tables, snapshot, report).run()
    return Exchange(
        source=source, tables=tables, snapshot=snapshot, problems=sorted_problems(report.problems)
    )


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """In file order, then line, then column order."""

    def order(problem: Problem):
        spec = schema.BY_NAME.get(problem.file)
        columns = spec.column_names if spec else ()
        return (
            schema.FILE_ORDER.get(problem.file, -1),
            problem.line or 0,
            columns.index(problem.column) if problem.column in columns else -1,
        )

    return sorted(problems, key=order)
