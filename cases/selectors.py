"""Reads of case records, always scoped to what the user may see (DESIGN.md section 6).

`young_people_visible_to` is the only way a list of young people is built. List pages use
annotations (one query for the whole page, whatever its length) rather than per-row lookups.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import policy
from accounts.access_log import get_visible_or_404, record_access
from accounts.models import Role, User

from . import rules, warnings
from .models import (
    Appointment,
    Attendance,
    Breach,
    CaseEvent,
    ComplianceDecision,
    Consent,
    ConsentParty,
    ConsentPurpose,
    CustodyEpisode,
    Need,
    Offence,
    Order,
    Status,
    TRMAssessment,
    TRMStage,
    YoungPerson,
    in_work,
)


def young_people_visible_to(
    user, capability: str = "case.read", *, include_archived: bool = False
) -> QuerySet:
    """Young people in the teams where `user` holds `capability` (none for other roles).

    Lists offered for work leave out archived and anonymised young people (`in_work`);
    `include_archived` keeps both, for the record pages and histories that say what they are.
    """
    team_ids = policy.team_ids_for(user, capability)
    queryset = YoungPerson.objects.all()
    if team_ids is not None:
        queryset = queryset.filter(team_id__in=team_ids)
    if not include_archived:
        queryset = queryset.filter(in_work())
    return queryset


class RecordAnonymised(Exception):
    """Raised instead of showing or changing a record anonymised under the retention schedule:
    its names and free text are gone, so no case page has anything to show or change.
    `governance.middleware` answers with a page that says so."""

    def __init__(self, young_person):
        super().__init__(f"young person {young_person.pk} is anonymised")
        self.young_person = young_person


def young_person_for(
    request, pk, *, capability: str = "case.read", action: str = "case.view"
) -> YoungPerson:
    """One young person the user may see, logged as viewed; 404 (logged) otherwise.

    Archived records stay readable to those who may read the team's cases. An anonymised
    one raises `RecordAnonymised` (for reading and writing alike), after the access is logged.
    """
    queryset = young_people_visible_to(request.user, capability, include_archived=True)
    young_person = get_visible_or_404(
        request,
        queryset.select_related("team", "practitioner", "withdrawal_reason"),
        action=action,
        pk=pk,
    )
    if young_person.is_anonymised:
        raise RecordAnonymised(young_person)
    return young_person


def young_person_for_action(
    request,
    pk,
    *,
    capability: str,
    action: str,
    read_capability: str = "case.read",
    viewed_as: str | None = None,
) -> YoungPerson:
    """The young person, if the user may use `capability` on their case: the one lookup
    behind every page that acts on one case.

    Found with `read_capability` first (logged as `viewed_as`, by default `action`), so
    someone who cannot see the case at all (another team, an evaluator, an administrator)
    gets the logged 404 of `young_person_for`, exactly as for a record that does not exist.
    Someone who found it but may not do this is told 403, logged as a denied `action`: the
    case's existence is no secret to them, and 403 says "not for you" rather than "not there".
    """
    young_person = young_person_for(
        request, pk, capability=read_capability, action=viewed_as or action
    )
    if not policy.may(request.user, capability, young_person.team):
        record_access(
            request, action=action, obj=young_person, allowed=False, detail=f"lacks {capability}"
        )
        raise PermissionDenied
    return young_person


def records_about(young_person, model) -> QuerySet:
    """Records of one kind (`model`: needs, offences, ...) about this young person."""
    return model.objects.filter(young_person=young_person).select_related("young_person__team")


def with_current_stage(queryset: QuerySet) -> QuerySet:
    """The current TRM stage of each row, as `current_stage_id`, from the stored summary."""
    if "current_stage_id" in queryset.query.annotations:
        return queryset
    return queryset.annotate(current_stage_id=F("case_summary__current_stage_id"))


def with_next_appointment(queryset: QuerySet) -> QuerySet:
    upcoming = Appointment.objects.filter(
        young_person=OuterRef("pk"),
        archived_at__isnull=True,
        attendance="",
        starts_at__gte=timezone.now(),
    ).order_by("starts_at")
    return queryset.annotate(next_appointment_at=Subquery(upcoming.values("starts_at")[:1]))


def with_case_summary(queryset: QuerySet) -> QuerySet:
    """Current TRM stage, last contact, next appointment and a column per warning."""
    return warnings.annotate(
        with_next_appointment(with_current_stage(queryset)).annotate(
            last_contact_at=F("case_summary__last_contact_at")
        )
    )


def stages_by_id() -> dict[int, TRMStage]:
    """The TRM stages (a handful of rows), read once per page."""
    return {stage.pk: stage for stage in TRMStage.objects.all()}


def filter_by_status(queryset: QuerySet, status: str) -> QuerySet:
    if status == Status.REFERRED:
        return queryset.filter(ecm_start_date__isnull=True, ecm_end_date__isnull=True)
    if status == Status.ACTIVE:
        return queryset.filter(ecm_start_date__isnull=False, ecm_end_date__isnull=True)
    if status == Status.ENDED:
        return queryset.filter(ecm_end_date__isnull=False)
    return queryset


def search_young_people(queryset: QuerySet, text: str) -> QuerySet:
    """Match every word typed against given name, family name or reference."""
    for word in text.split()[:5]:
        queryset = queryset.filter(
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(reference__icontains=word)
        )
    return queryset


def filter_by_warning(queryset: QuerySet, code: str) -> QuerySet:
    """The young people a warning applies to (`warnings.applies`, exactly what it counts)."""
    provider = warnings.provider(code) if code else None
    return queryset.filter(warnings.applies(provider)) if provider else queryset


def caseload_of(user) -> QuerySet:
    """The young people allocated to `user` that they may read (no summaries)."""
    return young_people_visible_to(user).filter(practitioner=user)


def caseload_for(
    user,
    *,
    search: str = "",
    status: str = "",
    stage: TRMStage | None = None,
    warning: str = "",
    practitioner=None,
) -> QuerySet:
    """The young people allocated to `practitioner` (default: the user), with summaries."""
    queryset = young_people_visible_to(user).filter(practitioner=practitioner or user)
    queryset = filter_by_status(search_young_people(queryset, search), status)
    queryset = filter_by_warning(queryset, warning)
    queryset = with_case_summary(queryset)
    if stage is not None:
        queryset = queryset.filter(current_stage_id=stage.pk)
    return queryset.select_related("team")


def with_stage_and_warnings(rows, stages: dict[int, TRMStage]):
    """Attach the current stage object and the warnings (each with what it is about) to each
    annotated row."""
    for row, shown in zip(rows, warnings.shown_for(rows), strict=True):
        row.current_stage = stages.get(row.current_stage_id)
        row.warnings = shown
    return rows


# --- One young person --------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentState:
    party: str
    purpose: str
    latest: Consent | None
    required: bool

    @property
    def decision(self) -> str:
        return self.latest.decision if self.latest else ""


def consent_states(young_person, consents=None) -> list[ConsentState]:
    """The current decision for each party and purpose (the latest one counts).

    `consents`: every current (not archived) consent decision, newest first, when the caller
    has read them already (the record page, from its timeline).
    """
    if consents is None:
        consents = (
            Consent.objects.filter(young_person=young_person, archived_at__isnull=True)
            .order_by("-decided_on", "-id")
            .select_related("recorded_by", "reason")
        )
    latest = rules.latest_decisions(consents)
    required = rules.consent_parties(young_person.parent_consent_required)
    return [
        ConsentState(party, purpose, latest.get((party, purpose)), party in required)
        for party in ConsentParty.values
        for purpose in ConsentPurpose.values
    ]


def trm_history(young_person, assessments=None) -> list[TRMAssessment]:
    """TRM assessments, oldest first (for the chart and its table).

    `assessments`: every current assessment, newest first, when the caller has them already.
    """
    if assessments is not None:
        return list(reversed(assessments))
    return list(
        TRMAssessment.objects.filter(young_person=young_person, archived_at__isnull=True)
        .select_related("stage", "recorded_by")
        .order_by("assessed_on", "id")
    )


@dataclass(eq=False)
class TimelineEntry:
    """One record on the timeline. Its title and detail are worded only when shown: the
    record page lists 20 of the up to 400 entries it reads."""

    when: date | datetime
    kind: str
    record: object
    describe: Callable[[object], tuple[object, object]]
    archived: bool = False
    by: User | None = None
    #: Where the record is read in full, for kinds that other apps add (e.g. a supervision
    #: session); empty for the case record's own kinds.
    url: str = ""

    @property
    def day(self) -> date:
        if isinstance(self.when, datetime):
            return timezone.localtime(self.when).date()
        return self.when

    @cached_property
    def _words(self) -> tuple[str, str]:
        title, detail = self.describe(self.record)
        return str(title), str(detail)

    @property
    def title(self) -> str:
        return self._words[0]

    @property
    def detail(self) -> str:
        return self._words[1]


#: What the record page shows at most per kind of record; older ones are on the full timeline.
TIMELINE_PER_KIND = 50


def _until(end: date | None) -> str:
    return _("Until %(date)s") % {"date": end.strftime("%d/%m/%Y")} if end else ""


def _compliance_words(decision) -> tuple[str, str]:
    title = _("Compliance decision: %(decision)s (missed appointment of %(date)s)") % {
        "decision": decision.get_decision_display(),
        "date": timezone.localtime(decision.appointment.starts_at).strftime("%d/%m/%Y"),
    }
    detail = decision.reason
    if decision.agreement:
        detail += "\n" + _("%(agreement)s by %(manager)s: %(reason)s") % {
            "agreement": decision.get_agreement_display(),
            "manager": decision.agreed_by,
            "reason": decision.agreement_reason,
        }
    elif decision.needs_agreement:
        detail += "\n" + str(_("Awaiting a manager's agreement"))
    return title, detail


def _consent_title(consent) -> str:
    return _("Consent %(decision)s: %(party)s – %(purpose)s") % {
        "decision": consent.get_decision_display().lower(),
        "party": consent.get_party_display(),
        "purpose": consent.get_purpose_display(),
    }


def consent_reason_in_words(consent) -> str:
    """The reason for a refusal or withdrawal, and the young person's words, as one line."""
    if consent.reason is None:
        return ""
    if consent.own_words:
        return _("Reason: %(reason)s. In their words: “%(words)s”") % {
            "reason": consent.reason.label,
            "words": consent.own_words,
        }
    return _("Reason: %(reason)s") % {"reason": consent.reason.label}


def _consent_words(consent) -> tuple[str, str]:
    detail = " ".join(part for part in (consent_reason_in_words(consent), consent.note) if part)
    return _consent_title(consent), detail


#: Each kind of record on the timeline: model, related rows to join, its date field, how it
#: is worded (title, detail).
_TIMELINE_KINDS = (
    (
        "need",
        Need,
        ("category",),
        "recorded_on",
        lambda need: (_("Need recorded: %(need)s") % {"need": need.category}, need.evidence),
    ),
    (
        "offence",
        Offence,
        (),
        "committed_on",
        lambda offence: (
            _("Offence (gravity %(gravity)d)") % {"gravity": offence.gravity},
            offence.description,
        ),
    ),
    (
        "order",
        Order,
        (),
        "start_date",
        lambda order: (order.get_order_type_display(), _until(order.end_date)),
    ),
    ("breach", Breach, (), "breach_date", lambda breach: (_("Breach"), breach.note)),
    (
        "custody",
        CustodyEpisode,
        (),
        "start_date",
        lambda episode: (_("Custody"), _until(episode.end_date)),
    ),
    ("consent", Consent, ("reason",), "decided_on", lambda consent: _consent_words(consent)),
    (
        "trm",
        TRMAssessment,
        ("stage",),
        "assessed_on",
        lambda assessment: (
            _("TRM stage %(stage)s") % {"stage": assessment.stage},
            assessment.rationale,
        ),
    ),
    (
        "appointment",
        Appointment,
        ("purpose_category",),
        "starts_at",
        lambda appointment: (
            f"{appointment.get_kind_display()}: {appointment.purpose_in_words}",
            appointment.outcome_in_words,
        ),
    ),
    (
        "compliance",
        ComplianceDecision,
        ("appointment", "agreed_by"),
        "decided_on",
        _compliance_words,
    ),
)


@dataclass(frozen=True)
class TimelineKind:
    """A kind of record a higher app puts on the case timeline (registered from its
    `AppConfig.ready()` with `register_timeline_kind`): the supervision notes and actions,
    the management oversight entries.

    `records(young_person, include_archived)`: the young person's records of this kind,
    newest first, with what `describe`, `when`, `by` and `url` read already joined.
    """

    kind: str
    records: Callable[[object, bool], QuerySet]
    when: Callable[[object], date | datetime]
    describe: Callable[[object], tuple[object, object]]
    by: Callable[[object], User | None] = lambda record: None
    url: Callable[[object], str] = lambda record: ""


_REGISTERED_TIMELINE_KINDS: dict[str, TimelineKind] = {}


def register_timeline_kind(kind: TimelineKind) -> None:
    """Add a kind of record to every young person's timeline (one query per kind)."""
    _REGISTERED_TIMELINE_KINDS[kind.kind] = kind


def _registered_entries(young_person, include_archived, per_kind) -> list[TimelineEntry]:
    entries = []
    for kind in _REGISTERED_TIMELINE_KINDS.values():
        queryset = kind.records(young_person, include_archived)
        for record in queryset[:per_kind] if per_kind else queryset:
            entries.append(
                TimelineEntry(
                    kind.when(record),
                    kind.kind,
                    record,
                    kind.describe,
                    getattr(record, "archived_at", None) is not None,
                    kind.by(record),
                    kind.url(record),
                )
            )
    return entries


def timeline_for(
    young_person, *, include_archived: bool = False, per_kind: int | None = TIMELINE_PER_KIND
) -> list[TimelineEntry]:
    """Everything recorded about a young person, newest first: one query per kind of record
    (the case record's own kinds, and those other apps registered)."""
    entries: list[TimelineEntry] = _registered_entries(young_person, include_archived, per_kind)
    for kind, model, related, date_field, describe in _TIMELINE_KINDS:
        queryset = model.objects.filter(young_person=young_person).select_related(
            "recorded_by", *related
        )
        if not include_archived:
            queryset = queryset.filter(archived_at__isnull=True)
        queryset = queryset.order_by(f"-{date_field}", "-id")
        for record in queryset[:per_kind] if per_kind else queryset:
            entries.append(
                TimelineEntry(
                    getattr(record, date_field),
                    kind,
                    record,
                    describe,
                    record.archived_at is not None,
                    record.recorded_by,
                )
            )

    def sort_key(entry):
        moment = entry.when
        if isinstance(moment, datetime):
            return (entry.day, timezone.localtime(moment).time())
        return (moment, datetime.min.time())

    entries.sort(key=sort_key, reverse=True)
    return entries


def events_for(young_person, limit: int = 200) -> QuerySet:
    return CaseEvent.objects.filter(young_person=young_person).select_related("actor")[:limit]


# --- Appointments -------------------------------------------------------------------------------


def appointments_for_caseload(user, *, upcoming: bool, limit: int = 50) -> QuerySet:
    """Upcoming (not yet held) or recent (held or past) appointments of my caseload."""
    queryset = my_appointments(user)
    now = timezone.now()
    if upcoming:
        return queryset.filter(starts_at__gte=now, attendance="").order_by("starts_at")[:limit]
    return queryset.filter(starts_at__lt=now).order_by("-starts_at")[:limit]


def my_appointments(user) -> QuerySet:
    """Every current appointment of the young people allocated to `user`."""
    return Appointment.objects.filter(
        young_person__in=caseload_of(user), archived_at__isnull=True
    ).select_related("young_person", "purpose_category")


#: "This week" on the home page and the appointment list: today and the six days after it
#: (a week ahead whatever day it is, so a Friday still shows next week's first days).
WEEK_DAYS = 7

#: The appointment list's filters, in the order the home page shows their counts.
APPOINTMENTS_TODAY = "today"
APPOINTMENTS_WEEK = "week"
APPOINTMENTS_UNRECORDED = "unrecorded"


def day_start(day: date) -> datetime:
    """Midnight at the start of `day`, in the service's time zone."""
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def week_ahead(today: date | None = None) -> tuple[date, date]:
    """The first and last day of "this week": today and the `WEEK_DAYS` - 1 days after it."""
    today = today or timezone.localdate()
    return today, today + timedelta(days=WEEK_DAYS - 1)


def appointment_conditions(now: datetime | None = None) -> dict[str, Q]:
    """Which appointments each filter of the appointment list (and count on the home page)
    takes, as of `now`.

    * today, this week: booked for those days and not called off (cancelled or rearranged);
    * unrecorded: in the past, with no attendance recorded, or attended with no outcome
      recorded (neither coded nor, for one recorded before outcomes were coded, written).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    first, last = week_ahead(today)
    called_off = Q(
        attendance__in=[
            Attendance.CANCELLED_BY_YOUNG_PERSON,
            Attendance.CANCELLED_BY_SERVICE,
            Attendance.REARRANGED,
        ]
    )

    def days(start: date, end: date) -> Q:
        return Q(starts_at__gte=day_start(start), starts_at__lt=day_start(end + timedelta(days=1)))

    return {
        APPOINTMENTS_TODAY: days(today, today) & ~called_off,
        APPOINTMENTS_WEEK: days(first, last) & ~called_off,
        APPOINTMENTS_UNRECORDED: Q(starts_at__lt=now)
        & (Q(attendance="") | Q(attendance=Attendance.ATTENDED, outcome_code="", outcome="")),
    }


def my_appointments_when(user, when: str, *, now: datetime | None = None) -> QuerySet:
    """My appointments that one filter takes: today's and the week's soonest first, the
    unrecorded ones latest first."""
    queryset = my_appointments(user).filter(appointment_conditions(now)[when])
    if when == APPOINTMENTS_UNRECORDED:
        return queryset.order_by("-starts_at", "-id")
    return queryset.order_by("starts_at", "id")


def my_appointment_counts(user, *, now: datetime | None = None) -> dict[str, int]:
    """How many of my appointments each filter takes: one query."""
    return my_appointments(user).aggregate(
        **{when: Count("pk", filter=q) for when, q in appointment_conditions(now).items()}
    )


# --- Managers -----------------------------------------------------------------------------------


def practitioners_in(team) -> QuerySet:
    return (
        User.objects.filter(
            memberships__team=team, memberships__role=Role.PRACTITIONER, is_active=True
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


@dataclass
class CaseloadSummary:
    practitioner: User | None
    by_status: Counter = field(default_factory=Counter)
    by_stage: Counter = field(default_factory=Counter)
    warnings: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def team_open_cases(team) -> QuerySet:
    """The cases the team view counts and lists: the team's young people, neither archived
    nor anonymised."""
    return YoungPerson.objects.filter(in_work(), team=team)


def warning_counts(queryset: QuerySet) -> dict[str, int]:
    """How many of these young people each warning applies to, by code: one query."""
    return queryset.aggregate(**warnings.counts())


def warning_counts_by_team(team_ids, codes=None) -> dict[int, dict[str, int]]:
    """For each team, how many of its open cases each warning (of `codes`, if given) applies
    to: one grouped query over the same rows as `team_open_cases` (the team view's counts and
    list)."""
    aggregates = warnings.counts(codes)
    if not team_ids:
        return {}
    grouped = (
        YoungPerson.objects.filter(in_work(), team_id__in=team_ids)
        .values("team_id")
        .annotate(**aggregates)
        .order_by()
    )
    empty = dict.fromkeys(aggregates, 0)
    counted = {row.pop("team_id"): row for row in grouped}
    return {team_id: {**empty, **counted.get(team_id, {})} for team_id in team_ids}


def team_overview(
    team, *, stages: dict[int, TRMStage] | None = None, practitioners: list | None = None
) -> tuple[list[CaseloadSummary], CaseloadSummary]:
    """Each practitioner's caseload by status and TRM stage, with warnings rolled up.

    Counted by the database: one grouped query over the team's open cases and their stored
    summaries (a large team has over a thousand), one for its practitioners, one for stages
    (these two are not read again when the page has them already).
    """
    if stages is None:
        stages = stages_by_id()
    if practitioners is None:
        practitioners = practitioners_in(team)
    statuses = {
        Status.ENDED: Q(ecm_end_date__isnull=False),
        Status.ACTIVE: Q(ecm_end_date__isnull=True, ecm_start_date__isnull=False),
        Status.REFERRED: Q(ecm_end_date__isnull=True, ecm_start_date__isnull=True),
    }
    grouped = (
        team_open_cases(team)
        .values("practitioner_id")
        .annotate(
            **{f"status_{value}": Count("pk", filter=q) for value, q in statuses.items()},
            **{
                f"stage_{stage_id}": Count("pk", filter=Q(case_summary__current_stage=stage_id))
                for stage_id in stages
            },
            **{f"warning_{code}": count for code, count in warnings.counts().items()},
        )
        .order_by()
    )
    by_practitioner: dict[int | None, CaseloadSummary] = {
        user.pk: CaseloadSummary(user) for user in practitioners
    }
    totals = CaseloadSummary(None)
    counted = list(grouped)
    missing = {row["practitioner_id"] for row in counted} - set(by_practitioner) - {None}
    if missing:  # allocated to someone who has since left the team
        for user in User.objects.filter(pk__in=missing):
            by_practitioner[user.pk] = CaseloadSummary(user)
    by_practitioner.setdefault(None, CaseloadSummary(None))
    for row in counted:
        for summary in (by_practitioner[row["practitioner_id"]], totals):
            for value in statuses:
                summary.by_status[value] += row[f"status_{value}"]
            for stage_id, stage in stages.items():
                summary.by_stage[stage.number] += row[f"stage_{stage_id}"]
            for provider in warnings.providers():
                summary.warnings[provider.code] += row[f"warning_{provider.code}"]
    summaries = [
        summary for key, summary in by_practitioner.items() if key is not None or summary.total
    ]
    return summaries, totals


def team_cases(
    team,
    *,
    search: str = "",
    status: str = "",
    practitioner_id=None,
    stage: TRMStage | None = None,
    warning: str = "",
) -> QuerySet:
    """The team's open cases, filtered; summaries are added per page by `page_with_summaries`.

    Annotating every case of a large team before paginating made the database compute the
    summary subqueries for all of them (docs/benchmarks.md); only the stage filter needs them
    up front.
    """
    queryset = team_open_cases(team)
    queryset = filter_by_warning(
        filter_by_status(search_young_people(queryset, search), status), warning
    )
    if practitioner_id == "none":
        queryset = queryset.filter(practitioner__isnull=True)
    elif practitioner_id:
        queryset = queryset.filter(practitioner_id=practitioner_id)
    if stage is not None:
        queryset = with_current_stage(queryset).filter(current_stage_id=stage.pk)
    # Only the keys: `page_with_summaries` reads the page's rows in full, with their practitioners
    # (joining every case's practitioner here made PostgreSQL hash all 7,000 staff).
    return queryset.only("pk")


def page_with_summaries(young_people) -> list:
    """The case summaries (stage, contacts, warnings' facts) for one page of young people,
    in the page's order, with one query."""
    ids = [person.pk for person in young_people]
    by_id = {
        person.pk: person
        for person in with_case_summary(YoungPerson.objects.filter(pk__in=ids)).select_related(
            "practitioner", "team"
        )
    }
    return [by_id[pk] for pk in ids if pk in by_id]
