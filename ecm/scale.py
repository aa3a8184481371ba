"""Scale data for a national roll-out (DESIGN.md section 9): teams, staff and young people.

`generate(...)` (the `seed_scale` command) builds realistic, internally consistent case
records for many teams and young people, fast enough for 100,000 young people and millions
of appointments:

* **Rows are built in memory and written in bulk.** Every random choice comes from a seeded
  `random.Random` (one per young person, so a person's records never depend on who else is
  generated). Rows go to the database with `bulk_create` in batches, and on PostgreSQL the
  tables that need no ids back (appointments, needs, offences, consents, ...) go through
  `COPY ... FROM STDIN`, PostgreSQL's own bulk-load path. There are no per-row queries: the
  number of queries grows with batches and teams, not with young people.
* **No history rows, no case events.** The records are generated, not edits made by people,
  so they carry no django-simple-history entries and no `CaseEvent`s; `bulk_create` and
  `COPY` skip both (the screens read the records themselves). They skip model signals too,
  so the run computes the stored case summaries (`cases.summary`) of all its young people at
  the end, once PostgreSQL has fresh statistics (`ANALYZE`): computed batch by batch as the
  tables grew, with statistics that still said the tables were empty (autovacuum off or
  behind), each batch took longer than the one before.
* **Same rules as the services.** The generator decides each young person's pathway first
  (started or not, and why not) and then makes records that fit it and every rule the
  services enforce: ages 10 to 17 at referral; needs recorded by the referral date; gravity 1
  to 8; orders and custody that end on or after they start; consent dated on or after the
  referral and a withdrawal always with what was said; an eligibility decision computed with
  `eligibility.rules.evaluate` under the policy in force on the referral date (an override
  by the team manager where a started case did not meet the criteria); ECM started only with
  a final eligible decision and participation consent given (the parent's or carer's too
  when required); an end on or after the start, with a reason; appointments after the start,
  attendance only once they have happened and engagement only when attended; formulations
  only for held meetings; supervision only of the practitioner's own cases in their team.
* **Deterministic and idempotent.** References are ``SCALE-<seed>-<n>``; the same seed builds
  the same people. Running again with the same arguments adds nothing: existing teams,
  staff, young people (by reference) and supervision sessions (by reference) are skipped,
  and only what is missing is added (so a larger ``young_people`` adds the new ones only).
* **Staff cannot sign in.** Practitioners (about one per 15 young people in a team), one or
  two managers per team and psychologists each serving three teams are active members with
  an unusable password: an administrator must set a password (or a test force a login).
"""

import csv
import io
import math
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone, translation

from accounts.models import Agency, Membership, Role, Team, User
from cases import summary
from cases.models import (
    STATUTORY_ORDER_TYPES,
    Appointment,
    Attendance,
    Breach,
    Consent,
    ConsentDecision,
    ConsentParty,
    ConsentPurpose,
    CustodyEpisode,
    EndReason,
    Need,
    NeedCategory,
    Offence,
    Order,
    OrderType,
    TRMAssessment,
    TRMStage,
    YoungPerson,
)
from cases.reference_data import ensure_defaults
from ecm.demo_cases import FAMILY_NAMES, FIVE_PS, NEED_WEIGHTS, OUTCOMES, PURPOSES
from ecm.management.commands.seed_demo import AGENCIES
from eligibility import rules
from eligibility.models import (
    EligibilityDecision,
    EligibilityOverride,
    EligibilityPolicy,
    PolicyStatus,
)
from eligibility.reference_data import ensure_default_policies
from formulation.models import (
    AgreedAction,
    Formulation,
    FormulationMeeting,
    InterventionItem,
    InterventionStatus,
    MeetingAttendance,
    MeetingKind,
    MeetingStatus,
)
from supervision.models import SupervisionAction, SupervisionSession

#: Team codes are ``scale-team-001`` ...; staff usernames start with ``scale-``.
TEAM_CODE = "scale-team-{:03d}"
STAFF_PREFIX = "scale-"
#: Young people per practitioner, and teams each psychologist serves.
PEOPLE_PER_PRACTITIONER = 15
TEAMS_PER_PSYCHOLOGIST = 3
#: Referrals are spread over this many days before today.
HISTORY_DAYS = 5 * 365
#: Share of young people who start ECM (if their start date has come).
START_RATE = 0.72
#: Mean days on ECM per young person (counting those who never start as 0) that the
#: distributions below give; appointments are spread at a rate that makes the mean number
#: per young person the requested one.
MEAN_DAYS_ON_ECM = 155.0

DEFAULT_BATCH_SIZE = 5000
DEFAULT_PEOPLE_PER_TRANSACTION = 1000

PLACE_STARTS = [
    "Aber",
    "Llan",
    "Pont",
    "Caer",
    "Tre",
    "Pen",
    "Cwm",
    "Bryn",
    "Rhos",
    "Glyn",
    "Nant",
    "Maes",
    "Dol",
    "Coed",
    "Bettws",
]
PLACE_ENDS = [
    "gwyn",
    "dulais",
    "fawr",
    "teg",
    "fach",
    "wen",
    "ddu",
    "aeron",
    "afon",
    "garth",
    "hir",
    "celyn",
]
MALE_NAMES = [
    "Cai",
    "Dylan",
    "Rhys",
    "Osian",
    "Tomos",
    "Jac",
    "Ioan",
    "Kieran",
    "Liam",
    "Callum",
    "Aled",
    "Ryan",
    "Gethin",
    "Iwan",
    "Owain",
    "Harri",
    "Macsen",
    "Connor",
    "Jordan",
    "Evan",
]
FEMALE_NAMES = [
    "Lowri",
    "Ffion",
    "Seren",
    "Megan",
    "Cerys",
    "Nia",
    "Elin",
    "Chloe",
    "Tia",
    "Jade",
    "Carys",
    "Shannon",
    "Alaw",
    "Mali",
    "Gwen",
    "Efa",
    "Catrin",
    "Leah",
    "Courtney",
    "Sioned",
]
GENDERS = [("male", 68), ("female", 28), ("other", 2), ("not_stated", 2)]
ETHNICITIES = [
    ("White Welsh", 40),
    ("White British", 35),
    ("White other", 4),
    ("Mixed", 7),
    ("Black British", 4),
    ("Asian British", 4),
    ("Gypsy, Roma or Traveller", 2),
    ("Not stated", 4),
]
#: description, YJB gravity score, how often
OFFENCES = [
    ("Theft from a shop", 2, 14),
    ("Criminal damage", 2, 12),
    ("Common assault", 3, 12),
    ("Possession of cannabis", 1, 8),
    ("Public order offence", 2, 8),
    ("Burglary (non-dwelling)", 4, 6),
    ("Taking a vehicle without consent", 4, 6),
    ("Assault occasioning actual bodily harm", 5, 6),
    ("Possession of a bladed article", 5, 5),
    ("Burglary (dwelling)", 6, 3),
    ("Robbery", 6, 3),
    ("Possession with intent to supply a class A drug", 6, 2),
    ("Arson endangering life", 7, 1),
    ("Wounding with intent", 7, 1),
    ("Attempted murder", 8, 0.2),
]
STATUTORY_ORDERS = [
    (OrderType.REFERRAL_ORDER, 45),
    (OrderType.YOUTH_REHABILITATION_ORDER, 40),
    (OrderType.REPARATION_ORDER, 8),
    (OrderType.DETENTION_TRAINING_ORDER, 7),
]
OUT_OF_COURT = [
    (OrderType.YOUTH_CONDITIONAL_CAUTION, 50),
    (OrderType.YOUTH_CAUTION, 30),
    (OrderType.COMMUNITY_RESOLUTION, 20),
]
#: Why a young person did not start ECM (the parent's refusal only when it is required).
NOT_STARTED = [("ineligible", 40), ("young_person_refused", 35), ("parent_refused", 15), ("", 10)]
#: How a case ends, how often, and how long it lasts before it does (days).
ENDINGS = [
    (EndReason.COMPLETED, 55, 240, 720),
    (EndReason.WITHDRAWN, 15, 30, 300),
    (EndReason.MOVED_AWAY, 10, 30, 400),
    (EndReason.CUSTODY, 12, 30, 400),
    (EndReason.OTHER, 8, 30, 400),
]
KINDS = [
    ("one_to_one", 50),
    ("home_visit", 20),
    ("phone", 12),
    ("group", 6),
    ("agency_session", 8),
    ("other", 4),
]
NOT_ATTENDED = [
    (Attendance.DID_NOT_ATTEND, 45),
    (Attendance.CANCELLED_BY_YOUNG_PERSON, 20),
    (Attendance.CANCELLED_BY_SERVICE, 18),
    (Attendance.REARRANGED, 17),
]
MISSED_OUTCOMES = {
    Attendance.DID_NOT_ATTEND: "Did not attend; texted to rearrange.",
    Attendance.CANCELLED_BY_YOUNG_PERSON: "Cancelled by text the same morning.",
    Attendance.CANCELLED_BY_SERVICE: "Practitioner off sick; rearranged.",
    Attendance.REARRANGED: "Moved to later in the week at the young person's request.",
}
TIMES = [clock(hour, minute) for hour in range(9, 18) for minute in (0, 30)]
NEED_EVIDENCE = [
    "Identified in the AssetPlus assessment.",
    "Reported by the school.",
    "Disclosed by the young person in interview.",
    "From the children's services referral.",
    "Confirmed in a CAMHS assessment letter.",
]
BREACH_NOTES = [
    "Missed three appointments in a row.",
    "Did not attend the reparation session twice.",
    "Broke the curfew condition.",
]
REFUSAL_NOTES = [
    "Did not want another worker involved.",
    "Said they already had too many appointments.",
    "",
]
WITHDRAWAL_NOTES = [
    "Said the sessions were too much alongside college.",
    "Felt they no longer needed the support.",
    "Did not get on with the worker and wanted to stop.",
    "Family moving out of the area soon; did not see the point.",
]
EVALUATION_WITHDRAWAL_NOTES = [
    "Does not want their information used for research any more.",
    "Parent asked for the information not to be used in the evaluation.",
]
OVERRIDE_IN = [
    "Offending is escalating; the panel agreed ECM is the right response.",
    "Needs are severe and complex; the manager agreed to offer ECM.",
]
OVERRIDE_OUT = ["Already receiving intensive support from children's services."]
TRM_RATIONALES = {
    1: "No routine at home; chaotic and unpredictable contact.",
    2: "Starting to trust the key worker but tests the relationship.",
    3: "Angry outbursts when challenged; working on calming strategies.",
    4: "Trauma history surfacing as trust grows; referred for therapy.",
    5: "Beginning to reflect on offending and its effect on others.",
    6: "Talking about college and a future; new pro-social friends.",
    7: "Managing with less support; planning the step-down.",
}
#: TRM stage, what, responsible agency code (or None), responsible person
INTERVENTIONS = [
    (1, "Agree a weekly routine and a consistent key worker", None, "YOT key worker"),
    (1, "Stabilise accommodation with the housing officer", "housing", "Housing officer"),
    (2, "Mentoring with the same mentor every week", None, "Mentor"),
    (3, "Emotional regulation work: noticing anger early", "health", "CAMHS practitioner"),
    (3, "Substance misuse sessions", "substance_misuse", "Substance misuse worker"),
    (4, "Trauma-focused therapy", "facts", "FACTS clinician"),
    (5, "Victim awareness and offence-focused sessions", None, "YOT key worker"),
    (6, "College taster days and an application", "education", "Careers adviser"),
    (7, "Transition plan and step-down of support", "childrens_services", "Social worker"),
]
AGREED_ACTIONS = [
    ("Share the formulation with the school", "YOT key worker"),
    ("Refer to CAMHS for an assessment", "Psychologist"),
    ("Arrange a home visit with the parent", "YOT key worker"),
    ("Find a mentor with an interest in football", "Mentoring service"),
]
SUPERVISION_NOTES = [
    "Talked through engagement and what is working in sessions.",
    "Explored how the formulation explains the recent missed appointments.",
    "Reviewed the TRM stage and whether offence-focused work is premature.",
]
PRIVATE_NOTES = [
    "Practitioner reflected on feeling stuck with one case.",
    "Discussed the emotional impact of a difficult disclosure.",
]
SUPERVISION_ACTIONS = [
    "Try a walk-and-talk session",
    "Ask the school about a reduced timetable",
    "Book a joint visit with the psychologist",
]


def _cumulative(weighted):
    values, weights = zip(*weighted, strict=True)
    total, cum = 0.0, []
    for weight in weights:
        total += weight
        cum.append(total)
    return list(values), cum


GENDER_CHOICES = _cumulative(GENDERS)
ETHNICITY_CHOICES = _cumulative(ETHNICITIES)
OFFENCE_CHOICES = _cumulative([((text, gravity), weight) for text, gravity, weight in OFFENCES])
STATUTORY_CHOICES = _cumulative(STATUTORY_ORDERS)
OUT_OF_COURT_CHOICES = _cumulative(OUT_OF_COURT)
NOT_STARTED_CHOICES = _cumulative(NOT_STARTED)
ENDING_CHOICES = _cumulative([((r, low, high), weight) for r, weight, low, high in ENDINGS])
KIND_CHOICES = _cumulative(KINDS)
NOT_ATTENDED_CHOICES = _cumulative(NOT_ATTENDED)


def team_name(index: int) -> str:
    """A Welsh-sounding, made-up name for team `index` (1-based)."""
    start = PLACE_STARTS[(index - 1) % len(PLACE_STARTS)]
    end = PLACE_ENDS[((index - 1) // len(PLACE_STARTS)) % len(PLACE_ENDS)]
    cycle = (index - 1) // (len(PLACE_STARTS) * len(PLACE_ENDS))
    name = f"{start}{end} Youth Justice Service"
    return f"{name} {cycle + 1}" if cycle else name


def reference(seed: int, number: int) -> str:
    return f"SCALE-{seed}-{number}"


# --- Writing ------------------------------------------------------------------------------------


class Table:
    """Rows for one model as tuples of `fields` values, with the other columns constant.

    Columns not named are filled with `constants` or else the field's default, once, so
    COPY and `bulk_create` write the same thing. `resolve` is the number of leading values
    that are unsaved model instances (parents) whose primary key is only known at flush.
    """

    def __init__(self, model, fields, resolve=1, **constants):
        self.model = model
        self.fields = list(fields)
        self.resolve = resolve
        concrete = [f for f in model._meta.concrete_fields if not f.primary_key]
        names = set(self.fields)
        for model_field in concrete:
            if model_field.attname not in names and model_field.attname not in constants:
                constants[model_field.attname] = model_field.get_default()
        self.constants = constants
        self.tail = tuple(constants.values())
        by_attname = {f.attname: f for f in concrete}
        columns = [by_attname[name] for name in [*self.fields, *constants]]
        quote = connection.ops.quote_name
        not_null_text = [
            quote(f.column)
            for f in columns
            if not f.null and isinstance(f, models.CharField | models.TextField)
        ]
        options = "FORMAT csv"
        if not_null_text:
            # CSV reads an unquoted empty value as NULL; these columns hold "" instead.
            options += f", FORCE_NOT_NULL ({', '.join(not_null_text)})"
        self.copy_sql = (
            f"COPY {quote(model._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in columns)}) FROM STDIN WITH ({options})"
        )

    def resolved(self, rows):
        """The rows with their leading parent instances replaced by their primary keys."""
        if self.resolve == 0:
            return rows
        if self.resolve == 1:
            return [(row[0].pk, *row[1:]) for row in rows]
        return [
            (
                *(
                    value if value is None or isinstance(value, int) else value.pk
                    for value in row[:2]
                ),
            )
            + row[2:]
            for row in rows
        ]


class Writer:
    """Writes rows in batches, by COPY on PostgreSQL or `bulk_create`; times every table."""

    def __init__(self, *, batch_size: int, method: str = "auto"):
        if method == "auto":
            method = "copy" if connection.vendor == "postgresql" else "bulk_create"
        if method == "copy" and connection.vendor != "postgresql":
            raise ValueError("COPY needs PostgreSQL; use bulk_create")
        self.batch_size = batch_size
        self.method = method
        #: model label -> [rows, seconds]
        self.stats: dict[str, list] = defaultdict(lambda: [0, 0.0])
        self.db_tables: dict[str, str] = {}

    def _count(self, model, rows, started):
        entry = self.stats[model._meta.label]
        entry[0] += rows
        entry[1] += time.perf_counter() - started
        self.db_tables[model._meta.label] = model._meta.db_table

    def analyse(self) -> None:
        """Refresh PostgreSQL's planner statistics for every table written (as autovacuum would)."""
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for db_table in sorted(set(self.db_tables.values())):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(db_table)}")
        self.stats["ANALYZE"][1] += time.perf_counter() - started

    def summarise(self, young_person_ids: list[int]) -> None:
        """Compute the stored case summaries (bulk writes send no signals; `cases.summary`).

        Call it after `analyse`: each summary is a set of subqueries over the records, which
        PostgreSQL plans from the statistics. The summary tables get theirs afterwards.
        """
        if not young_person_ids:
            return
        started = time.perf_counter()
        summary.refresh(young_person_ids)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in summary.tables():
                    cursor.execute(
                        f"ANALYZE {connection.ops.quote_name(table.model._meta.db_table)}"
                    )
        entry = self.stats["case summaries (cases.summary)"]
        entry[0] += len(young_person_ids) * len(summary.tables())
        entry[1] += time.perf_counter() - started

    def create(self, objects):
        """Save model instances that others point at (their primary keys come back)."""
        if not objects:
            return
        started = time.perf_counter()
        type(objects[0]).objects.bulk_create(objects, batch_size=self.batch_size)
        self._count(type(objects[0]), len(objects), started)

    def insert(self, table: Table, rows):
        """Save rows that nothing generated here points at (no primary keys needed)."""
        if not rows:
            return
        started = time.perf_counter()
        rows = table.resolved(rows)
        if self.method == "copy":
            with connection.cursor() as cursor:
                for start in range(0, len(rows), self.batch_size):
                    buffer = io.StringIO()
                    tail = table.tail
                    csv.writer(buffer, lineterminator="\n").writerows(
                        row + tail for row in rows[start : start + self.batch_size]
                    )
                    buffer.seek(0)
                    cursor.copy_expert(table.copy_sql, buffer)
        else:
            model, names, constants = table.model, table.fields, table.constants
            model.objects.bulk_create(
                [model(**dict(zip(names, row, strict=True)), **constants) for row in rows],
                batch_size=self.batch_size,
            )
        self._count(table.model, len(rows), started)


# --- Progress -----------------------------------------------------------------------------------


def _short(number: int) -> str:
    if number >= 1_000_000:
        return f"{number / 1_000_000:.1f}M"
    if number >= 10_000:
        return f"{number / 1000:.0f}k"
    return f"{number:,}"


class Progress:
    """A progress bar: redrawn in place on a terminal, else a plain line every 5%."""

    WIDTH = 20

    def __init__(self, write, *, tty: bool, total: int, flush=None):
        self.write = write
        self.flush = flush or (lambda: None)
        self.tty = tty
        self.total = max(total, 1)
        self.started = time.monotonic()
        self.last_step = -1
        self.last_draw = 0.0
        self.last_width = 0

    def line(self, done: int, appointments: int) -> str:
        fraction = min(done / self.total, 1.0)
        filled = int(fraction * self.WIDTH)
        elapsed = time.monotonic() - self.started
        left = elapsed / fraction - elapsed if fraction else 0.0
        return (
            f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {int(fraction * 100):3d}% "
            f"{done:,}/{self.total:,} young people, {_short(appointments)} appointments, "
            f"{elapsed:.0f} s elapsed, ~{left:.0f} s left"
        )

    def update(self, done: int, appointments: int) -> None:
        if self.tty:
            now = time.monotonic()
            if done < self.total and now - self.last_draw < 0.2:
                return
            self.last_draw = now
            text = self.line(done, appointments)
            # Pad over what a longer previous line left behind.
            self.write("\r" + text.ljust(self.last_width))
            self.last_width = len(text)
            self.flush()
            return
        step = int(min(done / self.total, 1.0) * 20)  # every 5%
        if step > self.last_step:
            self.last_step = step
            self.write(self.line(done, appointments) + "\n")

    def finish(self) -> None:
        if self.tty:
            self.write("\n")
            self.flush()


# --- Generation ---------------------------------------------------------------------------------


@dataclass
class Result:
    teams_created: int = 0
    staff_created: int = 0
    young_people_created: int = 0
    young_people_skipped: int = 0
    seconds: float = 0.0
    method: str = ""
    #: model label -> (rows, seconds spent writing them)
    tables: dict = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(rows for rows, _seconds in self.tables.values())


@dataclass
class _Staff:
    practitioners: list  # [(user id, username)]
    managers: list  # [user id]
    psychologist: int


@dataclass
class _Person:
    """One young person's records, waiting for the person's primary key."""

    person: YoungPerson
    rows: dict  # Table key -> list of row tuples (first value: the instance to resolve)


class _Generator:
    def __init__(self, *, seed, appointments_per_person, writer):
        self.seed = seed
        self.writer = writer
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.rate = appointments_per_person / MEAN_DAYS_ON_ECM
        self.appointments = 0
        #: practitioner id -> [(young person id, start, end)] for supervision
        self.caseloads: dict[int, list] = defaultdict(list)

    # Reference data and staff -------------------------------------------------------------

    def load_reference_data(self):
        ensure_defaults(NeedCategory, TRMStage)
        ensure_default_policies(EligibilityPolicy)
        existing = set(Agency.objects.values_list("code", flat=True))
        Agency.objects.bulk_create(
            [Agency(code=code, name=name) for code, name in AGENCIES if code not in existing]
        )
        self.agencies = {agency.code: agency for agency in Agency.objects.order_by("code")}
        categories = list(NeedCategory.objects.filter(active=True).order_by("code"))
        self.need_choices = (
            [(category.pk, category.code, str(category.label)) for category in categories],
            list(_running([NEED_WEIGHTS.get(category.code, 1) for category in categories])),
        )
        self.stages = {stage.number: stage.pk for stage in TRMStage.objects.all()}
        self.policies = list(
            EligibilityPolicy.objects.filter(status=PolicyStatus.ACTIVE).order_by(
                "-effective_from", "-version"
            )
        )
        self.parameters = {policy.pk: policy.parameters for policy in self.policies}
        self.order_labels = {value: str(label) for value, label in OrderType.choices}
        invitable = [a.pk for code, a in self.agencies.items() if code != "facts"]
        self.invitable = invitable or [a.pk for a in self.agencies.values()]
        self.agency_names = {a.pk: a.name for a in self.agencies.values()}

    def ensure_teams(self, count: int) -> tuple[dict[int, Team], int]:
        codes = {index: TEAM_CODE.format(index) for index in range(1, count + 1)}
        existing = set(Team.objects.filter(code__in=codes.values()).values_list("code", flat=True))
        missing = [
            Team(code=code, name=team_name(index))
            for index, code in codes.items()
            if code not in existing
        ]
        self.writer.create(missing)
        teams = {team.code: team for team in Team.objects.filter(code__in=codes.values())}
        return {index: teams[code] for index, code in codes.items()}, len(missing)

    def ensure_staff(self, teams: dict[int, Team], people_per_team: dict[int, int]):
        """Practitioners, managers and psychologists for every team; returns (staff, created)."""
        wanted = {}  # username -> (first, last, agency id, [(role, team id)])
        facts = self.agencies.get("facts")
        plan: dict[int, tuple[list, list, str]] = {}
        for index, team in teams.items():
            practitioners = [
                f"{STAFF_PREFIX}t{index:03d}-practitioner-{number:02d}"
                for number in range(
                    1,
                    max(1, math.ceil(people_per_team.get(index, 0) / PEOPLE_PER_PRACTITIONER)) + 1,
                )
            ]
            managers = [
                f"{STAFF_PREFIX}t{index:03d}-manager-{number}"
                for number in range(1, (2 if len(practitioners) >= 8 else 1) + 1)
            ]
            group = (index - 1) // TEAMS_PER_PSYCHOLOGIST + 1
            psychologist = f"{STAFF_PREFIX}psychologist-{group:03d}"
            plan[index] = (practitioners, managers, psychologist)
            for username in practitioners:
                wanted[username] = (None, [(Role.PRACTITIONER, team.pk)])
            for username in managers:
                wanted[username] = (None, [(Role.MANAGER, team.pk)])
            entry = wanted.setdefault(psychologist, (facts.pk if facts else None, []))
            entry[1].append((Role.PSYCHOLOGIST, team.pk))

        existing = dict(
            User.objects.filter(username__startswith=STAFF_PREFIX).values_list("username", "id")
        )
        password = make_password(None)  # unusable, hashed once for everyone
        new_users = []
        for username, (agency_id, _roles) in wanted.items():
            if username in existing:
                continue
            names = random.Random(username)  # noqa: S311 - fiction, the same every run
            given = names.choice(MALE_NAMES + FEMALE_NAMES)
            new_users.append(
                User(
                    username=username,
                    first_name=("Dr " + given) if "psychologist" in username else given,
                    last_name=names.choice(FAMILY_NAMES),
                    email=f"{username}@example.org",
                    password=password,
                    staff_ref=username,
                    agency_id=agency_id,
                    is_active=True,
                )
            )
        self.writer.create(new_users)
        ids = dict(
            User.objects.filter(username__startswith=STAFF_PREFIX).values_list("username", "id")
        )
        held = set(
            Membership.objects.filter(user__username__startswith=STAFF_PREFIX).values_list(
                "user_id", "role", "team_id"
            )
        )
        memberships = [
            (ids[username], role, team_id)
            for username, (_agency, roles) in wanted.items()
            for role, team_id in roles
            if (ids[username], role, team_id) not in held
        ]
        self.writer.insert(
            Table(Membership, ["user_id", "role", "team_id"], resolve=0), memberships
        )
        staff = {
            index: _Staff(
                practitioners=[(ids[name], name) for name in practitioners],
                managers=[ids[name] for name in managers],
                psychologist=ids[psychologist],
            )
            for index, (practitioners, managers, psychologist) in plan.items()
        }
        return staff, len(new_users)

    # Helpers ----------------------------------------------------------------------------

    def at(self, day: date, when: clock = clock(16, 0)) -> datetime:
        """An aware moment on a day, never later than now."""
        moment = datetime.combine(day, when, tzinfo=self.tz)
        return moment if moment <= self.now else self.now

    def policy_on(self, day: date):
        for policy in self.policies:
            if policy.in_force_on(day):
                return policy
        return None

    # One young person -------------------------------------------------------------------

    def person(self, number: int, team: Team, practitioner: int, staff: _Staff) -> _Person:
        rng = random.Random(f"{self.seed}:{number}")  # noqa: S311 - reproducible fiction
        today = self.today
        referral = today - timedelta(days=rng.randint(0, HISTORY_DAYS))
        age = rng.randint(10, 17)
        youngest = referral - relativedelta(years=age)  # the birthday is the referral date
        oldest = referral - relativedelta(years=age + 1) + timedelta(days=1)
        born = oldest + timedelta(days=rng.randint(0, (youngest - oldest).days))
        tenth = born + relativedelta(years=10)  # the age of criminal responsibility
        gender = rng.choices(*GENDER_CHOICES)[0]
        names = {"male": MALE_NAMES, "female": FEMALE_NAMES}.get(gender, MALE_NAMES + FEMALE_NAMES)
        parent_required = age < 16
        manager = staff.managers[number % len(staff.managers)]
        person = YoungPerson(
            team=team,
            reference=reference(self.seed, number),
            given_name=rng.choice(names),
            family_name=rng.choice(FAMILY_NAMES),
            date_of_birth=born,
            gender=gender,
            ethnicity=rng.choices(*ETHNICITY_CHOICES)[0],
            practitioner_id=practitioner,
            referral_date=referral,
            parent_consent_required=parent_required,
            created_at=self.at(referral, clock(10, 0)),
            created_by_id=practitioner,
        )
        rows = defaultdict(list)
        record = (practitioner, self.at(referral))

        # The pathway first: everything below is made to fit it.
        wants_to_start = rng.random() < START_RATE
        blocker = "" if wants_to_start else rng.choices(*NOT_STARTED_CHOICES)[0]
        if blocker == "parent_refused" and not parent_required:
            blocker = "young_person_refused"
        gap = rng.randint(2, 60)
        start = referral + timedelta(days=gap)

        # Needs: 3 to 7 categories, all recorded by the referral date.
        categories, cum = self.need_choices
        chosen: dict[int, tuple] = {}
        wanted = min(rng.randint(3, 7), len(categories))
        while len(chosen) < wanted:
            category = rng.choices(categories, cum_weights=cum)[0]
            chosen.setdefault(category[0], category)
        needs = []
        for category_id, code, label in chosen.values():
            recorded_on = max(referral - timedelta(days=rng.randint(0, 90)), born)
            needs.append((code, label, recorded_on))
            rows["need"].append(
                (person, category_id, recorded_on, rng.choice(NEED_EVIDENCE), *record)
            )

        # Why someone is ineligible: too few offences, no statutory order (and not taking part
        # voluntarily), or a manager's override of criteria that were met. A few who start
        # had too few offences and were let in by an override.
        why = rng.choices(["offences", "order", "override"], [55, 35, 10])[0]
        if blocker != "ineligible":
            why = "offences" if wants_to_start and rng.random() < 0.05 else ""

        # Offences: several in the 24 months before the referral, fewer if ineligible.
        short_of_offences = why == "offences"
        in_window = rng.randint(1, 4) if short_of_offences else rng.randint(5, 9)
        earliest = max(referral - timedelta(days=729), tenth)
        offence_dates = []
        for _ in range(in_window):
            offence_dates.append(
                referral - timedelta(days=rng.randint(0, (referral - earliest).days))
            )
        before_window = (referral - timedelta(days=730) - tenth).days
        if before_window > 0:
            for _ in range(rng.choice([0, 0, 1, 2, 3])):
                offence_dates.append(tenth + timedelta(days=rng.randint(0, before_window)))

        # Orders: mostly a statutory order in force on the referral date.
        statutory = why != "order" and rng.random() < 0.88
        orders = []
        if statutory:
            order_start = max(referral - timedelta(days=rng.randint(0, 90)), tenth)
            main_order = self.order(
                person,
                rng.choices(*STATUTORY_CHOICES)[0],
                order_start,
                referral + timedelta(days=rng.randint(60, 540)),
                practitioner,
            )
        else:
            order_type = rng.choices(*OUT_OF_COURT_CHOICES)[0]
            order_start = max(referral - timedelta(days=rng.randint(0, 60)), tenth)
            ends = order_type == OrderType.YOUTH_CONDITIONAL_CAUTION
            main_order = self.order(
                person,
                order_type,
                order_start,
                order_start + timedelta(days=rng.randint(28, 180)) if ends else None,
                practitioner,
            )
        orders.append(main_order)
        if rng.random() < 0.35:  # an earlier, finished order
            earlier_end = referral - timedelta(days=rng.randint(30, 400))
            earlier_start = earlier_end - timedelta(days=rng.randint(60, 365))
            if earlier_start >= tenth:
                orders.append(
                    self.order(
                        person,
                        rng.choice([OrderType.REFERRAL_ORDER, OrderType.YOUTH_CAUTION]),
                        earlier_start,
                        earlier_end,
                        practitioner,
                    )
                )
        voluntary = not statutory and why != "order"

        # Eligibility: the rules, by the policy in force on the referral date.
        decided_on = referral + timedelta(days=rng.randint(0, min(10, gap - 1)))
        decision = None
        final_eligible = False
        policy = self.policy_on(referral)
        if policy is not None and decided_on <= today:
            facts = rules.Facts(
                referral_date=referral,
                offence_dates=tuple(sorted(offence_dates)),
                needs=tuple(sorted(needs, key=lambda need: (need[2], need[0]))),
                orders=tuple(
                    rules.OrderFact(
                        order_type=order.order_type,
                        label=self.order_labels[order.order_type],
                        start_date=order.start_date,
                        end_date=order.end_date,
                        statutory=order.order_type in STATUTORY_ORDER_TYPES,
                    )
                    for order in orders
                ),
                voluntary_participation=voluntary,
            )
            result = rules.evaluate(self.parameters[policy.pk], facts)
            decision = EligibilityDecision(
                young_person=person,
                policy=policy,
                decided_on=decided_on,
                eligible=result.eligible,
                criteria=[
                    {"code": c.code, "met": c.met, "evidence": c.evidence} for c in result.criteria
                ],
                voluntary_participation=voluntary,
                made_by_id=practitioner,
                made_at=self.at(decided_on, clock(11, 0)),
            )
            final_eligible = result.eligible
            override_on = decided_on + timedelta(
                days=rng.randint(0, gap - 1 - (decided_on - referral).days)
            )
            if wants_to_start and not result.eligible:
                final_eligible = True
                reason = rng.choice(OVERRIDE_IN)
            elif blocker == "ineligible" and result.eligible:
                final_eligible = False
                reason = rng.choice(OVERRIDE_OUT)
            else:
                reason = ""
            if reason and override_on <= today:
                rows["override"].append(
                    (decision, final_eligible, reason, manager, self.at(override_on, clock(12, 0)))
                )
            elif reason:
                final_eligible = result.eligible

        # Consent to take part (and to the evaluation), on or after the referral.
        consent_on = referral + timedelta(days=rng.randint(0, gap))
        young_person_gives = blocker != "young_person_refused"
        parent_gives = blocker != "parent_refused"
        asked = blocker != "ineligible" or rng.random() < 0.6
        if asked and consent_on <= today:
            self.consent_rows(
                rows, rng, person, record, referral, consent_on, young_person_gives, parent_gives
            )
        started = (
            wants_to_start
            and start <= today
            and decision is not None
            and final_eligible
            and asked
            and consent_on <= start
        )
        if not started:
            if statutory and rng.random() < 0.05:
                self.breach(rows, rng, person, record, main_order, referral, today)
            self.offence_rows(rows, rng, person, record, offence_dates)
            if decision is not None:
                rows["decision"].append(decision)
            rows["order"].extend(orders)
            return _Person(person, rows)

        # On ECM: start, perhaps an end, and everything that happens in between.
        person.ecm_start_date = start
        reason, shortest, longest = rng.choices(*ENDING_CHOICES)[0]
        end = start + timedelta(days=rng.randint(shortest, longest))
        if end <= today:
            person.ecm_end_date = end
            person.end_reason = reason
            if reason == EndReason.WITHDRAWN:
                person.end_note = rng.choice(WITHDRAWAL_NOTES)
                rows["consent"].append(
                    (
                        person,
                        ConsentParty.YOUNG_PERSON,
                        ConsentPurpose.PARTICIPATION,
                        ConsentDecision.WITHDRAWN,
                        end,
                        person.end_note,
                        practitioner,
                        self.at(end),
                    )
                )
        else:
            end = None
        last_day = end or today
        days_on = (last_day - start).days + 1

        if rng.random() < 0.05 and last_day > start:  # evaluation consent withdrawn later
            withdrawn_on = start + timedelta(days=rng.randint(1, days_on - 1))
            rows["consent"].append(
                (
                    person,
                    ConsentParty.YOUNG_PERSON,
                    ConsentPurpose.EVALUATION,
                    ConsentDecision.WITHDRAWN,
                    withdrawn_on,
                    rng.choice(EVALUATION_WITHDRAWAL_NOTES),
                    practitioner,
                    self.at(withdrawn_on),
                )
            )
        # Reoffending after the start.
        for _ in range(rng.choices([0, 1, 2, 3], weights=[50, 25, 15, 10])[0]):
            offence_dates.append(start + timedelta(days=rng.randint(0, days_on - 1)))
        self.offence_rows(rows, rng, person, record, offence_dates)
        if statutory and rng.random() < 0.18:
            for _ in range(rng.randint(1, 2)):
                self.breach(rows, rng, person, record, main_order, start, last_day)
        if end is not None and person.end_reason == EndReason.CUSTODY:
            custody_start = max(end - timedelta(days=rng.randint(0, 7)), start)
            self.custody(rows, rng, person, record, custody_start, rng.randint(60, 540))
        elif rng.random() < 0.05:  # a short remand
            custody_start = start + timedelta(days=rng.randint(0, days_on - 1))
            self.custody(rows, rng, person, record, custody_start, rng.randint(3, 45))

        self.trm_and_formulation(rows, rng, person, practitioner, staff, start, end, last_day)
        self.appointment_rows(rows, rng, person, practitioner, start, end, days_on)
        if decision is not None:
            rows["decision"].append(decision)
        rows["order"].extend(orders)
        return _Person(person, rows)

    def order(self, person, order_type, start, end, practitioner) -> Order:
        return Order(
            young_person=person,
            order_type=order_type,
            start_date=start,
            end_date=end,
            recorded_by_id=practitioner,
            recorded_at=self.at(start),
        )

    def offence_rows(self, rows, rng, person, record, offence_dates):
        for committed_on, (description, gravity) in zip(
            offence_dates, rng.choices(*OFFENCE_CHOICES, k=len(offence_dates)), strict=True
        ):
            proven_on = committed_on + timedelta(days=rng.randint(7, 120))
            if proven_on > self.today or rng.random() < 0.08:
                proven_on = None
            rows["offence"].append(
                (
                    person,
                    committed_on,
                    description,
                    gravity,
                    proven_on,
                    record[0],
                    self.at(max(committed_on, person.referral_date)),
                )
            )

    def breach(self, rows, rng, person, record, order, earliest, latest):
        first = max(order.start_date, earliest)
        last = min(order.end_date or self.today, latest, self.today)
        if last < first:
            return
        breach_on = first + timedelta(days=rng.randint(0, (last - first).days))
        rows["breach"].append(
            (person, order, breach_on, rng.choice(BREACH_NOTES), record[0], self.at(breach_on))
        )

    def custody(self, rows, rng, person, record, start, length):
        end = start + timedelta(days=length)
        rows["custody"].append(
            (person, start, end if end <= self.today else None, record[0], self.at(start))
        )

    def consent_rows(self, rows, rng, person, record, referral, on, young_person, parent):
        practitioner = record[0]

        def add(party, purpose, decision, day, note=""):
            rows["consent"].append(
                (person, party, purpose, decision, day, note, practitioner, self.at(day))
            )

        if young_person and on > referral and rng.random() < 0.1:  # said no, then yes
            add(
                ConsentParty.YOUNG_PERSON,
                ConsentPurpose.PARTICIPATION,
                ConsentDecision.REFUSED,
                referral + timedelta(days=rng.randint(0, (on - referral).days - 1)),
                rng.choice(REFUSAL_NOTES),
            )
        add(
            ConsentParty.YOUNG_PERSON,
            ConsentPurpose.PARTICIPATION,
            ConsentDecision.GIVEN if young_person else ConsentDecision.REFUSED,
            on,
            "" if young_person else rng.choice(REFUSAL_NOTES),
        )
        if person.parent_consent_required:
            add(
                ConsentParty.PARENT_CARER,
                ConsentPurpose.PARTICIPATION,
                ConsentDecision.GIVEN if parent else ConsentDecision.REFUSED,
                on,
            )
        if young_person or rng.random() < 0.5:
            add(
                ConsentParty.YOUNG_PERSON,
                ConsentPurpose.EVALUATION,
                ConsentDecision.GIVEN if rng.random() < 0.82 else ConsentDecision.REFUSED,
                on,
            )
            if person.parent_consent_required:
                add(
                    ConsentParty.PARENT_CARER,
                    ConsentPurpose.EVALUATION,
                    ConsentDecision.GIVEN if rng.random() < 0.85 else ConsentDecision.REFUSED,
                    on,
                )

    def trm_and_formulation(self, rows, rng, person, practitioner, staff, start, end, last_day):
        """TRM assessments (1 to 5), formulation meetings with attendance, and the plan."""
        today = self.today
        chair = staff.psychologist
        stage = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
        assessed_on = min(start + timedelta(days=rng.randint(0, 14)), last_day)
        rows["trm"].append(
            (
                person,
                self.stages[stage],
                assessed_on,
                TRM_RATIONALES[stage],
                practitioner,
                self.at(assessed_on),
            )
        )
        assessments = 1
        invited = rng.sample(self.invitable, k=min(len(self.invitable), rng.randint(3, 6)))
        initial = start + timedelta(
            days=rng.randint(14, 56) if rng.random() < 0.88 else rng.randint(57, 120)
        )
        held_on = initial
        number = 0
        plan_from = None
        while held_on <= (end or today + timedelta(days=120)):
            kind = MeetingKind.INITIAL if number == 0 else MeetingKind.REVIEW
            if held_on > today:
                status = MeetingStatus.SCHEDULED
            elif number and rng.random() < 0.05:
                status = MeetingStatus.CANCELLED
            else:
                status = MeetingStatus.HELD
            meeting = FormulationMeeting(
                young_person=person,
                meeting_ref=f"{person.reference}-FM{number + 1:02d}",
                held_on=held_on,
                kind=kind,
                status=status,
                chair_id=chair,
                created_at=self.at(held_on - timedelta(days=14), clock(9, 0)),
            )
            rows["meeting"].append(meeting)
            held = status == MeetingStatus.HELD
            chance = max(0.3, 0.9 - 0.15 * number)  # attendance tails off over reviews
            for agency_id in invited:
                attended = (rng.random() < chance) if held else None
                name = f"{self.agency_names[agency_id]} representative" if attended else ""
                rows["attendance"].append((meeting, agency_id, attended, name))
            if held:
                plan_from = plan_from or held_on
                step = (
                    rng.choice([0, 0, 1])
                    if number == 0
                    else rng.choices([1, 0, -1], [55, 30, 15])[0]
                )
                agreed = max(1, min(7, stage + step))
                if (number == 0 or agreed != stage) and assessments < 5:
                    stage = agreed
                    assessments += 1
                    rows["trm"].append(
                        (
                            person,
                            self.stages[stage],
                            held_on,
                            "Agreed at the formulation meeting: " + TRM_RATIONALES[stage],
                            chair,
                            self.at(held_on, clock(17, 0)),
                        )
                    )
                formulation = Formulation(
                    meeting=meeting,
                    **FIVE_PS,
                    timeline_notes="Moved house four times before the age of 11.",
                    young_person_views="Wants to stay out of trouble and get a job.",
                    family_views="Worried about the friends they spend time with.",
                    trm_stage_id=self.stages[stage],
                    trm_reasoning=TRM_RATIONALES[stage],
                    next_review_on=held_on + timedelta(days=90),
                    recorded_by_id=chair,
                    recorded_at=self.at(held_on, clock(17, 0)),
                )
                rows["formulation"].append(formulation)
                for description, owner in rng.sample(AGREED_ACTIONS, k=rng.randint(1, 2)):
                    due_on = held_on + timedelta(days=rng.randint(7, 28))
                    done_on = due_on + timedelta(days=rng.randint(-5, 10))
                    if done_on > today or done_on < held_on or rng.random() < 0.25:
                        done_on = None
                    rows["action"].append((formulation, description, owner, due_on, done_on))
            if status == MeetingStatus.SCHEDULED:
                break
            number += 1
            held_on = held_on + timedelta(days=rng.randint(80, 105))

        # The intervention plan, sequenced by TRM stage.
        base = plan_from or start + timedelta(days=14)
        picked = sorted(rng.sample(range(len(INTERVENTIONS)), k=rng.randint(2, 5)))
        for sequence, index in enumerate(picked, start=1):
            stage_number, title, agency_code, who = INTERVENTIONS[index]
            planned = base + timedelta(days=21 * (sequence - 1))
            if end is not None:
                status = (
                    InterventionStatus.DONE
                    if planned + timedelta(days=60) <= end
                    else InterventionStatus.STOPPED
                )
            elif planned + timedelta(days=90) <= today:
                status = InterventionStatus.DONE
            elif planned <= today:
                status = InterventionStatus.ACTIVE
            else:
                status = InterventionStatus.PLANNED
            agency = self.agencies.get(agency_code) if agency_code else None
            rows["item"].append(
                (
                    person,
                    title,
                    self.stages[stage_number],
                    agency.pk if agency else None,
                    who,
                    planned,
                    status,
                    sequence,
                    practitioner,
                    self.at(min(base, today)),
                )
            )

    def appointment_rows(self, rows, rng, person, practitioner, start, end, days_on):
        """Contacts spread over the time on ECM, plus the next one or two for open cases."""
        count = max(1, round(days_on * self.rate * rng.uniform(0.7, 1.3)))
        attends = rng.uniform(0.55, 0.9)
        engagement = rng.randint(1, 3)
        kinds = rng.choices(*KIND_CHOICES, k=count)
        purposes = rng.choices(PURPOSES, k=count)
        times = rng.choices(TIMES, k=count)
        now, tz, out = self.now, self.tz, rows["appointment"]
        hour = timedelta(hours=1)
        step = days_on / count
        for index in range(count):
            day = start + timedelta(days=int((index + rng.random()) * step))
            starts_at = datetime.combine(day, times[index], tzinfo=tz)
            recorded_at = starts_at + hour
            if starts_at > now:
                attendance, rating, outcome, recorded_at = "", None, "", now
            elif rng.random() < attends:
                attendance = Attendance.ATTENDED
                progress = index / count
                rating = min(
                    5, max(1, engagement + int(progress * 2.5) + rng.choice((-1, 0, 0, 1)))
                )
                outcome = rng.choice(OUTCOMES)
                recorded_at = min(recorded_at, now)
            else:
                attendance = rng.choices(*NOT_ATTENDED_CHOICES)[0]
                rating, outcome = None, MISSED_OUTCOMES[attendance]
                recorded_at = min(recorded_at, now)
            out.append(
                (
                    person,
                    starts_at,
                    kinds[index],
                    purposes[index],
                    attendance,
                    rating,
                    outcome,
                    practitioner,
                    practitioner,
                    recorded_at,
                )
            )
        if end is None:  # the next appointments, not yet held
            for ahead in sorted(rng.sample(range(1, 15), k=rng.randint(1, 2))):
                day = self.today + timedelta(days=ahead)
                out.append(
                    (
                        person,
                        datetime.combine(day, rng.choice(TIMES), tzinfo=tz),
                        "one_to_one",
                        rng.choice(PURPOSES),
                        "",
                        None,
                        "",
                        practitioner,
                        practitioner,
                        now,
                    )
                )
                count += 1
        self.appointments += count

    # Supervision ------------------------------------------------------------------------

    def supervision(self, staff: _Staff, team: Team, existing_refs: set, rows):
        """Monthly sessions per practitioner, discussing one to three of their open cases."""
        today = self.today
        for practitioner, username in staff.practitioners:
            cases = self.caseloads.pop(practitioner, [])
            if not cases:
                continue
            rng = random.Random(f"{self.seed}:supervision:{username}")  # noqa: S311
            first = min(start for _pk, start, _end in cases)
            month = date(first.year, first.month, 1)
            while month <= today:
                held_on = month + timedelta(days=rng.randint(0, 27))
                month = (month + timedelta(days=32)).replace(day=1)
                if held_on > today or rng.random() < 0.1:  # some months are missed
                    continue
                open_cases = [
                    pk
                    for pk, start, end in cases
                    if start <= held_on and (end is None or held_on <= end)
                ]
                if not open_cases:
                    continue
                session_ref = f"SCALE-{self.seed}-{username}-{held_on:%Y%m}"
                if session_ref in existing_refs:
                    continue
                session = SupervisionSession(
                    session_ref=session_ref,
                    held_on=held_on,
                    psychologist_id=staff.psychologist,
                    practitioner_id=practitioner,
                    team=team,
                    shared_notes=rng.choice(SUPERVISION_NOTES),
                    private_notes=rng.choice(PRIVATE_NOTES),
                    created_at=self.at(held_on, clock(15, 0)),
                )
                rows["session"].append(session)
                discussed = rng.sample(open_cases, k=min(len(open_cases), rng.randint(1, 3)))
                for pk in discussed:
                    rows["discussed"].append((session, pk))
                if rng.random() < 0.5:
                    due_on = held_on + timedelta(days=rng.randint(14, 28))
                    done_on = due_on if due_on + timedelta(days=7) <= today else None
                    rows["supervision_action"].append(
                        (
                            session,
                            discussed[0],
                            rng.choice(SUPERVISION_ACTIONS),
                            "Practitioner",
                            due_on,
                            done_on,
                        )
                    )


def _running(weights):
    total = 0
    for weight in weights:
        total += weight
        yield total


def _tables() -> dict[str, Table]:
    archived = {"archived_at": None, "archived_reason": "", "archived_by_id": None}
    recorded = ["recorded_by_id", "recorded_at"]
    return {
        "need": Table(
            Need,
            ["young_person_id", "category_id", "recorded_on", "evidence", *recorded],
            **archived,
        ),
        "offence": Table(
            Offence,
            ["young_person_id", "committed_on", "description", "gravity", "proven_on", *recorded],
            **archived,
        ),
        "breach": Table(
            Breach,
            ["young_person_id", "order_id", "breach_date", "note", *recorded],
            resolve=2,
            **archived,
        ),
        "custody": Table(
            CustodyEpisode, ["young_person_id", "start_date", "end_date", *recorded], **archived
        ),
        "consent": Table(
            Consent,
            ["young_person_id", "party", "purpose", "decision", "decided_on", "note", *recorded],
            **archived,
        ),
        "trm": Table(
            TRMAssessment,
            ["young_person_id", "stage_id", "assessed_on", "rationale", *recorded],
            **archived,
        ),
        "appointment": Table(
            Appointment,
            [
                "young_person_id",
                "starts_at",
                "kind",
                "purpose",
                "attendance",
                "engagement",
                "outcome",
                "practitioner_id",
                *recorded,
            ],
            version=1,
            **archived,
        ),
        "override": Table(
            EligibilityOverride, ["decision_id", "eligible", "reason", "made_by_id", "made_at"]
        ),
        "attendance": Table(
            MeetingAttendance, ["meeting_id", "agency_id", "attended", "attendee_name"]
        ),
        "action": Table(
            AgreedAction, ["formulation_id", "description", "owner", "due_on", "done_on"]
        ),
        "item": Table(
            InterventionItem,
            [
                "young_person_id",
                "title",
                "trm_stage_id",
                "agency_id",
                "responsible_person",
                "planned_start",
                "status",
                "sequence",
                "created_by_id",
                "created_at",
            ],
            version=1,
        ),
        "discussed": Table(
            SupervisionSession.cases.through, ["supervisionsession_id", "youngperson_id"]
        ),
        "supervision_action": Table(
            SupervisionAction,
            ["session_id", "young_person_id", "description", "owner", "due_on", "done_on"],
        ),
    }


#: Leaf tables in the order they are written (after the instances they point at).
LEAVES = [
    "need",
    "offence",
    "consent",
    "trm",
    "appointment",
    "breach",
    "custody",
    "override",
    "attendance",
    "action",
    "item",
]


def team_assignment(seed: int, teams: int, young_people: int) -> list[int]:
    """The team (1-based) of young people 1..N: uneven sizes, the same prefix for any N."""
    rng = random.Random(f"{seed}:teams:{teams}")  # noqa: S311 - reproducible fiction
    weights = [rng.uniform(0.4, 1.6) for _ in range(teams)]
    return rng.choices(range(1, teams + 1), weights=weights, k=young_people)


def generate(
    *,
    teams: int,
    young_people: int,
    seed: int = 1,
    appointments_per_person: int = 40,
    batch_size: int = DEFAULT_BATCH_SIZE,
    people_per_transaction: int = DEFAULT_PEOPLE_PER_TRANSACTION,
    method: str = "auto",
    progress: Progress | None = None,
) -> Result:
    """Add the scale data that is missing (see the module docstring); returns what was done.

    One transaction per `people_per_transaction` young people (taken team by team); rows are
    written `batch_size` at a time. `method` is ``copy`` (PostgreSQL only), ``bulk_create``
    or ``auto`` (COPY on PostgreSQL, else `bulk_create`).
    """
    if teams < 1 or young_people < 0 or batch_size < 1 or people_per_transaction < 1:
        raise ValueError("teams, batch size and people per transaction must be positive")
    started = time.perf_counter()
    writer = Writer(batch_size=batch_size, method=method)
    generator = _Generator(
        seed=seed, appointments_per_person=appointments_per_person, writer=writer
    )
    result = Result(method=writer.method)
    tables = _tables()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        generator.load_reference_data()
        team_objects, result.teams_created = generator.ensure_teams(teams)
        assignment = team_assignment(seed, teams, young_people)
        per_team: dict[int, list[int]] = defaultdict(list)
        for number, team_index in enumerate(assignment, start=1):
            per_team[team_index].append(number)
        staff, result.staff_created = generator.ensure_staff(
            team_objects, {index: len(numbers) for index, numbers in per_team.items()}
        )

    # Young people team by team, so each team's supervision follows its last young person.
    queue = [
        (team_index, position, number)
        for team_index in sorted(per_team)
        for position, number in enumerate(per_team[team_index])
    ]
    last_of_team = {team_index: numbers[-1] for team_index, numbers in per_team.items()}
    to_summarise: list[int] = []
    done = 0
    if progress:
        progress.update(0, 0)
    for chunk_start in range(0, len(queue), people_per_transaction):
        chunk = queue[chunk_start : chunk_start + people_per_transaction]
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Check foreign keys as each batch lands, not all at commit, so the time of
                # each table includes its checks (the parents are always written first).
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            refs = {number: reference(seed, number) for _team, _pos, number in chunk}
            existing = dict(
                YoungPerson.objects.filter(reference__in=refs.values()).values_list(
                    "reference", "pk"
                )
            )
            # A run stopped part-way left its young people unsummarised: this run does them.
            to_summarise.extend(existing.values())
            people = []
            for team_index, position, number in chunk:
                if refs[number] in existing:
                    continue
                team_staff = staff[team_index]
                practitioner = team_staff.practitioners[position % len(team_staff.practitioners)][0]
                people.append(
                    generator.person(number, team_objects[team_index], practitioner, team_staff)
                )
            _write_people(writer, tables, people, generator)
            to_summarise.extend(entry.person.pk for entry in people)
            result.young_people_created += len(people)
            result.young_people_skipped += len(chunk) - len(people)

            finished = [t for t, _p, n in chunk if last_of_team[t] == n]
            if finished:
                refs_done = set(
                    SupervisionSession.objects.filter(
                        team__in=[team_objects[t] for t in finished],
                        session_ref__startswith=f"SCALE-{seed}-",
                    ).values_list("session_ref", flat=True)
                )
                rows = defaultdict(list)
                for team_index in finished:
                    generator.supervision(
                        staff[team_index], team_objects[team_index], refs_done, rows
                    )
                writer.create(rows["session"])
                writer.insert(tables["discussed"], rows["discussed"])
                writer.insert(tables["supervision_action"], rows["supervision_action"])
        done += len(chunk)
        if progress:
            progress.update(done, generator.appointments)
    if progress:
        progress.finish()
    if connection.vendor == "postgresql" and result.young_people_created:
        writer.analyse()
    writer.summarise(to_summarise)
    result.tables = {label: tuple(entry) for label, entry in writer.stats.items()}
    result.seconds = time.perf_counter() - started
    return result


def _write_people(writer: Writer, tables: dict[str, Table], people: list[_Person], generator):
    """Write one transaction's young people: parents first (their keys come back), then rows."""
    if not people:
        return
    writer.create([entry.person for entry in people])
    for kind in ("order", "decision", "meeting", "formulation"):
        writer.create([obj for entry in people for obj in entry.rows.get(kind, ())])
    for kind in LEAVES:
        writer.insert(tables[kind], [row for entry in people for row in entry.rows.get(kind, ())])
    for entry in people:
        person = entry.person
        if person.ecm_start_date:
            generator.caseloads[person.practitioner_id].append(
                (person.pk, person.ecm_start_date, person.ecm_end_date)
            )


def write_summary(result: Result, write=sys.stdout.write) -> None:
    """A table of rows written and rows per second, by table, then the totals."""
    write(f"{'table':<40} {'rows':>12} {'seconds':>9} {'rows/s':>10}\n")
    for label, (rows, seconds) in sorted(result.tables.items(), key=lambda item: -item[1][0]):
        rate = f"{rows / seconds:,.0f}" if rows and seconds else "-"
        write(f"{label:<40} {rows:>12,} {seconds:>9.1f} {rate:>10}\n")
    total = result.rows
    writing = sum(seconds for _rows, seconds in result.tables.values())
    write(
        f"{'(building rows in Python, other queries)':<40} {'':>12} "
        f"{result.seconds - writing:>9.1f}\n"
    )
    write(
        f"{result.young_people_created:,} young people added "
        f"({result.young_people_skipped:,} already there), {result.teams_created} teams and "
        f"{result.staff_created} staff added; {total:,} rows in {result.seconds:.1f} s "
        f"({total / result.seconds if result.seconds else 0:,.0f} rows/s, {result.method}).\n"
    )
