"""Baseline views: the least work each benchmarked page needs, for the ratios in `make bench`.

Each baseline signs the user in (the session and user lookups every page pays), reads the
same rows as its page with one indexed query that also scopes them to the user's teams, and
renders them with a plain template (no base layout, navigation, forms or components). A page
within a small multiple of its baseline spends its time on the rows the user asked for, not
on per-row lookups, summaries recomputed per request or template machinery.

They are served only by `bench.urls` (`bench.settings`), never by the service itself.
"""

from datetime import timedelta
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template import Context, Engine
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts import policy
from accounts.models import Agency, Membership, User
from cases.models import (
    Appointment,
    Breach,
    ComplianceDecision,
    Consent,
    CustodyEpisode,
    Need,
    Offence,
    Order,
    Status,
    TRMAssessment,
    YoungPerson,
)
from eligibility.models import EligibilityDecision
from formulation.models import AgreedAction, DistanceDomain, DistanceRating, Formulation
from governance.models import RetentionReviewItem
from supervision.models import (
    OversightAction,
    OversightEntry,
    SupervisionAction,
    SupervisionSession,
)
from work.models import FollowUp, Notification

#: Rows per page, as on the service's lists (cases/views/caseload.py).
PER_PAGE = 25
#: Today's appointments listed on the practitioner's home (ecm/today.py).
HOME_TODAY_LIMIT = 10
#: Tasks listed on the home page (ecm/today.py).
HOME_TASKS_LIMIT = 5
#: Appointments listed on the record page (cases/views/young_people.py).
APPOINTMENTS_PREVIEW = 10
#: Upcoming and recent appointments on "my appointments".
APPOINTMENTS_LIMIT = 50
#: Entries on a page of a case's oversight history (supervision.selectors.OVERSIGHT_PAGE_SIZE).
OVERSIGHT_PER_PAGE = 25

#: A template engine of its own: the baselines render plain files, without the service's
#: context processors (navigation, languages) or its template directories.
ENGINE = Engine(dirs=[Path(__file__).resolve().parent / "templates"], autoescape=True)

PERSON_FIELDS = (
    "pk",
    "reference",
    "given_name",
    "family_name",
    "referral_date",
    "ecm_start_date",
    "ecm_end_date",
)


def _member_of(user, team_path: str) -> Exists:
    """The row's team is one of the user's: a condition inside the one query."""
    return Exists(Membership.objects.filter(user=user, team=OuterRef(team_path)))


def _render(template_name: str, context: dict) -> HttpResponse:
    return HttpResponse(ENGINE.get_template(template_name).render(Context(context)))


@login_required
@require_GET
def caseload(request):
    """The first page of the young people allocated to me (as `cases:caseload`)."""
    rows = list(
        YoungPerson.objects.filter(
            _member_of(request.user, "team"), practitioner=request.user, archived_at__isnull=True
        )
        .order_by("family_name", "given_name", "id")
        .values(*PERSON_FIELDS)[:PER_PAGE]
    )
    return _render("bench/people.html", {"title": "My caseload", "rows": rows})


@login_required
@require_GET
def team(request, code):
    """A team's open cases: all of them (the page summarises the whole team), 25 shown."""
    people = list(
        YoungPerson.objects.filter(
            _member_of(request.user, "team"), team__code=code, archived_at__isnull=True
        )
        .order_by("family_name", "given_name", "id")
        .values(*PERSON_FIELDS, "practitioner__first_name", "practitioner__last_name")
    )
    by_status = dict.fromkeys(Status.values, 0)
    for person in people:
        by_status[_status(person)] += 1
    return _render(
        "bench/people.html",
        {
            "title": f"Team {code}",
            "rows": people[:PER_PAGE],
            "total": len(people),
            "by_status": by_status,
        },
    )


def _status(person: dict) -> str:
    if person["ecm_end_date"]:
        return Status.ENDED
    if person["ecm_start_date"]:
        return Status.ACTIVE
    return Status.REFERRED


#: The record page's sections (cases/views/young_people.py): kind, model, date field, columns.
RECORD_SECTIONS = (
    ("needs", Need, "recorded_on", ("recorded_on", "category__name", "evidence")),
    ("offences", Offence, "committed_on", ("committed_on", "description", "gravity")),
    ("orders", Order, "start_date", ("start_date", "end_date", "order_type")),
    ("breaches", Breach, "breach_date", ("breach_date", "note")),
    ("custody", CustodyEpisode, "start_date", ("start_date", "end_date")),
    ("consents", Consent, "decided_on", ("decided_on", "party", "purpose", "decision")),
    ("assessments", TRMAssessment, "assessed_on", ("assessed_on", "stage__number")),
    ("appointments", Appointment, "starts_at", ("starts_at", "kind", "purpose", "attendance")),
)
#: As the record page: at most this many of each kind (selectors.TIMELINE_PER_KIND).
RECORDS_PER_KIND = 50
#: As the record page: the newest entries of all kinds together.
TIMELINE_PREVIEW = 20


def _record_rows(request, pk, *, per_kind: int | None) -> dict:
    """The person (scoped to my teams), one indexed query per kind of record (newest first,
    up to `per_kind` of each) with the timeline they make, and one query for each of the
    three panels (latest eligibility decision, latest formulation and its distance-travelled
    ratings, supervision sessions)."""
    person = get_object_or_404(
        YoungPerson.objects.filter(_member_of(request.user, "team")).values(
            *PERSON_FIELDS, "date_of_birth"
        ),
        pk=pk,
    )
    sections = {}
    timeline = []
    for name, model, date_field, columns in RECORD_SECTIONS:
        rows = (
            model.objects.filter(young_person_id=pk, archived_at__isnull=True)
            .order_by(f"-{date_field}", "-id")
            .values("pk", *columns, "recorded_by__first_name", "recorded_by__last_name")
        )
        rows = list(rows[:per_kind] if per_kind else rows)
        sections[name] = rows
        timeline.extend((str(row[date_field]), name, row) for row in rows)
    timeline.sort(key=lambda entry: entry[0], reverse=True)
    panels = {
        "decision": EligibilityDecision.objects.filter(young_person_id=pk)
        .order_by("-decided_on", "-id")
        .values("decided_on", "eligible", "criteria")
        .first(),
        "formulation": Formulation.objects.filter(meeting__young_person_id=pk)
        .order_by("-meeting__held_on", "-id")
        .values("meeting__held_on", "trm_stage__number", "next_review_on")
        .first(),
        "distance": list(
            DistanceRating.objects.filter(formulation__meeting__young_person_id=pk)
            .order_by("formulation__meeting__held_on")
            .values("domain__name", "self_rating", "practitioner_rating")
        ),
        "supervision": list(
            SupervisionSession.objects.filter(cases__id=pk)
            .order_by("-held_on", "-id")
            .values("held_on", "psychologist__first_name", "psychologist__last_name")[:5]
        ),
    }
    return {"young_person": person, "sections": sections, "timeline": timeline, "panels": panels}


@login_required
@require_GET
def young_person(request, pk):
    """The rows the record page shows: up to 50 of each kind of record (the page's sections
    and its 20-entry timeline) and the three panels."""
    rows = _record_rows(request, pk, per_kind=RECORDS_PER_KIND)
    rows["sections"]["appointments"] = rows["sections"]["appointments"][:APPOINTMENTS_PREVIEW]
    rows["appointments"] = rows["sections"]["appointments"]
    rows["timeline"] = rows["timeline"][:TIMELINE_PREVIEW]
    return _render("bench/young_person.html", rows)


@login_required
@require_GET
def case_summary(request, pk):
    """The rows the case summary shows: every current record of each kind (its chronology,
    oldest first, and the facts taken from it) and the three panels."""
    rows = _record_rows(request, pk, per_kind=None)
    rows["timeline"].reverse()
    return _render("bench/young_person.html", rows)


@login_required
@require_GET
def appointments(request):
    """Upcoming and recent appointments of my caseload (as `cases:appointment-list`)."""
    mine = Appointment.objects.filter(
        _member_of(request.user, "young_person__team"),
        young_person__practitioner=request.user,
        young_person__archived_at__isnull=True,
        archived_at__isnull=True,
    ).select_related("young_person")
    now = timezone.now()
    upcoming = list(
        mine.filter(starts_at__gte=now, attendance="").order_by("starts_at")[:APPOINTMENTS_LIMIT]
    )
    recent = list(mine.filter(starts_at__lt=now).order_by("-starts_at")[:APPOINTMENTS_LIMIT])
    return _render(
        "bench/appointments.html",
        {
            "upcoming": upcoming,
            "recent": recent,
            "lists": [("Upcoming", upcoming), ("Recent", recent)],
        },
    )


@login_required
@require_GET
def report_request(request):
    """The teams I may report on, as the report request form's check boxes."""
    teams = list(
        policy.teams_for(request.user, "reports.run").order_by("name").values("code", "name")
    )
    return _render("bench/report_request.html", {"teams": teams})


def _task_rows(condition: dict, *, teams=None, limit=None) -> list:
    """Tasks of each kind matching `condition` (and about the teams' young people): one
    indexed query per kind, as (description, due on, young person's pk and names)."""
    person = "formulation__meeting__young_person__"
    kinds = (
        (AgreedAction, "description", person, "formulation__meeting__young_person__team"),
        (SupervisionAction, "description", "young_person__", "session__team"),
        (FollowUp, "kind", "young_person__", "young_person__team"),
    )
    rows = []
    for model, what, about, team_path in kinds:
        queryset = model.objects.filter(**condition)
        if teams is not None:
            queryset = queryset.filter(**{f"{team_path}__in": teams})
        if limit is not None:
            queryset = queryset.order_by("due_on", "pk")[:limit]
        rows += queryset.values_list(
            what, "due_on", f"{about}pk", f"{about}given_name", f"{about}family_name"
        )
    return rows


@login_required
@require_GET
def tasks(request):
    """My open tasks of each kind (as `work:task-list`): one indexed query per kind."""
    rows = _task_rows({"assignee": request.user, "done_on__isnull": True})
    return _render("bench/tasks.html", {"rows": rows})


#: Notifications on a page, as `work.views.NOTIFICATIONS_PER_PAGE`.
NOTIFICATIONS_PER_PAGE = 50


@login_required
@require_GET
def notifications(request):
    """My newest notifications (as `work:notification-list`): one indexed query, with the young
    person's name."""
    rows = Notification.objects.filter(user=request.user).values_list(
        "kind", "on", "read_at", "young_person__given_name", "young_person__family_name"
    )[:NOTIFICATIONS_PER_PAGE]
    return _render("bench/notifications.html", {"rows": rows})


@login_required
@require_GET
def home_practitioner(request):
    """As the practitioner's section of `home`: today's appointments of my caseload, how
    many are today, this week and past without a record (one count), how many of my cases
    are open (the page counts its warnings over them), and my open tasks."""
    now = timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    mine = Appointment.objects.filter(
        _member_of(request.user, "young_person__team"),
        young_person__practitioner=request.user,
        young_person__archived_at__isnull=True,
        archived_at__isnull=True,
    )
    appointments = list(
        mine.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))
        .select_related("young_person")
        .order_by("starts_at")[:HOME_TODAY_LIMIT]
    )
    counts = mine.aggregate(
        today=Count("pk", filter=Q(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))),
        week=Count("pk", filter=Q(starts_at__gte=start, starts_at__lt=start + timedelta(days=7))),
        unrecorded=Count("pk", filter=Q(starts_at__lt=now, attendance="")),
    )
    open_cases = YoungPerson.objects.filter(
        _member_of(request.user, "team"),
        practitioner=request.user,
        archived_at__isnull=True,
        ecm_end_date__isnull=True,
    ).count()
    return _render(
        "bench/home.html",
        {
            "appointments": appointments,
            "appointment_counts": counts,
            "counts": [{"team__code": "", "n": open_cases}],
            "tasks": _task_rows({"assignee": request.user, "done_on__isnull": True}),
        },
    )


@login_required
@require_GET
def home_manager(request):
    """As the manager's section of `home`: how many open cases each team I manage has (the
    page counts the warnings over the same rows), and the team's overdue tasks: how many
    (one count) and the first few of each kind."""
    counts = list(
        YoungPerson.objects.filter(
            _member_of(request.user, "team"), archived_at__isnull=True, ecm_end_date__isnull=True
        )
        .values("team__code")
        .annotate(n=Count("id"))
        .order_by("team__code")
    )
    teams = list(policy.teams_for(request.user, "case.allocate"))
    overdue = {"done_on__isnull": True, "due_on__lt": timezone.localdate()}
    kinds = (
        (AgreedAction, "formulation__meeting__young_person__team__in"),
        (SupervisionAction, "session__team__in"),
        (FollowUp, "young_person__team__in"),
    )
    first, *others = (
        model.objects.filter(**overdue, **{path: teams}).order_by().values("pk")
        for model, path in kinds
    )
    return _render(
        "bench/home.html",
        {
            "counts": counts,
            "tasks_total": first.union(*others, all=True).count(),
            "tasks": _task_rows(overdue, teams=teams, limit=HOME_TASKS_LIMIT),
        },
    )


# --- Issue 15: compliance, oversight and distance travelled -----------------------------------


def _person(request, pk) -> dict:
    """The young person, scoped to my teams (404 otherwise): the caption of a case's forms."""
    return get_object_or_404(
        YoungPerson.objects.filter(_member_of(request.user, "team")).values(*PERSON_FIELDS),
        pk=pk,
    )


def _form(title: str, facts: list, choices: dict | None = None) -> HttpResponse:
    """A plain form: what it is about (`facts`, label and value) and its drop-downs."""
    return _render("bench/form.html", {"title": title, "facts": facts, "choices": choices or {}})


@login_required
@require_GET
def compliance_decision(request, pk, appointment_pk):
    """The missed appointment with its young person (scoped to my teams), and its live
    decision if any (as `cases:compliancedecision-edit`)."""
    appointment = get_object_or_404(
        Appointment.objects.filter(
            _member_of(request.user, "young_person__team"), young_person_id=pk
        ).values("pk", "starts_at", "kind", *(f"young_person__{name}" for name in PERSON_FIELDS)),
        pk=appointment_pk,
    )
    decision = (
        ComplianceDecision.objects.filter(appointment_id=appointment_pk, archived_at__isnull=True)
        .values("pk", "decision", "reason", "decided_on", "version")
        .first()
    )
    return _form(
        "Compliance decision",
        [("Appointment", appointment["starts_at"]), ("Decision", decision)],
        {"rows": [appointment]},
    )


@login_required
@require_GET
def compliance_agreement(request, pk, decision_pk):
    """The decision, its missed appointment, who decided and the young person, scoped to my
    teams (as `cases:compliancedecision-agree`): one query."""
    decision = get_object_or_404(
        ComplianceDecision.objects.filter(
            _member_of(request.user, "young_person__team"), young_person_id=pk
        ).values(
            "pk",
            "decision",
            "reason",
            "decided_on",
            "version",
            "appointment__starts_at",
            "decided_by__first_name",
            "decided_by__last_name",
            "young_person__given_name",
            "young_person__family_name",
            "young_person__reference",
        ),
        pk=decision_pk,
    )
    return _form("Agree or disagree", [("Decision", decision)])


@login_required
@require_GET
def oversight_form(request, pk):
    """The oversight form's choices (as `supervision:oversight-create`): the sessions that
    discussed the case, the team's staff and the agencies an action may be given to."""
    person = get_object_or_404(
        YoungPerson.objects.filter(_member_of(request.user, "team")).values(
            *PERSON_FIELDS, "team_id"
        ),
        pk=pk,
    )
    sessions = SupervisionSession.objects.filter(cases__id=pk).order_by("-held_on", "-id")
    staff = (
        User.objects.filter(memberships__team_id=person["team_id"], is_active=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    return _form(
        "Record management oversight",
        [("Young person", person)],
        {
            "responds_to": list(sessions.values_list("pk", "held_on", "psychologist__first_name")),
            "assignee": list(staff.values_list("pk", "first_name", "last_name")),
            "agency": list(Agency.objects.order_by("name").values_list("pk", "name")),
        },
    )


@login_required
@require_GET
def distance(request, meeting_pk):
    """The formulation of the meeting (scoped to my teams) and every active domain with its
    rating there, if any (as `formulation:distance-edit`)."""
    formulation = get_object_or_404(
        Formulation.objects.filter(_member_of(request.user, "meeting__young_person__team")).values(
            "pk", "version", "meeting__held_on", "meeting__young_person__reference"
        ),
        meeting_id=meeting_pk,
    )
    ratings = list(
        DistanceRating.objects.filter(formulation_id=formulation["pk"]).values_list(
            "domain_id", "self_rating", "practitioner_rating"
        )
    )
    rated = [domain_id for domain_id, _self, _practitioner in ratings]
    domains = list(
        DistanceDomain.objects.filter(Q(active=True) | Q(pk__in=rated)).values_list("pk", "name")
    )
    return _form(
        "Distance travelled", [("Formulation", formulation)], {"rows": domains, "ratings": ratings}
    )


@login_required
@require_GET
def oversight_history(request, pk):
    """The first page of the case's oversight entries, newest first, with the manager and
    the session each answers, and those entries' actions (as `supervision:oversight-history`)."""
    person = _person(request, pk)
    entries = OversightEntry.objects.filter(young_person_id=pk)
    rows = list(
        entries.order_by("-reviewed_on", "-id").values(
            "pk",
            "reviewed_on",
            "reviewed",
            "decision",
            "manager__first_name",
            "manager__last_name",
            "responds_to__held_on",
        )[:OVERSIGHT_PER_PAGE]
    )
    actions = list(
        OversightAction.objects.filter(entry_id__in=[row["pk"] for row in rows])
        .order_by("due_on", "id")
        .values("entry_id", "description", "due_on", "done_on", "owner", "assignee__first_name")
    )
    return _render(
        "bench/oversight.html",
        {"young_person": person, "rows": rows, "actions": actions, "total": entries.count()},
    )


#: Young people due on a page of the retention review (governance.views.PER_PAGE).
RETENTION_PER_PAGE = 50
#: As partners.views.HOME_PER_PAGE.
PARTNER_PER_PAGE = 50


# --- Partner agency pages (issue 18) -----------------------------------------------------------


def _partner_people(user):
    """The young people the partner's agency has an open plan item with, in one query (the
    page adds agreed actions, invitations and the consent rule to the same query)."""
    from formulation.models import InterventionItem

    items = InterventionItem.objects.filter(
        agency_id=user.agency_id, status__in=["planned", "active"]
    )
    return YoungPerson.objects.filter(
        pk__in=items.values("young_person_id"), archived_at__isnull=True
    )


@login_required
@require_GET
def retention_review(request):
    """The first page of the pending review (as `governance:retentionreview-list`): one
    indexed query, with each young person's reference and team."""
    policy.require(request.user, "retention.review")
    rows = (
        RetentionReviewItem.objects.filter(review__status="pending")
        .order_by("due_on", "young_person__reference")
        .values_list("young_person__reference", "young_person__team__code", "due_on")[
            :RETENTION_PER_PAGE
        ]
    )
    return _render("bench/retention.html", {"rows": rows})


@login_required
@require_GET
def partner_home(request):
    """The partner's young people with their current stage (as `partners:home`)."""
    rows = list(
        _partner_people(request.user)
        .order_by("family_name", "given_name", "id")
        .values(*PERSON_FIELDS)[:PARTNER_PER_PAGE]
    )
    return _render("bench/people.html", {"title": "Your young people", "rows": rows})


@login_required
@require_GET
def partner_young_person(request, pk):
    """The young person and their agency's plan items (as `partners:youngperson-detail`)."""
    from formulation.models import InterventionItem

    person = get_object_or_404(_partner_people(request.user).values(*PERSON_FIELDS), pk=pk)
    items = list(
        InterventionItem.objects.filter(young_person_id=pk, agency_id=request.user.agency_id)
        .order_by("sequence", "id")
        .values_list("title", "status")
    )
    return _form(f"{person['given_name']} {person['family_name']}", items)
