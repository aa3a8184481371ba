"""The home page's "today's work", one section per role the user holds.

Each section only gathers what the apps that own the data answer (`cases.selectors`,
`formulation.selectors`, `supervision.selectors`, `reports.selectors`, `accounts.selectors`):
no rule is written here. Every count comes with the link to the list of exactly what it
counted, and the attention counts are the case warnings registry's (`cases.warnings`), the
same as the team view's table, the managers' action lists and the lists' warning filter.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import policy
from accounts import selectors as account_selectors
from accounts.models import Role
from cases import compliance, transfers, warnings
from cases import selectors as case_selectors
from formulation import selectors as formulation_selectors
from reports import selectors as report_selectors
from supervision import selectors as supervision_selectors
from work import todo

#: Today's appointments listed on the practitioner's home (the count links to them all).
TODAY_LIMIT = 10
#: The psychologist's meetings listed for the week (the rest are on each young person's page).
MEETINGS_LIMIT = 10
#: Supervision sessions listed: those held in this many days, and any with actions still open.
SESSIONS_DAYS = 28
SESSIONS_LIMIT = 10
#: Tasks listed on the home page, overdue first ("My tasks" lists them all).
TASKS_LIMIT = 5
#: Compliance decisions listed as awaiting the manager's agreement (oldest first).
AGREEMENT_LIMIT = 10
#: Transfers listed as waiting for the manager's decision, and the manager's own waiting ones.
TRANSFERS_LIMIT = 10
#: Report runs listed on the evaluator's home.
RUNS_LIMIT = 5
#: The warning a psychologist's "reviews due" counts (formulation.warnings).
REVIEW_WARNING = "formulation_review_overdue"


@dataclass(frozen=True)
class Count:
    """A number on the home page and the list of what it counted."""

    label: object
    number: int
    url: str


@dataclass
class Section:
    role: str
    title: object
    #: Young people named on the page by this section (for the access log).
    named: set = field(default_factory=set)
    data: dict = field(default_factory=dict)


def _url(name: str, *args, query: dict | None = None, fragment: str = "") -> str:
    url = reverse(name, args=args)
    if query:
        url += "?" + urlencode(query)
    return url + fragment


def tasks_for(user) -> list:
    """The tasks given to `user` (agreed actions and the service's follow-ups), overdue
    first: all of them, for the count; the page lists the first `TASKS_LIMIT`."""
    return todo.tasks_of(user)


def team_overdue_tasks(team_ids, today) -> tuple[list, int]:
    """The first `TASKS_LIMIT` overdue tasks about the young people of the teams (a
    manager's), most overdue first, and how many there are."""
    return todo.overdue_in_teams(team_ids, today, limit=TASKS_LIMIT)


def _warning_counts(counted: dict[str, int], url) -> list[Count]:
    """The registry's warnings in its order, each with the list it links to."""
    return [
        Count(provider.label, counted[provider.code], url(provider.code))
        for provider in warnings.providers()
    ]


def practitioner(user, now: datetime) -> Section:
    appointment_counts = case_selectors.my_appointment_counts(user, now=now)
    today = list(
        case_selectors.my_appointments_when(user, case_selectors.APPOINTMENTS_TODAY, now=now)[
            :TODAY_LIMIT
        ]
    )
    labels = {
        case_selectors.APPOINTMENTS_TODAY: _("Today"),
        case_selectors.APPOINTMENTS_WEEK: _("In the next 7 days"),
        case_selectors.APPOINTMENTS_UNRECORDED: _("Past, attendance or outcome not recorded"),
    }
    counted = case_selectors.warning_counts(case_selectors.caseload_of(user))
    tasks = tasks_for(user)
    shown_tasks = tasks[:TASKS_LIMIT]
    return Section(
        Role.PRACTITIONER,
        _("Your caseload"),
        named={appointment.young_person_id for appointment in today}
        | {task.young_person.pk for task in shown_tasks if task.young_person},
        data={
            "appointments_today": today,
            "appointment_counts": [
                Count(
                    label,
                    appointment_counts[when],
                    _url("cases:appointment-list", query={"when": when}),
                )
                for when, label in labels.items()
            ],
            "today_total": appointment_counts[case_selectors.APPOINTMENTS_TODAY],
            "attention": _warning_counts(
                counted, lambda code: _url("cases:caseload", query={"warning": code})
            ),
            "attention_total": sum(counted.values()),
            "tasks": shown_tasks,
            "tasks_total": len(tasks),
            "tasks_overdue": sum(1 for task in tasks if task.is_overdue(timezone.localdate(now))),
        },
    )


def _team_counts(teams, counted) -> list[dict]:
    return [
        {
            "team": team,
            "counts": _warning_counts(
                counted[team.pk],
                lambda code, team=team: _url(
                    "cases:team-detail", team.code, query={"warning": code}, fragment="#cases"
                ),
            ),
            "total": sum(counted[team.pk].values()),
        }
        for team in teams
    ]


def manager(user, now: datetime) -> Section:
    teams = list(policy.teams_for(user, "case.allocate").order_by("name"))
    counted = case_selectors.warning_counts_by_team([team.pk for team in teams])
    shown, overdue_total = team_overdue_tasks([team.pk for team in teams], timezone.localdate(now))
    awaiting = compliance.awaiting_agreement(user)
    agreements = list(awaiting[:AGREEMENT_LIMIT])
    incoming = list(transfers.incoming_for(user)[:TRANSFERS_LIMIT])
    outgoing = list(transfers.outgoing_for(user)[:TRANSFERS_LIMIT])
    return Section(
        Role.MANAGER,
        _("Your teams"),
        named={task.young_person.pk for task in shown if task.young_person}
        | {decision.young_person_id for decision in agreements}
        | {transfer.young_person_id for transfer in incoming + outgoing},
        data={
            "teams": _team_counts(teams, counted),
            "team_tasks": shown,
            "team_tasks_total": overdue_total,
            "agreements": agreements,
            "agreements_total": (
                len(agreements) if len(agreements) < AGREEMENT_LIMIT else awaiting.count()
            ),
            "transfers_incoming": incoming,
            "transfers_outgoing": outgoing,
        },
    )


def psychologist(user, now: datetime) -> Section:
    first, last = case_selectors.week_ahead(timezone.localdate(now))
    meetings = list(formulation_selectors.meetings_chaired_by(user, first, last)[:MEETINGS_LIMIT])
    teams = list(policy.teams_for(user, "formulation.write").order_by("name"))
    counted = case_selectors.warning_counts_by_team(
        [team.pk for team in teams], codes=[REVIEW_WARNING]
    )
    reviews = [
        Count(
            team.name,
            counted[team.pk][REVIEW_WARNING],
            _url(
                "cases:team-detail", team.code, query={"warning": REVIEW_WARNING}, fragment="#cases"
            ),
        )
        for team in teams
    ]
    sessions = list(
        supervision_selectors.sessions_held_by(
            user,
            since=timezone.localdate(now) - timedelta(days=SESSIONS_DAYS),
            limit=SESSIONS_LIMIT,
        )
    )
    return Section(
        Role.PSYCHOLOGIST,
        _("Your formulation and supervision work"),
        named={meeting.young_person_id for meeting in meetings},
        data={
            "meetings": meetings,
            "reviews": reviews,
            "reviews_total": sum(count.number for count in reviews),
            "sessions": sessions,
            "open_actions": sum(session.open_actions for session in sessions),
        },
    )


def evaluator(user, now: datetime) -> Section:
    return Section(
        Role.EVALUATOR,
        _("Your reports"),
        data={"runs": report_selectors.latest_runs(user, RUNS_LIMIT)},
    )


def admin(user, now: datetime) -> Section:
    return Section(
        Role.ADMIN,
        _("The service"),
        data={
            "locked": Count(
                _("Locked accounts"),
                account_selectors.locked_out_attempts(now).count(),
                reverse("admin:axes_accessattempt_changelist"),
            ),
            "stuck": Count(
                _("Uploads waiting too long"),
                report_selectors.stuck_exchange_imports(now).count(),
                reverse("reports:exchange-import"),
            ),
            "stuck_minutes": f"{settings.ECM_REPORT_STUCK_MINUTES:g}",
        },
    )


#: The sections in the order the page shows them.
SECTIONS = (
    (Role.PRACTITIONER, practitioner),
    (Role.MANAGER, manager),
    (Role.PSYCHOLOGIST, psychologist),
    (Role.EVALUATOR, evaluator),
    (Role.ADMIN, admin),
)


def sections_for(user, now: datetime | None = None) -> list[Section]:
    """A section for each role the user holds, in a fixed order."""
    now = now or timezone.now()
    held = policy.roles(user)
    return [build(user, now) for role, build in SECTIONS if role in held]
