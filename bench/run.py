"""`python -m bench.run` (`make bench`): the national-scale benchmarks.

Against a PostgreSQL database filled by `seed_scale` (at least MIN_YOUNG_PEOPLE young people),
with `bench.settings` and DEBUG off, it measures and prints as a table (also written to
``bench-results/bench-<date>.md``):

1. **Pages.** For my caseload, the manager's team view (a team of typical size, and the
   largest team), the young person's record, the report request page, the home page (of
   the practitioner and of the manager) and issue 15's pages (the compliance decision and
   agreement forms, the oversight form and history, the distance-travelled ratings): median
   and p95
   server time over repeated warm requests through Django's test client (in-process, no
   network), each request interleaved with one to the
   page's *baseline* view (`bench.views`: sign-in, one indexed query for the same rows, a
   plain template); the ratios page/baseline; and the queries each page issues at scale
   against the budget its tests assert with 1 and 50 rows.
2. **The evaluation report** over every team and every referral: wall time of
   `compute_all` with its JSON document, and of the pseudonymised dataset (`dataset_rows`),
   each against the *floor* — reading every input table of the report once, one grouped
   pass per table, in the same run — and against its own SQL (the very statements it ran,
   captured and executed again with a raw cursor).
3. **Import throughput**: one team's records exported in the exchange format, imported into
   a fresh database (created, migrated and dropped here), rows per second.
4. **Worker memory**: peak resident memory of `manage.py run_report` (the report task) in a
   child process, for the evaluation report and the case-level dataset.
5. **At the trial's size**: a fresh database (created, migrated and dropped here) filled by
   `seed_scale` with 150 young people in 3 teams, as the original ECM trial had; in a child
   process started as a report worker starts (`exports.warm_up`), the wall time of report
   requests from `report_request` to a finished run with every file stored — the task's
   whole body, `report_execute`, without the broker's hop.

The load test (`make loadtest`, bench/loadtest.sh) uses the `loadtest-sessions` and
`loadtest-report` sub-commands below. Targets are DESIGN.md section 9.
"""

import argparse
import csv
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
#: `make bench` refuses a database with fewer young people than this.
MIN_YOUNG_PEOPLE = 10_000
#: The team view is measured on the team whose open cases are nearest this number.
TEAM_SIZE = 670
#: The record page is measured on a young person with about this many appointments.
APPOINTMENTS_PER_PERSON = 40
#: The report request page is measured as this service-wide evaluator (made if missing).
EVALUATOR_USERNAME = "bench-evaluator"
#: The retention review is measured as this administrator (made if missing).
ADMIN_USERNAME = "bench-admin"

#: Query budgets asserted by the pages' tests with 1 and with 50 rows (tests/bench checks
#: these stay equal to the constants in those tests). The tests count a first request after
#: signing in (which also writes the session); the warm requests measured here issue fewer.
BUDGETS = {
    "cases:caseload": 10,  # tests/cases/test_caseload_pages.py CASELOAD_BUDGET
    "cases:team-detail": 14,  # tests/cases/test_caseload_pages.py TEAM_DETAIL_BUDGET
    "cases:youngperson-detail": 37,  # tests/cases/test_young_person_pages.py DETAIL_BUDGET
    "cases:youngperson-summary": 35,  # tests/cases/test_young_person_pages.py SUMMARY_BUDGET
    "reports:run-create": 7,  # tests/bench/test_bench.py test_report_request_query_budget
    "work:task-list": 11,  # tests/work/test_tasks.py test_my_tasks_query_count_does_not_grow
    "work:notification-list": 10,  # tests/work/test_reminders.py NOTIFICATIONS_BUDGET
    "home:practitioner": 15,  # tests/ecm/test_home.py PRACTITIONER_BUDGET
    "home:manager": 19,  # tests/ecm/test_home.py MANAGER_BUDGET
    # Issue 15's pages.
    "cases:compliancedecision-edit": 11,  # tests/bench/test_bench.py COMPLIANCE_DECISION_BUDGET
    "cases:compliancedecision-agree": 10,  # tests/bench/test_bench.py AGREEMENT_BUDGET
    "supervision:oversight-create": 15,  # tests/bench/test_bench.py OVERSIGHT_FORM_BUDGET
    "supervision:oversight-history": 11,  # tests/supervision/test_oversight.py HISTORY_BUDGET
    "formulation:distance-edit": 14,  # tests/formulation/test_distance.py DISTANCE_PAGE_BUDGET
    # Issue 17's retention review.
    "governance:retentionreview-list": 14,  # tests/governance/test_pages.py REVIEW_BUDGET
    # Issue 18's partner agency pages.
    "partners:home": 10,  # tests/partners/test_pages.py HOME_BUDGET
    "partners:youngperson-detail": 13,  # tests/partners/test_pages.py DETAIL_BUDGET
}

#: The targets (DESIGN.md section 9).
P95_TARGET_MS = 150
PAGE_RATIO_TARGET = 3.0
REPORT_SECONDS_TARGET = 10
#: The whole report, and the dataset, against reading their input tables once (issue 14).
REPORT_FLOOR_TARGET = 5.0
DATASET_FLOOR_TARGET = 3.0
WORKER_MEMORY_TARGET_MB = 300
#: A report request at the trial's size, task included (issue 14).
TRIAL_SECONDS_TARGET = 2.0
TRIAL_YOUNG_PEOPLE = 150
TRIAL_TEAMS = 3
TRIAL_RUNS = 5
IMPORT_ROWS_PER_SECOND_TARGET = 5000


# --- Figures ---------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 30 samples is the 29th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass(frozen=True)
class Timing:
    samples_ms: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return percentile(list(self.samples_ms), 0.95)


@dataclass(frozen=True)
class Page:
    """A page to measure, the baseline that does the least work it needs, and who asks."""

    label: str
    url: str
    baseline_url: str
    user: object
    budget: int | None


@dataclass(frozen=True)
class PageResult:
    page: Page
    timing: Timing
    baseline: Timing
    queries: int
    baseline_queries: int
    #: Time spent waiting on the database, per request (median), page and baseline.
    sql_ms: float = 0.0
    baseline_sql_ms: float = 0.0

    @property
    def ratio_median(self) -> float:
        return self.timing.median / self.baseline.median

    @property
    def ratio_p95(self) -> float:
        return self.timing.p95 / self.baseline.p95


@dataclass(frozen=True)
class SqlComparison:
    label: str
    seconds: float
    sql_seconds: float
    statements: int
    detail: str = ""

    @property
    def ratio(self) -> float:
        return self.seconds / self.sql_seconds if self.sql_seconds else float("nan")


@dataclass(frozen=True)
class FloorFigure:
    """Reading every input table of the report once: one grouped pass per table."""

    seconds: float
    tables: int
    rows: int


@dataclass(frozen=True)
class ImportFigure:
    label: str
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("nan")


@dataclass(frozen=True)
class SuppressionFigure:
    """Suppressing a whole-country report, against working the report out."""

    seconds: float
    report_seconds: float
    counts: int
    hidden: int

    @property
    def ratio(self) -> float:
        return self.seconds / self.report_seconds if self.report_seconds else float("nan")


@dataclass(frozen=True)
class TrialFigure:
    """Report requests, from the request to the stored files, on a trial-sized database."""

    label: str
    young_people: int
    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass(frozen=True)
class MemoryFigure:
    label: str
    max_rss_mb: float
    seconds: float


@dataclass
class Results:
    facts: dict[str, str] = field(default_factory=dict)
    pages: list[PageResult] = field(default_factory=list)
    warmups: int = 0
    repeats: int = 0
    report: list[SqlComparison] = field(default_factory=list)
    report_scope: str = ""
    floor: FloorFigure | None = None
    suppression: SuppressionFigure | None = None
    imports: list[ImportFigure] = field(default_factory=list)
    memory: list[MemoryFigure] = field(default_factory=list)
    trial: list[TrialFigure] = field(default_factory=list)


# --- 1. Pages --------------------------------------------------------------------------------


def client_for(user):
    """A test client signed in as `user` (no password needed: the session is made directly)."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def _get(client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}, not 200")
    return response


class _SqlClock:
    """Adds up the time spent in the database driver (a connection execute wrapper)."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def _timed_get(client, url: str, clock: _SqlClock) -> tuple[float, float]:
    """(server time, of which database time), in milliseconds."""
    clock.seconds = 0.0
    started = time.perf_counter()
    _get(client, url)
    return (time.perf_counter() - started) * 1000, clock.seconds * 1000


def count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    return len(captured.captured_queries)


def measure_page(page: Page, *, warmups: int, repeats: int) -> PageResult:
    """Warm both up, then alternate page and baseline requests so drift hits both alike."""
    from django.db import connection

    client = client_for(page.user)
    for _ in range(warmups):
        _get(client, page.url)
        _get(client, page.baseline_url)
    clock = _SqlClock()
    page_samples, baseline_samples = [], []
    with connection.execute_wrapper(clock):
        for _ in range(repeats):
            page_samples.append(_timed_get(client, page.url, clock))
            baseline_samples.append(_timed_get(client, page.baseline_url, clock))
    return PageResult(
        page=page,
        timing=Timing(tuple(total for total, _sql in page_samples)),
        baseline=Timing(tuple(total for total, _sql in baseline_samples)),
        queries=count_queries(client, page.url),
        baseline_queries=count_queries(client, page.baseline_url),
        sql_ms=statistics.median(sql for _total, sql in page_samples),
        baseline_sql_ms=statistics.median(sql for _total, sql in baseline_samples),
    )


@dataclass(frozen=True)
class Subjects:
    """Who and what the pages are measured on."""

    practitioner: object
    manager: object
    team: object
    young_person: object
    record_practitioner: object
    evaluator: object
    largest_team: object = None
    largest_team_manager: object = None


def choose_subjects(*, team_size: int = TEAM_SIZE) -> Subjects:
    """The practitioner with the largest caseload; a team of about `team_size` open cases and
    its manager; in that team, a young person with about 40 appointments and the most other
    records, seen by their practitioner; and the bench evaluator (made if missing)."""
    from django.db.models import Count

    from accounts.models import Team
    from cases.models import Appointment, YoungPerson

    open_cases = YoungPerson.objects.filter(archived_at__isnull=True)
    largest = (
        open_cases.filter(practitioner__isnull=False)
        .values("practitioner")
        .annotate(n=Count("id"))
        .order_by("-n", "practitioner")
        .first()
    )
    if largest is None:
        raise RuntimeError("no young person is allocated to a practitioner")
    sizes = dict(open_cases.values_list("team").annotate(n=Count("id")).order_by())
    team_id = min(sizes, key=lambda pk: (abs(sizes[pk] - team_size), pk))
    team = Team.objects.get(pk=team_id)
    largest_team = Team.objects.get(pk=min(sizes, key=lambda pk: (-sizes[pk], pk)))
    young_person = _record_subject(team, open_cases, Appointment)
    practitioner = _user(largest["practitioner"])
    ensure_notifications(practitioner)
    return Subjects(
        practitioner=practitioner,
        manager=_manager_of(team),
        team=team,
        young_person=young_person,
        record_practitioner=young_person.practitioner,
        evaluator=ensure_evaluator(),
        largest_team=largest_team,
        largest_team_manager=_manager_of(largest_team),
    )


def _manager_of(team):
    from accounts.models import Membership, Role

    membership = (
        Membership.objects.filter(team=team, role=Role.MANAGER, user__is_active=True)
        .order_by("user_id")
        .first()
    )
    if membership is None:
        raise RuntimeError(f"team {team.code} has no manager")
    return membership.user


def _record_subject(team, open_cases, appointment_model):
    from django.db.models import Count

    from cases.models import Consent, Need, Offence, Order, TRMAssessment

    people = open_cases.filter(team=team, practitioner__isnull=False)
    ids = list(people.values_list("pk", flat=True))
    appointments = dict(
        appointment_model.objects.filter(young_person_id__in=ids, archived_at__isnull=True)
        .values_list("young_person")
        .annotate(n=Count("id"))
        .order_by()
    )
    others = dict.fromkeys(ids, 0)
    for model in (Need, Offence, Order, Consent, TRMAssessment):
        for person_id, n in (
            model.objects.filter(young_person_id__in=ids)
            .values_list("young_person")
            .annotate(n=Count("id"))
            .order_by()
        ):
            others[person_id] += n
    if not ids:
        raise RuntimeError(f"team {team.code} has no allocated young people")
    chosen = min(
        ids,
        key=lambda pk: (
            abs(appointments.get(pk, 0) - APPOINTMENTS_PER_PERSON) > 5,
            -others[pk],
            abs(appointments.get(pk, 0) - APPOINTMENTS_PER_PERSON),
            pk,
        ),
    )
    return people.select_related("practitioner").get(pk=chosen)


def _user(pk):
    from accounts.models import User

    return User.objects.get(pk=pk)


def ensure_evaluator():
    """A service-wide evaluator for the report request page (seed_scale makes none)."""
    from accounts.models import Membership, Role, User

    user, created = User.objects.get_or_create(
        username=EVALUATOR_USERNAME, defaults={"first_name": "Bench", "last_name": "Evaluator"}
    )
    if created or not (user.first_name and user.last_name):
        user.first_name, user.last_name = "Bench", "Evaluator"
        user.set_unusable_password()
        user.save(update_fields=["first_name", "last_name", "password"])
    Membership.objects.get_or_create(user=user, role=Role.EVALUATOR, team=None)
    return user


def ensure_administrator():
    """A service-wide administrator for the retention review (seed_scale makes none)."""
    from accounts.models import Membership, Role, User

    user, created = User.objects.get_or_create(
        username=ADMIN_USERNAME, defaults={"first_name": "Bench", "last_name": "Administrator"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, role=Role.ADMIN, team=None)
    return user


#: Notifications the benchmarked practitioner holds: one full page of the notifications page.
NOTIFICATIONS = 50


def ensure_notifications(user):
    """One page of no-contact reminders for `user`'s caseload (seed_scale sends none). Kept
    apart from the daily job's by their subjects; made once, whatever the number of runs."""
    from cases.models import YoungPerson
    from work.models import Notification, NotificationKind

    caseload = list(YoungPerson.objects.filter(practitioner=user).order_by("pk")[:NOTIFICATIONS])
    if not caseload:
        return
    today = date.today()
    Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                kind=NotificationKind.NO_CONTACT,
                subject=f"bench-{number}",
                young_person=caseload[number % len(caseload)],
                on=today - timedelta(days=14 + number),
                url=f"/young-people/{caseload[number % len(caseload)].pk}/",
            )
            for number in range(NOTIFICATIONS)
        ],
        ignore_conflicts=True,
    )


#: Oversight entries the benchmarked young person's history holds: one full page.
OVERSIGHT_ENTRIES = 25


def ensure_compliance_decision(young_person, manager):
    """A live decision on one of the young person's missed appointments, for the decision
    and agreement pages (seed_scale records none): the newest, or one the team's manager
    records on their latest missed appointment, once whatever the number of runs."""
    from django.utils import timezone

    from cases import compliance
    from cases.models import Appointment, Attendance, ComplianceDecision, ComplianceDecisionKind

    decisions = ComplianceDecision.objects.filter(
        young_person=young_person, archived_at__isnull=True
    ).order_by("-decided_on", "-id")
    decision = decisions.first()
    if decision is not None:
        return decision
    missed = (
        Appointment.objects.filter(
            young_person=young_person,
            attendance=Attendance.DID_NOT_ATTEND,
            archived_at__isnull=True,
        )
        .order_by("-starts_at")
        .first()
    )
    if missed is None:
        raise RuntimeError(f"{young_person.reference} has no missed appointment to decide on")
    return compliance.compliance_decision_record(
        by=manager,
        appointment=missed,
        decision=ComplianceDecisionKind.WARNING,
        reason="Bench: a warning, talked through with the young person",
        decided_on=timezone.localdate(),
    )


def ensure_oversight(young_person, manager):
    """One page of management oversight entries about the young person, each with an action
    for their practitioner (seed_scale records none); made once, whatever the number of runs."""
    from supervision import services
    from supervision.models import OversightEntry

    made = OversightEntry.objects.filter(young_person=young_person).count()
    today = date.today()
    for number in range(made, OVERSIGHT_ENTRIES):
        reviewed_on = max(young_person.referral_date, today - timedelta(days=14 * number))
        services.oversight_record(
            by=manager,
            young_person=young_person,
            reviewed_on=reviewed_on,
            reviewed=f"Bench: the plan and recent contact ({number + 1})",
            decision="Carry on; review in a fortnight",
            actions=[
                {
                    "description": "Check in with the young person",
                    "assignee": young_person.practitioner,
                    "due_on": reviewed_on + timedelta(days=14),
                }
            ],
        )


def formulation_meeting(young_person):
    """The young person's latest meeting with a formulation, else the latest in their team
    (seed_scale records formulations for some young people)."""
    from formulation.models import FormulationMeeting

    meetings = FormulationMeeting.objects.filter(
        formulation__isnull=False, young_person__archived_at__isnull=True
    ).order_by("-held_on", "-id")
    meeting = (
        meetings.filter(young_person=young_person).first()
        or meetings.filter(young_person__team=young_person.team).first()
    )
    if meeting is None:
        raise RuntimeError(f"team {young_person.team.code} has no recorded formulation")
    return meeting


def key_pages(subjects: Subjects) -> list[Page]:
    from django.urls import reverse

    team_code = subjects.team.code
    person = subjects.young_person.pk
    return [
        Page(
            "My caseload",
            reverse("cases:caseload"),
            reverse("bench:caseload"),
            subjects.practitioner,
            BUDGETS["cases:caseload"],
        ),
        Page(
            "Team view (manager)",
            reverse("cases:team-detail", args=[team_code]),
            reverse("bench:team-detail", args=[team_code]),
            subjects.manager,
            BUDGETS["cases:team-detail"],
        ),
        Page(
            "Team view, largest team",
            reverse("cases:team-detail", args=[subjects.largest_team.code]),
            reverse("bench:team-detail", args=[subjects.largest_team.code]),
            subjects.largest_team_manager,
            BUDGETS["cases:team-detail"],
        ),
        Page(
            "Young person's record",
            reverse("cases:youngperson-detail", args=[person]),
            reverse("bench:youngperson-detail", args=[person]),
            subjects.record_practitioner,
            BUDGETS["cases:youngperson-detail"],
        ),
        Page(
            "My tasks",
            reverse("work:task-list"),
            reverse("bench:task-list"),
            subjects.practitioner,
            BUDGETS["work:task-list"],
        ),
        Page(
            "Notifications",
            reverse("work:notification-list"),
            reverse("bench:notification-list"),
            subjects.practitioner,
            BUDGETS["work:notification-list"],
        ),
        Page(
            "Case summary and chronology",
            reverse("cases:youngperson-summary", args=[person]),
            reverse("bench:youngperson-summary", args=[person]),
            subjects.record_practitioner,
            BUDGETS["cases:youngperson-summary"],
        ),
        Page(
            "Report request",
            reverse("reports:run-create"),
            reverse("bench:run-create"),
            subjects.evaluator,
            BUDGETS["reports:run-create"],
        ),
        Page(
            "Home (practitioner)",
            reverse("home"),
            reverse("bench:home-practitioner"),
            subjects.practitioner,
            BUDGETS["home:practitioner"],
        ),
        Page(
            "Home (manager)",
            reverse("home"),
            reverse("bench:home-manager"),
            subjects.manager,
            BUDGETS["home:manager"],
        ),
        *issue_15_pages(subjects),
        *issue_17_pages(),
        *partner_pages(subjects),
    ]


def issue_17_pages() -> list[Page]:
    """The administrator's retention review: the nightly review is built once if there is
    none waiting (which runs the due list over every young person)."""
    from django.urls import reverse

    from governance import retention

    if not retention.pending_reviews().exists():
        retention.review_build()
    return [
        Page(
            "Retention review (administrator)",
            reverse("governance:retentionreview-list"),
            reverse("bench:retentionreview-list"),
            ensure_administrator(),
            BUDGETS["governance:retentionreview-list"],
        )
    ]


def issue_15_pages(subjects: Subjects) -> list[Page]:
    """The compliance decision and agreement forms, the oversight form and history, and the
    distance-travelled ratings: about the record's young person, as their practitioner or
    the team's manager (whoever uses each). Records seed_scale does not make (a compliance
    decision, a page of oversight) are made here, once."""
    from django.urls import reverse

    person = subjects.young_person.pk
    decision = ensure_compliance_decision(subjects.young_person, subjects.manager)
    ensure_oversight(subjects.young_person, subjects.manager)
    meeting = formulation_meeting(subjects.young_person).pk
    pages = (
        (
            "Compliance decision",
            "cases:compliancedecision-edit",
            [person, decision.appointment_id],
            subjects.record_practitioner,
        ),
        (
            "Manager's agreement",
            "cases:compliancedecision-agree",
            [person, decision.pk],
            subjects.manager,
        ),
        ("Management oversight form", "supervision:oversight-create", [person], subjects.manager),
        (
            "Management oversight history",
            "supervision:oversight-history",
            [person],
            subjects.record_practitioner,
        ),
        (
            "Distance travelled",
            "formulation:distance-edit",
            [meeting],
            subjects.record_practitioner,
        ),
    )
    return [
        Page(
            label,
            reverse(name, args=args),
            reverse(f"bench:{name.split(':')[1]}", args=args),
            user,
            BUDGETS[name],
        )
        for label, name, args, user in pages
    ]


#: The bench partner agency worker (seed_scale makes none) and their agency's plan items.
PARTNER_USERNAME = "bench-partner"
PARTNER_ITEMS = 50


def ensure_partner(team):
    """A partner from the first agency, whose agency delivers an open plan item for up to
    `PARTNER_ITEMS` of the team's open cases (made once); None if the service has no agency."""
    from accounts.models import Agency, Membership, Role, User
    from cases import summary
    from cases.models import TRMStage, YoungPerson
    from formulation.models import InterventionItem

    agency = Agency.objects.order_by("pk").first()
    stage = TRMStage.objects.order_by("number").first()
    if agency is None or stage is None:
        return None
    user, created = User.objects.get_or_create(
        username=PARTNER_USERNAME,
        defaults={"first_name": "Bench", "last_name": "Partner", "agency": agency},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, role=Role.PARTNER, team=None)
    if not InterventionItem.objects.filter(agency=user.agency, title="Bench partner item").exists():
        people = YoungPerson.objects.filter(
            team=team, archived_at__isnull=True, ecm_end_date__isnull=True
        ).order_by("pk")[:PARTNER_ITEMS]
        InterventionItem.objects.bulk_create(
            InterventionItem(
                young_person=person, title="Bench partner item", trm_stage=stage, agency=user.agency
            )
            for person in people
        )
        # A bulk write sends no signals: the stored facts that count plan items.
        summary.refresh([person.pk for person in people])
    return user


def partner_pages(subjects: Subjects) -> list[Page]:
    """The partner's home and the page of one of their young people (issue 18); none when
    no young person of the team is in the bench partner's scope (no consent given)."""
    from django.urls import reverse

    from partners.selectors import young_people_for_partner

    partner = ensure_partner(subjects.team)
    person = young_people_for_partner(partner).first() if partner else None
    if person is None:
        return []
    return [
        Page(
            "Partner's young people",
            reverse("partners:home"),
            reverse("bench:partner-home"),
            partner,
            BUDGETS["partners:home"],
        ),
        Page(
            "Partner's young person",
            reverse("partners:youngperson-detail", args=[person.pk]),
            reverse("bench:partner-youngperson-detail", args=[person.pk]),
            partner,
            BUDGETS["partners:youngperson-detail"],
        ),
    ]


def measure_pages(pages: list[Page], *, warmups: int, repeats: int, say=print) -> list:
    results = []
    for page in pages:
        say(f"  {page.label}: {warmups} warm-up and {repeats} timed requests (and baseline)")
        results.append(measure_page(page, warmups=warmups, repeats=repeats))
    return results


# --- 2. The evaluation report against its core SQL ------------------------------------------


def captured_run(function: Callable[[], object]) -> tuple[float, list[str], object]:
    """(seconds, the SQL statements it ran, its result)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        value = function()
        seconds = time.perf_counter() - started
    return seconds, [query["sql"] for query in captured.captured_queries], value


SERVER_SIDE_CURSOR = re.compile(r'^DECLARE "[^"]+" NO SCROLL CURSOR WITH(OUT)? HOLD FOR ')


def replay(statements: list[str]) -> float:
    """Seconds to execute exactly these statements again and fetch every row (raw cursor)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in statements:
            # A server-side cursor's rows (QuerySet.iterator) are read as a plain query.
            cursor.execute(SERVER_SIDE_CURSOR.sub("", sql))
            if cursor.description is not None:
                cursor.fetchall()
    return time.perf_counter() - started


def compare_with_sql(label: str, function, *, runs: int, detail=None) -> SqlComparison:
    """Best of `runs` for the function and for its own statements replayed, alternately."""
    seconds, statements, value = captured_run(function)
    function_times, sql_times = [seconds], [replay(statements)]
    for _ in range(runs - 1):
        started = time.perf_counter()
        function()
        function_times.append(time.perf_counter() - started)
        sql_times.append(replay(statements))
    return SqlComparison(
        label,
        min(function_times),
        min(sql_times),
        len(statements),
        detail(value) if detail else "",
    )


def whole_scope():
    """Every team, a period covering every referral, as of today."""
    from django.db.models import Max, Min

    from cases.models import YoungPerson
    from reports.measures import Scope

    bounds = YoungPerson.objects.aggregate(first=Min("referral_date"), last=Max("referral_date"))
    return Scope(date_from=bounds["first"], date_to=bounds["last"])


def input_tables():
    """Every table the report reads, with the column that names its young person (or its
    meeting, for attendance)."""
    from cases.models import (
        Appointment,
        Breach,
        ComplianceDecision,
        Consent,
        CustodyEpisode,
        Need,
        Offence,
        TRMAssessment,
        YoungPerson,
    )
    from eligibility.models import EligibilityDecision
    from formulation.models import FormulationMeeting, InterventionItem, MeetingAttendance
    from partners.models import PartnerContact
    from supervision.models import SupervisionSession

    return [
        (YoungPerson, "team_id"),
        (EligibilityDecision, "young_person_id"),
        (Consent, "young_person_id"),
        (Appointment, "young_person_id"),
        (ComplianceDecision, "young_person_id"),
        (Offence, "young_person_id"),
        (Breach, "young_person_id"),
        (CustodyEpisode, "young_person_id"),
        (Need, "young_person_id"),
        (FormulationMeeting, "young_person_id"),
        (MeetingAttendance, "meeting_id"),
        (TRMAssessment, "young_person_id"),
        (InterventionItem, "young_person_id"),
        (SupervisionSession.cases.through, "youngperson_id"),
        (PartnerContact, "young_person_id"),
    ]


def read_input_tables() -> tuple[float, int]:
    """(seconds, rows): one grouped pass over each input table, every row read once and
    counted per young person — what any report must at least do."""
    from django.db.models import Count

    started = time.perf_counter()
    rows = 0
    for model, person in input_tables():
        grouped = model.objects.order_by().values(person).annotate(n=Count("*"))
        rows += sum(n for n in grouped.values_list("n", flat=True))
    return time.perf_counter() - started, rows


def measure_floor(*, runs: int, say=print) -> FloorFigure:
    say(f"  reading every input table once, best of {runs}")
    timings = [read_input_tables() for _ in range(runs)]
    return FloorFigure(
        min(seconds for seconds, _rows in timings), len(input_tables()), timings[0][1]
    )


def measure_report(scope, *, runs: int, say=print) -> list[SqlComparison]:
    from governance.due import due_young_people
    from reports import exports, targets
    from reports.comparison.build import comparison_document
    from reports.dataset import dataset_rows
    from reports.measures import REGISTRY, compute_all

    def report_as_json():
        # What a report run puts in its JSON: the measures, the targets in force and the
        # matched comparison with its difference-in-differences (reports/services/outputs.py).
        results = compute_all(scope)
        period = {"date_from": scope.date_from.isoformat(), "date_to": scope.date_to.isoformat()}
        document = exports.evaluation_document(period, results)
        document["targets"] = targets.document_targets(document)
        document["comparison"] = comparison_document(scope)
        return results, exports.json_bytes(document)

    label = f"compute_all ({len(REGISTRY)} measures), targets and comparison, as JSON"
    say(f"  {label}, best of {runs}, and its SQL replayed")
    report = compare_with_sql(
        label,
        report_as_json,
        runs=runs,
        detail=lambda value: f"{value[0]['referrals'].overall} referrals",
    )
    say(f"  dataset_rows, best of {runs}, and its SQL replayed")
    dataset = compare_with_sql(
        "dataset_rows (case-level dataset)",
        lambda: dataset_rows(scope),
        runs=runs,
        detail=lambda value: f"{len(value[1])} rows",
    )
    say(f"  the retention schedule's due list (the nightly job), best of {runs}")
    due = compare_with_sql(
        "retention due list over every young person (nightly job)",
        lambda: due_young_people(date.today()),
        runs=runs,
        detail=lambda value: f"{len(value)} due",
    )
    return [report, dataset, due]


def measure_suppression(scope, report_seconds: float, *, threshold: int = 5, say=print):
    """Small-number suppression (with its complementary cells) of the whole report."""
    from reports import exports, suppression
    from reports.measures import compute_all

    say(f"  suppression of that report at threshold {threshold}")
    document = exports.evaluation_document({}, compute_all(scope))
    started = time.perf_counter()
    published = suppression.suppress(document, threshold)
    seconds = time.perf_counter() - started
    return SuppressionFigure(
        seconds,
        report_seconds,
        len(suppression.count_cells(document)),
        len(list(suppression.hidden_in(published))),
    )


# --- 3. Import throughput --------------------------------------------------------------------


def export_slice(folder: Path, young_person_ids: list[int]) -> dict[str, int]:
    """The exchange files for these young people (with every team, agency and staff member,
    and the supervision sessions that discussed only them). Returns rows per file."""
    from cases.models import YoungPerson
    from reports.exchange import exporter, schema

    whole = {schema.TEAM, schema.AGENCY, schema.STAFF}
    references = set(
        YoungPerson.objects.filter(pk__in=young_person_ids).values_list("reference", flat=True)
    )
    counts = {}
    folder.mkdir(parents=True, exist_ok=True)
    for spec in schema.FILES:
        source = exporter.SOURCES[spec.name]
        if spec.name in whole:
            rows = source()
        elif spec.name == schema.SESSION:
            rows = (row for row in source() if row[-1] and set(row[-1]) <= references)
        else:
            rows = source(young_person_ids=young_person_ids)
        with (folder / spec.name).open("w", encoding="utf-8", newline="") as handle:
            counts[spec.name] = exporter.write_csv(spec, rows, handle)
    return counts


def _database_url(base_url: str, name: str) -> str:
    return base_url.rsplit("/", 1)[0] + "/" + name


def _child_environment(**overrides) -> dict[str, str]:
    environment = dict(os.environ)
    environment.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), environment.get("PYTHONPATH", "")])
    )
    environment.update(overrides)
    return environment


def _run(command: list[str], environment: dict, log: Path) -> None:
    with log.open("ab") as handle:
        completed = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            command, cwd=ROOT, env=environment, stdout=handle, stderr=subprocess.STDOUT
        )
    if completed.returncode:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
        raise RuntimeError(f"{' '.join(command[1:4])} failed:\n{tail}")


def measure_import(team, *, database_name: str, work: Path, say=print) -> ImportFigure:
    """Export the team's young people, import them into a new database, drop it."""
    from django.conf import settings
    from django.db import connection

    from cases.models import YoungPerson

    ids = list(YoungPerson.objects.filter(team=team).values_list("pk", flat=True))
    folder = work / "exchange"
    say(f"  exporting team {team.code} ({len(ids)} young people) to a temporary folder")
    exported = export_slice(folder, ids)
    base_url = os.environ.get("DATABASE_URL") or _url_from_settings(settings.DATABASES["default"])
    target_url = _database_url(base_url, database_name)
    quoted = connection.ops.quote_name(database_name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")  # noqa: S608
        cursor.execute(f"CREATE DATABASE {quoted}")  # noqa: S608
    log = work / "import.log"
    try:
        environment = _child_environment(DATABASE_URL=target_url)
        say(f"  migrating a fresh database {database_name}")
        _run([sys.executable, "manage.py", "migrate", "--noinput"], environment, log)
        say(f"  importing {sum(exported.values())} rows")
        output = work / "import.json"
        _run(
            [sys.executable, "-m", "bench.run", "import-child", str(folder), str(output)],
            environment,
            log,
        )
        figures = json.loads(output.read_text())
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")  # noqa: S608
    return ImportFigure(
        f"one team ({team.code}: {len(ids)} young people, all staff)",
        figures["rows"],
        figures["seconds"],
    )


def _url_from_settings(database: dict) -> str:
    user = database.get("USER") or ""
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{database['NAME']}"


def import_child(folder: str, output: str) -> None:
    """In a child process on the fresh database: import, and write rows and seconds."""
    from reports.exchange.importer import import_exchange
    from reports.exchange.source import from_path

    result = import_exchange(from_path(folder))
    if not result.ok:
        for problem in result.problems[:20]:
            print(problem, file=sys.stderr)
        raise SystemExit(f"the import found {len(result.problems)} problems")
    Path(output).write_text(json.dumps({"rows": result.rows, "seconds": result.seconds}))


# --- 4. Worker memory ------------------------------------------------------------------------


def measure_worker(kind: str, scope, output_format: str, *, work: Path) -> MemoryFigure:
    """Run `manage.py run_report` (the report task, in-process) in a child process and read
    that process's own peak resident memory.

    The child reports its `VmHWM` (the high-water mark of its own address space) rather than
    `getrusage(RUSAGE_CHILDREN).ru_maxrss`: Linux carries the parent's high-water mark over
    `fork` and `exec` into `ru_maxrss`, so after the in-process report the parent's own
    memory would be reported instead of the worker's.
    """
    output = work / f"{kind}.{output_format}"
    figures = work / f"{kind}-memory.json"
    arguments = [
        "run_report",
        kind,
        "--from",
        scope.date_from.isoformat(),
        "--to",
        scope.date_to.isoformat(),
        "--format",
        output_format,
        "--output",
        str(output),
    ]
    environment = _child_environment(
        ECM_FILES_ROOT=str(work / f"files-{kind}"), CELERY_BROKER_URL=""
    )
    started = time.perf_counter()
    _run(
        [sys.executable, "-m", "bench.run", "worker-child", str(figures), *arguments],
        environment,
        work / f"{kind}.log",
    )
    seconds = time.perf_counter() - started
    peak_kb = json.loads(figures.read_text())["peak_kb"]
    return MemoryFigure(f"run_report {kind} --format {output_format}", peak_kb / 1024, seconds)


def peak_resident_kb() -> int:
    """This process's peak resident set (VmHWM), in kB; ru_maxrss where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def worker_child(output: str, arguments: list[str]) -> None:
    """In a child process: run a management command (the report worker's job), then write
    the peak resident memory it reached."""
    from django.core.management import call_command

    call_command(*arguments)
    Path(output).write_text(json.dumps({"peak_kb": peak_resident_kb()}))


# --- 5. At the trial's size ------------------------------------------------------------------


def measure_trial(*, database_name: str, work: Path, runs: int, say=print) -> list[TrialFigure]:
    """Fill a fresh database to the trial's size, time report requests there, drop it."""
    from django.conf import settings
    from django.db import connection

    base_url = os.environ.get("DATABASE_URL") or _url_from_settings(settings.DATABASES["default"])
    quoted = connection.ops.quote_name(database_name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")  # noqa: S608
        cursor.execute(f"CREATE DATABASE {quoted}")  # noqa: S608
    log = work / "trial.log"
    try:
        environment = _child_environment(
            DATABASE_URL=_database_url(base_url, database_name),
            ECM_FILES_ROOT=str(work / "files-trial"),
            CELERY_BROKER_URL="",
        )
        say(f"  migrating a fresh database {database_name}")
        _run([sys.executable, "manage.py", "migrate", "--noinput"], environment, log)
        say(f"  filling it: {TRIAL_YOUNG_PEOPLE} young people in {TRIAL_TEAMS} teams")
        _run(
            [
                sys.executable,
                "manage.py",
                "seed_scale",
                "--teams",
                str(TRIAL_TEAMS),
                "--young-people",
                str(TRIAL_YOUNG_PEOPLE),
                "--seed",
                "1",
            ],
            {**environment, "ECM_DEMO": "true"},
            log,
        )
        output = work / "trial.json"
        say(f"  {runs} requests of each kind of report")
        _run(
            [sys.executable, "-m", "bench.run", "trial-child", str(output), "--runs", str(runs)],
            environment,
            log,
        )
        figures = json.loads(output.read_text())
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")  # noqa: S608
    return [
        TrialFigure(label, figures["young_people"], tuple(seconds))
        for label, seconds in figures["runs"].items()
    ]


def trial_child(output: str, runs: int) -> None:
    """In a child process on the trial-sized database: start as a worker does, then time
    report requests through to the stored files."""
    from cases.models import YoungPerson
    from reports import exports
    from reports.models import ReportKind, ReportRun, RunStatus
    from reports.services.execution import report_execute
    from reports.services.requests import report_request

    exports.warm_up()  # what a report worker does as it starts (reports.tasks)
    today = date.today()
    parameters = {
        "date_from": (today - timedelta(days=365 * 5)).isoformat(),
        "date_to": today.isoformat(),
        "as_of": today.isoformat(),
    }
    labels = {
        ReportKind.EVALUATION: "Evaluation report (JSON, CSV, XLSX, HTML and PDF)",
        ReportKind.EVALUATION_DATASET: "Case-level dataset (CSV, XLSX, dictionary, manifest)",
    }
    timings = {}
    for kind, label in labels.items():
        timings[label] = []
        for _run_number in range(runs):
            started = time.perf_counter()
            run = report_request(by=None, kind=kind, parameters=parameters, enqueue=False)
            report_execute(run.pk)
            timings[label].append(time.perf_counter() - started)
            run = ReportRun.objects.get(pk=run.pk)
            if run.status != RunStatus.SUCCEEDED:
                raise SystemExit(f"trial report run {run.pk} {run.status}: {run.error_message}")
    Path(output).write_text(
        json.dumps({"young_people": YoungPerson.objects.count(), "runs": timings})
    )


# --- The table -------------------------------------------------------------------------------


def machine_facts() -> dict[str, str]:
    from django.db import connection

    from cases.models import Appointment, YoungPerson

    facts = {
        "date": date.today().isoformat(),
        "cores": str(os.cpu_count()),
        "memory": _memory(),
        "processor": _processor(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": connection.vendor,
        "young people": f"{YoungPerson.objects.count():,}",
        "appointments": f"{Appointment.objects.count():,}",
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            facts["database"] = f"PostgreSQL {cursor.fetchone()[0]}"
    return facts


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return "unknown"


def _processor() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _yes(condition: bool) -> str:
    return "yes" if condition else "**no**"


def render(results: Results) -> str:
    """The results as Markdown: facts, one table per part, then the targets."""
    lines = ["# Benchmarks", ""]
    lines.append(", ".join(f"{name}: {value}" for name, value in results.facts.items()))
    lines.append("")
    if results.pages:
        lines += [
            f"## Pages: server time in-process, {results.repeats} warm requests each "
            f"(after {results.warmups} warm-up), DEBUG off",
            "",
            "| page | median ms | p95 ms | baseline median ms | baseline p95 ms "
            "| ratio median | ratio p95 | SQL ms, page (baseline) | queries (baseline) | budget |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for result in results.pages:
            lines.append(
                f"| {result.page.label} | {_ms(result.timing.median)} | {_ms(result.timing.p95)} "
                f"| {_ms(result.baseline.median)} | {_ms(result.baseline.p95)} "
                f"| {result.ratio_median:.1f}× | {result.ratio_p95:.1f}× "
                f"| {_ms(result.sql_ms)} ({_ms(result.baseline_sql_ms)}) "
                f"| {result.queries} ({result.baseline_queries}) "
                f"| {result.page.budget if result.page.budget is not None else '–'} |"
            )
        lines.append("")
    if results.report:
        lines += [
            f"## Evaluation report: {results.report_scope}",
            "",
            "| what | seconds | against the floor | its own SQL alone, s | ratio "
            "| statements | size |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for figure in results.report:
            lines.append(
                f"| {figure.label} | {figure.seconds:.2f} | {_against_floor(results, figure)} "
                f"| {figure.sql_seconds:.2f} | {figure.ratio:.2f}× | {figure.statements} "
                f"| {figure.detail} |"
            )
        if results.floor:
            floor = results.floor
            lines += [
                "",
                f"The floor: reading every input table once ({floor.tables} tables, "
                f"{floor.rows:,} rows, one grouped pass each) took {floor.seconds:.2f} s.",
            ]
        lines.append("")
    if results.suppression:
        figure = results.suppression
        lines += [
            "## Small-number suppression of that report",
            "",
            "| counts | hidden | seconds | against compute_all |",
            "|---:|---:|---:|---:|",
            f"| {figure.counts:,} | {figure.hidden:,} | {figure.seconds:.2f} "
            f"| {figure.ratio:.2f}× |",
            "",
        ]
    if results.imports:
        lines += [
            "## Import (exchange format, into a fresh database)",
            "",
            "| slice | rows | seconds | rows/s |",
            "|---|---:|---:|---:|",
        ]
        for figure in results.imports:
            lines.append(
                f"| {figure.label} | {figure.rows:,} | {figure.seconds:.1f} "
                f"| {figure.rows_per_second:,.0f} |"
            )
        lines.append("")
    if results.memory:
        lines += [
            "## Report worker memory (child process, peak resident set)",
            "",
            "| run | max RSS MB | seconds |",
            "|---|---:|---:|",
        ]
        for figure in results.memory:
            lines.append(f"| {figure.label} | {figure.max_rss_mb:.0f} | {figure.seconds:.1f} |")
        lines.append("")
    if results.trial:
        lines += [
            "## At the trial's size: a report request, task included (fresh database, "
            "started as a worker starts)",
            "",
            "| report | young people | median s | slowest s | runs |",
            "|---|---:|---:|---:|---:|",
        ]
        for figure in results.trial:
            lines.append(
                f"| {figure.label} | {figure.young_people:,} | {figure.median:.2f} "
                f"| {max(figure.seconds):.2f} | {len(figure.seconds)} |"
            )
        lines.append("")
    targets = target_rows(results)
    if targets:
        lines += ["## Targets", "", "| target | figure | met |", "|---|---|---|"]
        lines += [f"| {name} | {figure} | {_yes(met)} |" for name, figure, met in targets]
        lines.append("")
    return "\n".join(lines)


def _floor_ratio(results: Results, figure: SqlComparison) -> float:
    if not results.floor or not results.floor.seconds:
        return float("nan")
    return figure.seconds / results.floor.seconds


def _against_floor(results: Results, figure: SqlComparison) -> str:
    return f"{_floor_ratio(results, figure):.1f}×" if results.floor else "–"


def target_rows(results: Results) -> list[tuple[str, str, bool]]:
    rows = []
    for result in results.pages:
        label = result.page.label
        if result.page.budget is not None:
            rows.append(
                (
                    f"{label}: queries within the budget tested with 1 and 50 rows",
                    f"{result.queries} of {result.page.budget}",
                    result.queries <= result.page.budget,
                )
            )
        rows.append(
            (
                f"{label}: p95 under {P95_TARGET_MS} ms",
                f"{_ms(result.timing.p95)} ms",
                result.timing.p95 < P95_TARGET_MS,
            )
        )
        rows.append(
            (
                f"{label}: at most {PAGE_RATIO_TARGET:.0f}× its baseline (median, p95)",
                f"{result.ratio_median:.1f}×, {result.ratio_p95:.1f}×",
                max(result.ratio_median, result.ratio_p95) <= PAGE_RATIO_TARGET,
            )
        )
    for figure in results.report[:1]:
        rows.append(
            (
                f"Evaluation report under {REPORT_SECONDS_TARGET} s",
                f"{figure.seconds:.1f} s",
                figure.seconds < REPORT_SECONDS_TARGET,
            )
        )
    if results.floor:
        for figure, target in zip(
            results.report, (REPORT_FLOOR_TARGET, DATASET_FLOOR_TARGET), strict=False
        ):
            ratio = _floor_ratio(results, figure)
            rows.append(
                (
                    f"{figure.label}: within {target:.0f}× reading its input tables once",
                    f"{ratio:.1f}×",
                    ratio <= target,
                )
            )
    for figure in results.memory:
        rows.append(
            (
                f"Worker memory under {WORKER_MEMORY_TARGET_MB} MB ({figure.label})",
                f"{figure.max_rss_mb:.0f} MB",
                figure.max_rss_mb < WORKER_MEMORY_TARGET_MB,
            )
        )
    for figure in results.trial:
        rows.append(
            (
                f"{figure.label} at the trial's size: under {TRIAL_SECONDS_TARGET:.0f} s "
                "from request to files (median)",
                f"{figure.median:.2f} s (slowest {max(figure.seconds):.2f} s)",
                figure.median < TRIAL_SECONDS_TARGET,
            )
        )
    for figure in results.imports:
        rows.append(
            (
                f"Import at least {IMPORT_ROWS_PER_SECOND_TARGET:,} rows/s",
                f"{figure.rows_per_second:,.0f} rows/s",
                figure.rows_per_second >= IMPORT_ROWS_PER_SECOND_TARGET,
            )
        )
    return rows


def write_results(text: str, folder: Path, *, append: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bench-{date.today().isoformat()}.md"
    if append and path.exists():
        text = path.read_text() + "\n" + text
    path.write_text(text)
    return path


# --- Load test helpers ----------------------------------------------------------------------


def loadtest_sessions(path: str, users: int) -> None:
    """Sign in the practitioners with the largest caseloads and write their session cookies
    and young people for bench/locustfile.py (no passwords: the sessions are made here)."""
    from django.conf import settings
    from django.db.models import Count

    from cases.models import YoungPerson

    leaders = list(
        YoungPerson.objects.filter(archived_at__isnull=True, practitioner__isnull=False)
        .values("practitioner")
        .annotate(n=Count("id"))
        .order_by("-n", "practitioner")[:users]
    )
    sessions = []
    for leader in leaders:
        user = _user(leader["practitioner"])
        client = client_for(user)
        people = list(
            YoungPerson.objects.filter(practitioner=user, archived_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        sessions.append(
            {
                "username": user.username,
                "cookie_name": settings.SESSION_COOKIE_NAME,
                "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "young_people": people,
            }
        )
    Path(path).write_text(json.dumps(sessions))


def loadtest_end(path: str) -> None:
    """Sign the load test's sessions out again."""
    from django.contrib.sessions.models import Session

    sessions = json.loads(Path(path).read_text())
    Session.objects.filter(session_key__in=[item["session"] for item in sessions]).delete()


def _aggregated(stats_csv: Path) -> dict[str, str]:
    with stats_csv.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("Name") == "Aggregated":
                return row
    raise RuntimeError(f"{stats_csv}: no Aggregated row")


def loadtest_report(pages_csv: str, baseline_csv: str, describe: str, folder: str) -> str:
    pages, baseline = _aggregated(Path(pages_csv)), _aggregated(Path(baseline_csv))

    def figures(row):
        return (
            float(row["Requests/s"]),
            float(row["95%"]),
            float(row["50%"]),
            int(row["Request Count"]),
            int(row["Failure Count"]),
        )

    page_rps, page_p95, page_median, page_count, page_failures = figures(pages)
    base_rps, base_p95, base_median, base_count, base_failures = figures(baseline)
    text = "\n".join(
        [
            f"## Load test: {describe}",
            "",
            "| served | requests | failures | req/s | median ms | p95 ms |",
            "|---|---:|---:|---:|---:|---:|",
            f"| practitioner's mix (pages) | {page_count} | {page_failures} | {page_rps:.1f} "
            f"| {page_median:.0f} | {page_p95:.0f} |",
            f"| same mix of baseline views | {base_count} | {base_failures} | {base_rps:.1f} "
            f"| {base_median:.0f} | {base_p95:.0f} |",
            f"| ratio pages/baseline | | | {page_rps / base_rps:.2f}× "
            f"| {page_median / base_median:.1f}× | {page_p95 / base_p95:.1f}× |",
            "",
        ]
    )
    path = write_results(text, Path(folder), append=True)
    print(text)
    print(f"Written to {path}")
    return text


# --- Command line -------------------------------------------------------------------------


def refuse_unsuitable_database(minimum: int) -> None:
    """Stop, saying what to do, unless this is PostgreSQL with scale data in it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit(
            "bench: the benchmarks run on PostgreSQL; set BENCH_DATABASE_URL to a "
            "postgres:// database filled by seed_scale."
        )
    refuse_unmigrated_database()
    refuse_small_database(minimum)


def refuse_unmigrated_database() -> None:
    """A scale database made before the latest migrations fails part-way through a run (a
    page reading a new column), so say so before measuring anything."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    waiting = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if waiting:
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in waiting)
        raise SystemExit(
            f"bench: the database {connection.settings_dict['NAME']} lacks migrations "
            f"({names}). Apply them first:\n"
            f"  ECM_DEMO=true DATABASE_URL=<the same database> .venv/bin/python manage.py migrate"
        )


def refuse_small_database(minimum: int) -> None:
    from django.db import connection

    from cases.models import YoungPerson

    count = YoungPerson.objects.count()
    if count < minimum:
        raise SystemExit(
            f"bench: the database {connection.settings_dict['NAME']} holds {count:,} young "
            f"people; the benchmarks need at least {minimum:,}. Fill it first:\n"
            f"  ECM_DEMO=true DATABASE_URL=<the same database> .venv/bin/python manage.py "
            f"seed_scale --teams 150 --young-people 100000 --seed 1"
        )


def run(options) -> Results:
    results = Results(warmups=options.warmups, repeats=options.repeats)
    say = print
    results.facts = machine_facts()
    skip = set(options.skip)
    subjects = choose_subjects(team_size=options.team_size)
    if "pages" not in skip:
        say("Pages")
        results.pages = measure_pages(
            key_pages(subjects), warmups=options.warmups, repeats=options.repeats, say=say
        )
    scope = whole_scope()
    if "report" not in skip:
        say("Evaluation report")
        results.report_scope = (
            f"all teams, referrals {scope.date_from} to {scope.date_to}, as of {scope.as_of}, "
            f"best of {options.report_runs}"
        )
        results.floor = measure_floor(runs=options.report_runs + 1, say=say)
        results.report = measure_report(scope, runs=options.report_runs, say=say)
        results.suppression = measure_suppression(scope, results.report[0].seconds, say=say)
    work = Path(tempfile.mkdtemp(prefix="ecm-bench-"))
    try:
        if "import" not in skip:
            say("Import")
            results.imports = [
                measure_import(
                    subjects.team, database_name=options.import_database, work=work, say=say
                )
            ]
        if "memory" not in skip:
            say("Report worker memory")
            results.memory = [
                measure_worker("evaluation", scope, "json", work=work),
                measure_worker("evaluation-dataset", scope, "csv", work=work),
            ]
        if "trial" not in skip:
            say("At the trial's size")
            results.trial = measure_trial(
                database_name=options.trial_database, work=work, runs=TRIAL_RUNS, say=say
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command")
    parser.add_argument("--repeats", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmups", type=int, default=3, help="untimed requests first")
    parser.add_argument("--report-runs", type=int, default=2, help="report runs (best counts)")
    parser.add_argument("--team-size", type=int, default=TEAM_SIZE)
    parser.add_argument("--min-young-people", type=int, default=MIN_YOUNG_PEOPLE)
    parser.add_argument("--import-database", default="ecm_bench_import")
    parser.add_argument("--trial-database", default="ecm_bench_trial")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["pages", "report", "import", "memory", "trial"],
        help="leave a part out (repeatable)",
    )
    parser.add_argument("--results", default=str(ROOT / "bench-results"))
    worker = commands.add_parser("worker-child", help="(internal) run a command, report memory")
    worker.add_argument("output")
    worker.add_argument("arguments", nargs=argparse.REMAINDER)
    trial = commands.add_parser("trial-child", help="(internal) time trial-sized reports")
    trial.add_argument("output")
    trial.add_argument("--runs", type=int, default=TRIAL_RUNS)
    child = commands.add_parser("import-child", help="(internal) import into this database")
    child.add_argument("folder")
    child.add_argument("output")
    sessions = commands.add_parser("loadtest-sessions", help="(load test) sign practitioners in")
    sessions.add_argument("path")
    sessions.add_argument("--users", type=int, default=20)
    end = commands.add_parser("loadtest-end", help="(load test) sign them out")
    end.add_argument("path")
    report = commands.add_parser("loadtest-report", help="(load test) add the figures")
    report.add_argument("pages_csv")
    report.add_argument("baseline_csv")
    report.add_argument("--describe", default="")
    report.add_argument("--results", dest="report_results", default=str(ROOT / "bench-results"))
    options = parser.parse_args(argv)

    django.setup()
    if options.command == "worker-child":
        worker_child(options.output, options.arguments)
    elif options.command == "import-child":
        import_child(options.folder, options.output)
    elif options.command == "trial-child":
        trial_child(options.output, options.runs)
    elif options.command == "loadtest-sessions":
        loadtest_sessions(options.path, options.users)
    elif options.command == "loadtest-end":
        loadtest_end(options.path)
    elif options.command == "loadtest-report":
        loadtest_report(
            options.pages_csv, options.baseline_csv, options.describe, options.report_results
        )
    else:
        refuse_unsuitable_database(options.min_young_people)
        results = run(options)
        text = render(results)
        path = write_results(text, Path(options.results))
        print()
        print(text)
        print(f"Written to {path}")


if __name__ == "__main__":
    main()
