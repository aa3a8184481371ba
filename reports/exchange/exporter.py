"""Writing the exchange format: every file, with its header row, from the database.

The row sources here are also what the importer compares a file with ("is this row already
there?"), so a row exported and read back is recognised as the same row.

What is exported: teams, agencies, the staff the case data needs (anyone holding a
practitioner, manager, psychologist or evaluator role, anyone with a staff reference, anyone
a case record names), and every young person and record that is not archived. Archived
records, cancelled formulation meetings, the text of formulations (only the TRM stage each
agreed is written), notes of supervision and anything the format has no column for stay out.
A young person anonymised under the retention schedule (issue 17) is exported with coded
facts only, marked so (`anonymised_on`, `age_at_ecm_start`): names and ethnicity empty, their
ANON- reference, the stand-in date of birth that keeps their ages; any cell the anonymiser
left as its marker is written empty, in every file, unless the format requires a value
there (`schema.format_cell`).
Cells are escaped so that a spreadsheet never runs one as a formula, by the rule in
`schema.escape_cell`, which the reader undoes: what is read back is exactly what was
written.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import (
    Agency,
    DedicatedRole,
    Membership,
    Team,
    TrainingAttendance,
    TrainingCourse,
    UnitCost,
    User,
)
from cases.models import (
    Appointment,
    Breach,
    ComplianceDecision,
    Consent,
    CustodyEpisode,
    Need,
    Offence,
    Order,
    TRMAssessment,
    YoungPerson,
)
from formulation.models import (
    DeliveredIntervention,
    DistanceRating,
    FormulationMeeting,
    InterventionItem,
    MeetingAttendance,
    MeetingStatus,
)
from reports.models import MeasureTarget
from supervision.models import (
    OversightAction,
    OversightEntry,
    SupervisionNote,
    SupervisionSession,
)

from . import schema
from .schema import STAFF_ROLES


def _user(staff_ref, username):
    return schema.staff_key(staff_ref, username) if username else None


def _person_filter(prefix: str, young_person_ids, include_archived: bool) -> Q:
    condition = Q()
    if young_person_ids is not None:
        condition &= Q(**{f"{prefix}young_person_id__in": young_person_ids})
    if not include_archived:
        condition &= Q(**{f"{prefix}young_person__archived_at__isnull": True})
    return condition


def _rows(values_queryset, young_person_ids):
    """Stream a whole export; fetch an importer's slice (a few young people) in one go.

    (A server-side cursor makes PostgreSQL plan for the first rows, which can be much
    slower for a slice the importer reads in full anyway.)
    """
    if young_person_ids is None:
        return values_queryset.iterator(chunk_size=5000)
    return iter(values_queryset)


def _records(model, fields, order, young_person_ids, include_archived):
    queryset = model.objects.filter(_person_filter("", young_person_ids, include_archived))
    if not include_archived:
        queryset = queryset.filter(archived_at__isnull=True)
    return _rows(
        queryset.order_by("young_person__reference", *order, "pk").values_list(
            "young_person__reference", *fields
        ),
        young_person_ids,
    )


# --- One function per file: tuples of values in the file's column order ------------------------


def teams(**_options) -> Iterator[tuple]:
    yield from Team.objects.order_by("code").values_list("code", "name")


def agencies(**_options) -> Iterator[tuple]:
    yield from Agency.objects.order_by("code").values_list("code", "name")


def _referenced_staff() -> set[int]:
    referenced: set[int] = set()
    for model, fields in (
        (YoungPerson, ("practitioner_id",)),
        (Consent, ("recorded_by_id",)),
        (TRMAssessment, ("recorded_by_id",)),
        (Appointment, ("practitioner_id",)),
        (ComplianceDecision, ("decided_by_id", "agreed_by_id")),
        (FormulationMeeting, ("chair_id",)),
        (DistanceRating, ("recorded_by_id",)),
        (SupervisionSession, ("psychologist_id", "practitioner_id")),
        (OversightEntry, ("manager_id",)),
        (OversightAction, ("assignee_id",)),
        (TrainingAttendance, ("user_id",)),
        (DedicatedRole, ("user_id",)),
    ):
        for name in fields:
            referenced.update(
                model.objects.filter(**{f"{name}__isnull": False})
                .values_list(name, flat=True)
                .distinct()
                .order_by()
            )
    return referenced


def staff(**_options) -> Iterator[tuple]:
    """One row per member of staff and role (team roles list their teams)."""
    held: dict[int, dict[str, set]] = {}
    for user_id, role, team_code in Membership.objects.values_list("user_id", "role", "team__code"):
        if role in STAFF_ROLES:
            held.setdefault(user_id, {}).setdefault(role, set())
            if team_code:
                held[user_id][role].add(team_code)
    referenced = _referenced_staff()
    rows = []
    for user in User.objects.only("username", "staff_ref", "first_name", "last_name", "email"):
        if not (user.staff_ref or user.pk in held or user.pk in referenced):
            continue
        key = schema.staff_key(user.staff_ref, user.username)
        roles = held.get(user.pk) or {"": set()}
        for role, codes in roles.items():
            name = user.get_full_name() or user.username  # the format requires a name
            rows.append((key, name, user.email, role, tuple(sorted(codes))))
    yield from sorted(rows, key=lambda row: (row[0], row[3]))


def young_people(*, young_person_ids=None, include_archived=False) -> Iterator[tuple]:
    queryset = YoungPerson.objects.all()
    if young_person_ids is not None:
        queryset = queryset.filter(pk__in=young_person_ids)
    if not include_archived:
        queryset = queryset.filter(archived_at__isnull=True)
    for values in _rows(
        queryset.order_by("reference").values_list(
            "reference",
            "team__code",
            "given_name",
            "family_name",
            "date_of_birth",
            "gender",
            "ethnicity",
            "referral_date",
            "practitioner__staff_ref",
            "practitioner__username",
            "parent_consent_required",
            "ecm_start_date",
            "ecm_end_date",
            "end_reason",
            "withdrawal_reason__code",
            "anonymised_at",
            "age_at_ecm_start",
        ),
        young_person_ids,
    ):
        anonymised_at = values[15]
        if anonymised_at is None:
            yield (*values[:8], _user(values[8], values[9]), *values[10:15], None, None)
            continue
        # Anonymised: the coded facts only (names and ethnicity left empty), marked so.
        reference, team, _given, _family, born, gender, _ethnicity, referral = values[:8]
        yield (
            reference,
            team,
            None,
            None,
            born,
            gender,
            None,
            referral,
            _user(values[8], values[9]),
            *values[10:15],
            timezone.localdate(anonymised_at),
            values[16],
        )


def needs(*, young_person_ids=None, include_archived=False):
    yield from _records(
        Need,
        ("category__code", "recorded_on", "evidence"),
        ("recorded_on",),
        young_person_ids,
        include_archived,
    )


def offences(*, young_person_ids=None, include_archived=False):
    yield from _records(
        Offence,
        ("committed_on", "description", "gravity", "proven_on"),
        ("committed_on",),
        young_person_ids,
        include_archived,
    )


def orders(*, young_person_ids=None, include_archived=False):
    yield from _records(
        Order,
        ("order_type", "start_date", "end_date"),
        ("start_date",),
        young_person_ids,
        include_archived,
    )


def breaches(*, young_person_ids=None, include_archived=False):
    yield from _records(
        Breach, ("breach_date", "note"), ("breach_date",), young_person_ids, include_archived
    )


def custody(*, young_person_ids=None, include_archived=False):
    yield from _records(
        CustodyEpisode,
        ("start_date", "end_date"),
        ("start_date",),
        young_person_ids,
        include_archived,
    )


def consents(*, young_person_ids=None, include_archived=False):
    for values in _records(
        Consent,
        (
            "party",
            "purpose",
            "decision",
            "decided_on",
            "recorded_by__staff_ref",
            "recorded_by__username",
            "note",
            "reason__code",
            "own_words",
        ),
        ("decided_on",),
        young_person_ids,
        include_archived,
    ):
        yield (*values[:5], _user(values[5], values[6]), *values[7:])


def trm_assessments(*, young_person_ids=None, include_archived=False):
    for values in _records(
        TRMAssessment,
        (
            "assessed_on",
            "stage__number",
            "rationale",
            "recorded_by__staff_ref",
            "recorded_by__username",
        ),
        ("assessed_on",),
        young_person_ids,
        include_archived,
    ):
        yield (*values[:4], _user(values[4], values[5]))


def _plan_positions(young_person_ids) -> dict[int, int]:
    """Appointment id → the position (1 = first) of the plan item it delivered among the
    young person's items in plan order, as `interventions` lists them."""
    condition = Q() if young_person_ids is None else Q(young_person_id__in=young_person_ids)
    positions, counted = {}, {}
    for pk, person_id in (
        InterventionItem.objects.filter(condition)
        .order_by("young_person_id", "sequence", "pk")
        .values_list("pk", "young_person_id")
    ):
        counted[person_id] = counted.get(person_id, 0) + 1
        positions[pk] = counted[person_id]
    condition = (
        Q() if young_person_ids is None else Q(appointment__young_person_id__in=young_person_ids)
    )
    return {
        appointment_id: positions[item_id]
        for appointment_id, item_id in DeliveredIntervention.objects.filter(condition).values_list(
            "appointment_id", "item_id"
        )
        if item_id in positions
    }


def appointments(*, young_person_ids=None, include_archived=False):
    positions = _plan_positions(young_person_ids)
    for values in _records(
        Appointment,
        (
            "starts_at",
            "kind",
            "purpose_category__code",
            "purpose",
            "duration_minutes",
            "attendance",
            "engagement",
            "outcome_code",
            "outcome",
            "practitioner__staff_ref",
            "practitioner__username",
            "pk",
        ),
        ("starts_at",),
        young_person_ids,
        include_archived,
    ):
        yield (*values[:10], _user(values[10], values[11]), positions.get(values[12]))


def _meetings(young_person_ids=None, include_archived=False):
    return FormulationMeeting.objects.filter(
        _person_filter("", young_person_ids, include_archived)
    ).exclude(status=MeetingStatus.CANCELLED)


def formulation_meetings(*, young_person_ids=None, include_archived=False):
    rows = [
        (
            schema.meeting_key(ref, pk),
            person,
            held_on,
            kind,
            _user(chair_ref, chair_name),
            duration,
            stage,
        )
        for ref, pk, person, held_on, kind, chair_ref, chair_name, duration, stage in _meetings(
            young_person_ids, include_archived
        ).values_list(
            "meeting_ref",
            "pk",
            "young_person__reference",
            "held_on",
            "kind",
            "chair__staff_ref",
            "chair__username",
            "duration_minutes",
            "formulation__trm_stage__number",
        )
    ]
    yield from sorted(rows, key=lambda row: row[0])


def distance_ratings(*, young_person_ids=None, include_archived=False):
    """The distance-travelled ratings of the formulations of the meetings exported."""
    rows = [
        (schema.meeting_key(ref, meeting_id), domain, own, practitioner, _user(staff, username))
        for ref, meeting_id, domain, own, practitioner, staff, username in (
            DistanceRating.objects.filter(
                formulation__meeting__in=_meetings(young_person_ids, include_archived)
            ).values_list(
                "formulation__meeting__meeting_ref",
                "formulation__meeting_id",
                "domain__code",
                "self_rating",
                "practitioner_rating",
                "recorded_by__staff_ref",
                "recorded_by__username",
            )
        )
    ]
    yield from sorted(rows, key=lambda row: (row[0], row[1]))


def meeting_attendance(*, young_person_ids=None, include_archived=False):
    meetings = _meetings(young_person_ids, include_archived)
    rows = [
        (schema.meeting_key(ref, meeting_id), agency, attended, name)
        for ref, meeting_id, agency, attended, name in MeetingAttendance.objects.filter(
            meeting__in=meetings
        ).values_list(
            "meeting__meeting_ref", "meeting_id", "agency__code", "attended", "attendee_name"
        )
    ]
    yield from sorted(rows, key=lambda row: (row[0], row[1]))


def interventions(*, young_person_ids=None, include_archived=False):
    queryset = InterventionItem.objects.filter(
        _person_filter("", young_person_ids, include_archived)
    )
    yield from _rows(
        queryset.order_by("young_person__reference", "sequence", "pk").values_list(
            "young_person__reference",
            "title",
            "trm_stage__number",
            "agency__code",
            "planned_start",
            "status",
        ),
        young_person_ids,
    )


def supervision_sessions(**_options):
    discussed: dict[int, list[str]] = {}
    for session_id, reference in SupervisionSession.cases.through.objects.filter(
        youngperson__archived_at__isnull=True
    ).values_list("supervisionsession_id", "youngperson__reference"):
        discussed.setdefault(session_id, []).append(reference)
    rows = []
    for values in SupervisionSession.objects.values_list(
        "session_ref",
        "pk",
        "held_on",
        "psychologist__staff_ref",
        "psychologist__username",
        "practitioner__staff_ref",
        "practitioner__username",
    ):
        ref, pk, held_on = values[:3]
        rows.append(
            (
                schema.session_key(ref, pk),
                held_on,
                _user(values[3], values[4]),
                _user(values[5], values[6]),
                tuple(sorted(discussed.get(pk, ()))),
            )
        )
    yield from sorted(rows, key=lambda row: row[0])


def compliance_decisions(*, young_person_ids=None, include_archived=False):
    """Live decisions on missed appointments, each found again by its appointment's time."""
    queryset = ComplianceDecision.objects.filter(
        _person_filter("", young_person_ids, include_archived), archived_at__isnull=True
    )
    for values in _rows(
        queryset.order_by("young_person__reference", "appointment__starts_at", "pk").values_list(
            "young_person__reference",
            "appointment__starts_at",
            "decision",
            "reason",
            "decided_on",
            "decided_by__staff_ref",
            "decided_by__username",
            "needs_agreement",
            "agreement",
            "agreement_reason",
            "agreed_by__staff_ref",
            "agreed_by__username",
        ),
        young_person_ids,
    ):
        yield (
            *values[:5],
            _user(values[5], values[6]),
            values[7],
            values[8],
            values[9],
            _user(values[10], values[11]),
        )


def supervision_notes(**_options):
    """Notes sessions wrote for the case records of young people not archived."""
    rows = [
        (schema.session_key(ref, pk), reference, text)
        for ref, pk, reference, text in SupervisionNote.objects.filter(
            young_person__archived_at__isnull=True
        ).values_list("session__session_ref", "session_id", "young_person__reference", "text")
    ]
    yield from sorted(rows, key=lambda row: (row[0], row[1]))


def oversight(*, young_person_ids=None, include_archived=False):
    queryset = OversightEntry.objects.filter(
        _person_filter("", young_person_ids, include_archived)
    ).order_by("young_person__reference", "reviewed_on", "pk")
    for values in _rows(
        queryset.values_list(
            "oversight_ref",
            "pk",
            "young_person__reference",
            "reviewed_on",
            "manager__staff_ref",
            "manager__username",
            "reviewed",
            "decision",
            "responds_to__session_ref",
            "responds_to_id",
        ),
        young_person_ids,
    ):
        session = schema.session_key(values[8], values[9]) if values[9] else None
        yield (
            schema.oversight_key(values[0], values[1]),
            values[2],
            values[3],
            _user(values[4], values[5]),
            values[6],
            values[7],
            session,
        )


def oversight_actions(*, young_person_ids=None, include_archived=False, entry_ids=None):
    """The actions (tasks) of the oversight entries exported: `entry_ids` limits them to
    those entries (the importer's comparison)."""
    queryset = OversightAction.objects.filter(
        _person_filter("entry__", young_person_ids, include_archived=True)
    )
    if entry_ids is not None:
        queryset = queryset.filter(entry_id__in=entry_ids)
    if not include_archived:
        queryset = queryset.filter(entry__young_person__archived_at__isnull=True)
    rows = [
        (
            schema.oversight_key(values[0], values[1]),
            values[2],
            _user(values[3], values[4]),
            *values[5:],
        )
        for values in queryset.values_list(
            "entry__oversight_ref",
            "entry_id",
            "description",
            "assignee__staff_ref",
            "assignee__username",
            "agency__code",
            "owner",
            "due_on",
            "done_on",
        )
    ]
    yield from sorted(
        rows, key=lambda row: tuple("" if value is None else str(value) for value in row)
    )


# --- Targets, the training register and unit costs (issue 16) --------------------------------


def targets(**_options) -> Iterator[tuple]:
    """Every target as it stands (its latest version; the history keeps the earlier)."""
    yield from MeasureTarget.objects.order_by(
        "measure_id", "team__code", "period_start", "pk"
    ).values_list("measure_id", "team__code", "period_start", "period_end", "direction", "value")


def training_courses(**_options) -> Iterator[tuple]:
    yield from TrainingCourse.objects.order_by("code").values_list("code", "name", "name_cy", "ecm")


def training_attendance(**_options) -> Iterator[tuple]:
    rows = [
        (_user(staff_ref, username), course, attended_on)
        for staff_ref, username, course, attended_on in TrainingAttendance.objects.values_list(
            "user__staff_ref", "user__username", "course__code", "attended_on"
        )
    ]
    yield from sorted(rows)


def dedicated_roles(**_options) -> Iterator[tuple]:
    held = DedicatedRole.objects.values_list(
        "user__staff_ref", "user__username", "kind", "team__code", "held_from", "held_to"
    )
    rows = [
        (_user(staff_ref, username), kind, team, held_from, held_to)
        for staff_ref, username, kind, team, held_from, held_to in held
    ]
    yield from sorted(rows, key=lambda row: row[:4])


def unit_costs(**_options) -> Iterator[tuple]:
    yield from UnitCost.objects.order_by("role", "valid_from").values_list(
        "role", "hourly_cost", "valid_from"
    )


SOURCES = {
    schema.TEAM: teams,
    schema.AGENCY: agencies,
    schema.STAFF: staff,
    schema.YOUNG_PERSON: young_people,
    schema.NEED: needs,
    schema.OFFENCE: offences,
    schema.ORDER: orders,
    schema.BREACH: breaches,
    schema.CUSTODY: custody,
    schema.CONSENT: consents,
    schema.TRM: trm_assessments,
    schema.APPOINTMENT: appointments,
    schema.COMPLIANCE: compliance_decisions,
    schema.MEETING: formulation_meetings,
    schema.ATTENDANCE: meeting_attendance,
    schema.DISTANCE: distance_ratings,
    schema.INTERVENTION: interventions,
    schema.SESSION: supervision_sessions,
    schema.SUPERVISION_NOTE: supervision_notes,
    schema.OVERSIGHT: oversight,
    schema.OVERSIGHT_ACTION: oversight_actions,
    schema.TARGET: targets,
    schema.COURSE: training_courses,
    schema.TRAINING: training_attendance,
    schema.DEDICATED_ROLE: dedicated_roles,
    schema.UNIT_COST: unit_costs,
}


def write_csv(spec: schema.FileSpec, rows, handle) -> int:
    """Write the header and the rows of one file to a text handle; returns the row count."""
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(spec.column_names)
    count = 0
    for values in rows:
        writer.writerow(
            [
                schema.format_cell(column, value)
                for column, value in zip(spec.columns, values, strict=True)
            ]
        )
        count += 1
    return count


def export_exchange(destination, *, progress=None) -> dict[str, int]:
    """Write every file of the exchange format to a folder, or to a zip if the path ends .zip.

    Returns the number of rows written per file. `progress(file name, rows)` is called after
    each file.
    """
    path = Path(destination)
    counts: dict[str, int] = {}
    with transaction.atomic():
        if path.suffix.lower() == ".zip":
            path.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for spec in schema.FILES:
                    with (
                        archive.open(spec.name, "w") as member,
                        io.TextIOWrapper(member, encoding="utf-8", newline="") as handle,
                    ):
                        counts[spec.name] = write_csv(spec, SOURCES[spec.name](), handle)
                    if progress:
                        progress(spec.name, counts[spec.name])
        else:
            path.mkdir(parents=True, exist_ok=True)
            for spec in schema.FILES:
                with (path / spec.name).open("w", encoding="utf-8", newline="") as handle:
                    counts[spec.name] = write_csv(spec, SOURCES[spec.name](), handle)
                if progress:
                    progress(spec.name, counts[spec.name])
    return counts
