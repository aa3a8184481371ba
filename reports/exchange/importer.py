"""Importing an exchange: validate everything, then write everything in one transaction.

Nothing is written unless every row of every file is valid. Rows are matched with what the
database holds so that importing the same files again changes nothing:

* teams by team_code, agencies by agency_code, young people by ref, formulation meetings by
  meeting_ref, supervision sessions by session_ref, oversight entries by oversight_ref,
  meeting attendance by (meeting_ref, agency_code), distance-travelled ratings by
  (meeting_ref, domain), staff by staff_ref (one row per role): a changed value updates the
  row;
* the other records (needs, offences, orders, breaches, custody, consents, TRM assessments,
  appointments, interventions, oversight actions) have no key of their own, so the whole
  row is the key: a row identical to one already recorded for that young person is left
  alone, any other is added (two identical rows in a file stand for two records, matched one
  for one).

New staff are created inactive with an unusable password: they cannot sign in until an
administrator activates them and they set a password. Roles are only ever added.

Writes are in bulk, one statement per batch, with django-simple-history's
``bulk_create_with_history`` / ``bulk_update_with_history`` so every created or changed row
still has its history entry ("Imported from the exchange format", by the importing user).
Each young person created gets a ``exchange.imported`` case event, and each existing one whose
records changed an ``exchange.updated`` event. Finally, every new referral gets an
eligibility decision by the policy in force on its referral date, dated on that date and
marked reconstructed.
"""

import io
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth.hashers import make_password
from django.db import (
    DEFAULT_DB_ALIAS,
    DataError,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import (
    TEAM_ROLES,
    Agency,
    DedicatedRole,
    Membership,
    Role,
    Team,
    TrainingAttendance,
    TrainingCourse,
    UnitCost,
    User,
)
from accounts.rules import membership_refusal
from accounts.services import memberships_imported
from cases import rules, summary
from cases.compliance import breach_note, missed_on, statutory_order_on
from cases.models import (
    ANONYMISED_TEXT,
    Appointment,
    Breach,
    CaseEvent,
    ComplianceDecision,
    ComplianceDecisionKind,
    Consent,
    CustodyEpisode,
    Need,
    Offence,
    Order,
    TRMAssessment,
    YoungPerson,
)
from cases.rules import parent_consent_required_by_default
from cases.signals import appointments_imported
from eligibility.models import EligibilityDecision
from eligibility.services import decisions_reconstructed, policies_in_force
from formulation.models import (
    DeliveredIntervention,
    DistanceRating,
    Formulation,
    FormulationMeeting,
    InterventionItem,
    MeetingAttendance,
    MeetingStatus,
)
from reports.models import MeasureTarget
from supervision import case_counts
from supervision.models import (
    OversightAction,
    OversightEntry,
    SupervisionNote,
    SupervisionSession,
)

from . import exporter, reader, schema
from .problems import Problem
from .reader import chunks
from .source import Source

BATCH = 1000
BREACH_PROCEEDINGS = ComplianceDecisionKind.BREACH_PROCEEDINGS
CHANGE_REASON = "Imported from the exchange format"


class Refused(Exception):
    """The import would change something it may not (an archived case): nothing is saved."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass
class FileCount:
    name: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportResult:
    """What an import found and did (or, for a dry run, would do)."""

    source: str
    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    #: Files in the folder or zip that are not CSV and were not read.
    ignored: list[str] = field(default_factory=list)
    counts: dict[str, FileCount] = field(default_factory=dict)
    #: Eligibility decisions made (or that would be made) for new referrals.
    decisions: int = 0
    eligible: int = 0
    #: References of new referrals for which no policy was in force on the referral date.
    no_policy: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def rows(self) -> int:
        return sum(count.rows for count in self.counts.values())

    @property
    def created(self) -> int:
        return sum(count.created for count in self.counts.values())

    @property
    def updated(self) -> int:
        return sum(count.updated for count in self.counts.values())

    @property
    def file_counts(self) -> list[FileCount]:
        return [self.counts[spec.name] for spec in schema.FILES if spec.name in self.counts]


def anonymised_values(row) -> dict:
    """A young person anonymised where the file was written stays anonymised here: marked so
    (which keeps them out of every working list), their names and ethnicity the marker the
    anonymiser leaves, their stand-in date of birth as written."""
    day = row["anonymised_on"]
    return {
        "anonymised_at": timezone.make_aware(datetime.combine(day, datetime.min.time())),
        "age_at_ecm_start": row["age_at_ecm_start"],
        "given_name": ANONYMISED_TEXT,
        "family_name": ANONYMISED_TEXT,
        "ethnicity": "",
    }


def _split_name(name: str) -> tuple[str, str]:
    given, _space, family = name.partition(" ")
    return given, family.strip()


class _Importer:
    def __init__(self, exchange: reader.Exchange, *, by, dry_run: bool, result: ImportResult):
        self.tables = exchange.tables
        self.snapshot = exchange.snapshot
        self.by = by
        self.dry_run = dry_run
        self.result = result
        self.teams: dict[str, Team] = dict(self.snapshot.teams)
        self.agencies: dict[str, Agency] = dict(self.snapshot.agencies)
        self.users: dict[str, User] = dict(self.snapshot.users)
        self.people: dict[str, YoungPerson] = dict(self.snapshot.young_people)
        self.meetings: dict[str, FormulationMeeting] = dict(self.snapshot.meetings)
        self.oversights: dict[str, OversightEntry] = dict(self.snapshot.oversights)
        self.courses: dict[str, TrainingCourse] = dict(self.snapshot.courses)
        #: Meetings (by key) this import creates or updates.
        self.meetings_changed: set[str] = set()
        #: Formulations of the meetings the exchange names, by meeting key.
        self.formulations: dict[str, Formulation] = {
            key: meeting.formulation
            for key, meeting in self.snapshot.meetings.items()
            if reader.has_formulation(meeting)
        }
        self.recorded_formulations = {formulation.pk for formulation in self.formulations.values()}
        #: Recorded formulations whose stage this import changed (already a new version).
        self.restaged: set[int] = set()
        self.new_people: list[YoungPerson] = []
        #: Appointments this import makes (missed ones may need a follow-up), with their rows.
        self.new_appointments: list[Appointment] = []
        self.new_appointment_rows: list = []
        #: Plan items this import makes, per young person (by reference), in plan order.
        self.new_items: dict[str, list[InterventionItem]] = {}
        #: Sessions this import makes, by their reference (notes and oversight name them).
        self.new_sessions: dict[str, SupervisionSession] = {}
        #: Young person reference → what changed for them (for the case events).
        self.touched: dict[str, Counter] = {}
        #: Changes the import would make to archived cases (found while planning).
        self.problems: list[Problem] = []

    # Writing helpers -------------------------------------------------------------------------

    def count(self, name: str) -> FileCount:
        return self.result.counts.setdefault(name, FileCount(name))

    def create(self, model, objects: list) -> None:
        if not objects or self.dry_run:
            return
        if connection.vendor == "postgresql":
            copy_rows(model, objects)
            copy_history(model, objects, user=self.by, reason=CHANGE_REASON)
        else:
            bulk_create_with_history(
                objects,
                model,
                batch_size=BATCH,
                default_user=self.by,
                default_change_reason=CHANGE_REASON,
            )

    def update(self, model, objects: list, fields: set) -> None:
        if objects and not self.dry_run:
            bulk_update_with_history(
                objects,
                model,
                sorted(fields),
                batch_size=BATCH,
                default_user=self.by,
                default_change_reason=CHANGE_REASON,
            )

    def update_versions(self, model, objects: list, fields: set) -> None:
        """Update records people also edit on screen as their next version, so that a change
        begun on screen before the import is refused as a conflict, not saved over it."""
        for obj in objects:
            obj.version += 1
        self.update(model, objects, fields | {"version"})

    def user(self, key):
        return self.users[key] if key else None

    def refuse_if_archived(self, name: str, row, column: str, person) -> None:
        """Archived cases stay readable but can no longer be changed (cases.services)."""
        if person.pk is not None and person.archived_at is not None:
            self.problems.append(
                Problem(
                    name,
                    _("%(ref)s is archived and can no longer be changed")
                    % {"ref": schema.quoted(person.reference)},
                    row.line,
                    column,
                )
            )

    def touch(self, reference: str, what: str) -> None:
        self.touched.setdefault(reference, Counter())[what] += 1

    @staticmethod
    def same(obj, name: str, value) -> bool:
        field_ = obj._meta.get_field(name)
        if field_.is_relation:
            current = getattr(obj, field_.attname)
            if value is None:
                return current is None
            return value.pk is not None and value.pk == current
        return getattr(obj, name) == value

    def assign(self, obj, values: dict, changed: set) -> bool:
        """Set the values that differ; True if any did (their names are added to `changed`)."""
        differs = False
        for name, value in values.items():
            if not self.same(obj, name, value):
                setattr(obj, name, value)
                changed.add(name)
                differs = True
        return differs

    # Files -------------------------------------------------------------------------------------

    def run(self) -> None:
        self.import_coded(schema.TEAM, "team_code", Team, self.teams)
        self.import_coded(schema.AGENCY, "agency_code", Agency, self.agencies)
        self.import_staff()
        self.import_young_people()
        self.import_records()
        self.import_compliance_decisions()
        self.follow_up_missed()
        self.import_meetings()
        self.import_formulations()
        self.import_distance_ratings()
        self.import_attendance()
        self.import_interventions()
        self.import_plan_links()
        self.import_sessions()
        self.import_supervision_notes()
        self.import_oversight()
        self.import_oversight_actions()
        self.import_targets()
        self.import_courses()
        self.import_training()
        self.import_dedicated_roles()
        self.import_unit_costs()
        if self.problems:
            raise Refused(reader.sorted_problems(self.problems))
        self.record_events()
        self.decide_eligibility()
        self.refresh_summaries()

    def import_coded(self, name, key, model, known: dict) -> None:
        count, new, changed, fields = self.count(name), [], [], set()
        for row in self.tables[name].rows:
            count.rows += 1
            existing = known.get(row[key])
            if existing is None:
                obj = model(code=row[key], name=row["name"])
                known[row[key]] = obj
                new.append(obj)
                count.created += 1
            elif self.assign(existing, {"name": row["name"]}, fields):
                changed.append(existing)
                count.updated += 1
            else:
                count.unchanged += 1
        self.create(model, new)
        self.update(model, changed, fields)

    def import_staff(self) -> None:
        count, new_users, changed_users, fields = self.count(schema.STAFF), [], [], set()
        memberships = []
        held = {
            key: set(self.snapshot.roles.get(user.pk, ()))
            for key, user in self.snapshot.users.items()
        }
        seen, new_keys = set(), set()
        for row in self.tables[schema.STAFF].rows:
            count.rows += 1
            key = row["staff_ref"]
            user = self.users.get(key)
            updated = False
            if user is None:
                given, family = _split_name(row["name"])
                user = User(
                    username=key.lower(),
                    staff_ref=key,
                    first_name=given,
                    last_name=family,
                    email=row["email"] or "",
                    is_active=False,
                    password=make_password(None),
                )
                self.users[key] = user
                held[key] = set()
                new_users.append(user)
                new_keys.add(key)
            elif key not in seen:
                values = {"email": row["email"] or ""}
                # The exporter writes the username for a person with no name: not a change.
                if (user.get_full_name() or user.username) != row["name"]:
                    values["first_name"], values["last_name"] = _split_name(row["name"])
                if self.assign(user, values, fields):
                    changed_users.append(user)
                    updated = True
            seen.add(key)
            role = row["role"]
            if role == Role.EVALUATOR:
                wanted = [(role, None)]
            elif role in TEAM_ROLES:
                wanted = [(role, code) for code in row["team_codes"]]
            else:
                wanted = []
            for role_name, code in wanted:
                if (role_name, code) not in held[key]:
                    refusal = membership_refusal(
                        user,
                        role_name,
                        by=self.by,
                        held={held_role for held_role, _code in held[key]},
                    )
                    if refusal:
                        self.problems.append(Problem(schema.STAFF, refusal, row.line, "role"))
                        break
                    held[key].add((role_name, code))
                    memberships.append(
                        Membership(
                            user=user, role=role_name, team=self.teams[code] if code else None
                        )
                    )
                    updated = True
            if key in new_keys:
                count.created += 1
            elif updated:
                count.updated += 1
            else:
                count.unchanged += 1
        self.create(User, new_users)
        self.update(User, changed_users, fields)
        self.create(Membership, memberships)
        if memberships and not self.dry_run:
            memberships_imported(memberships, by=self.by)

    def import_young_people(self) -> None:
        count, changed, fields = self.count(schema.YOUNG_PERSON), [], set()
        for row in self.tables[schema.YOUNG_PERSON].rows:
            count.rows += 1
            values = {
                "team": self.teams[row["team_code"]],
                "given_name": row["given_name"],
                "family_name": row["family_name"],
                "date_of_birth": row["date_of_birth"],
                "gender": row["gender"],
                "ethnicity": row["ethnicity"] or "",
                "referral_date": row["referral_date"],
                "practitioner": self.user(row["practitioner_ref"]),
                "ecm_start_date": row["started_on"],
                "ecm_end_date": row["ended_on"],
                "end_reason": row["end_reason"] or "",
                "withdrawal_reason": self.snapshot.reasons.get(row["withdrawal_reason"]),
            }
            if row["anonymised_on"] is not None:
                values.update(anonymised_values(row))
            if row["parent_consent_required"] is not None:
                values["parent_consent_required"] = row["parent_consent_required"]
            existing = self.people.get(row["ref"])
            if existing is None:
                values.setdefault(
                    "parent_consent_required",
                    parent_consent_required_by_default(row["date_of_birth"], row["referral_date"]),
                )
                person = YoungPerson(reference=row["ref"], created_by=self.by, **values)
                self.people[row["ref"]] = person
                self.new_people.append(person)
                count.created += 1
            elif self.assign(existing, values, fields):
                self.refuse_if_archived(schema.YOUNG_PERSON, row, "ref", existing)
                changed.append(existing)
                self.touch(row["ref"], schema.YOUNG_PERSON)
                count.updated += 1
            else:
                count.unchanged += 1
        self.create(YoungPerson, self.new_people)
        self.update_versions(YoungPerson, changed, fields)

    def _existing(self, name: str) -> Counter:
        """Natural keys of the rows already recorded for the young people this file names."""
        spec = schema.BY_NAME[name]
        ids = {
            self.snapshot.young_people[ref].pk
            for ref in {row["young_person_ref"] for row in self.tables[name].rows}
            if ref in self.snapshot.young_people
        }
        existing = Counter()
        for chunk in chunks(sorted(ids)):
            for values in exporter.SOURCES[name](young_person_ids=chunk, include_archived=True):
                existing[schema.normalise(spec, values)] += 1
        return existing

    def _new_records(self, name: str):
        """Rows of a record file not already recorded: (row, young person) pairs."""
        spec = schema.BY_NAME[name]
        existing = self._existing(name)
        count = self.count(name)
        for row in self.tables[name].rows:
            count.rows += 1
            key = tuple(row.values[column] for column in spec.column_names)
            if existing[key] > 0:
                existing[key] -= 1
                count.unchanged += 1
                continue
            count.created += 1
            self.touch(row["young_person_ref"], name)
            person = self.people[row["young_person_ref"]]
            self.refuse_if_archived(name, row, "young_person_ref", person)
            yield row, person

    def import_records(self) -> None:
        needs = self.snapshot.needs
        stages = self.snapshot.stages
        builders = {
            schema.NEED: lambda row, person: Need(
                young_person=person,
                category=needs[row["need"]],
                recorded_on=row["recorded_on"],
                evidence=row["evidence"] or "",
            ),
            schema.OFFENCE: lambda row, person: Offence(
                young_person=person,
                committed_on=row["offence_date"],
                description=row["description"],
                gravity=row["gravity"],
                proven_on=row["proven_on"],
            ),
            schema.ORDER: lambda row, person: Order(
                young_person=person,
                order_type=row["order_type"],
                start_date=row["start_date"],
                end_date=row["end_date"],
            ),
            schema.BREACH: lambda row, person: Breach(
                young_person=person, breach_date=row["breach_date"], note=row["note"] or ""
            ),
            schema.CUSTODY: lambda row, person: CustodyEpisode(
                young_person=person, start_date=row["start_date"], end_date=row["end_date"]
            ),
            schema.CONSENT: lambda row, person: Consent(
                young_person=person,
                party=row["party"],
                purpose=row["purpose"],
                decision=row["decision"],
                decided_on=row["decided_on"],
                note=row["note"] or "",
                reason=self.snapshot.reasons.get(row["reason"]),
                own_words=row["own_words"] or "",
                recorded_by=self.user(row["recorded_by_ref"]),
            ),
            schema.TRM: lambda row, person: TRMAssessment(
                young_person=person,
                stage=stages[row["stage"]],
                assessed_on=row["assessed_on"],
                rationale=row["rationale"],
                recorded_by=self.user(row["assessed_by_ref"]),
            ),
            schema.APPOINTMENT: lambda row, person: Appointment(
                young_person=person,
                starts_at=row["starts_at"],
                kind=row["kind"],
                purpose_category=self.snapshot.purposes[row["purpose_code"]],
                purpose=row["purpose"] or "",
                duration_minutes=row["duration_minutes"],
                attendance=row["attendance"] or "",
                engagement=row["engagement"],
                outcome_code=row["outcome_code"] or "",
                outcome=row["outcome"] or "",
                practitioner=self.user(row["practitioner_ref"]),
            ),
        }
        models = {
            schema.NEED: Need,
            schema.OFFENCE: Offence,
            schema.ORDER: Order,
            schema.BREACH: Breach,
            schema.CUSTODY: CustodyEpisode,
            schema.CONSENT: Consent,
            schema.TRM: TRMAssessment,
            schema.APPOINTMENT: Appointment,
        }
        for name, build in builders.items():
            rows = list(self._new_records(name))
            objects = [build(row, person) for row, person in rows]
            self.create(models[name], objects)
            if name == schema.APPOINTMENT:
                self.new_appointments = objects
                self.new_appointment_rows = [row for row, _person in rows]

    def import_compliance_decisions(self) -> None:
        """Decisions matched by their missed appointment (the young person's, at that time):
        one live decision each, updated when a value changed. Whether one needs a manager's
        agreement is the service's rule, worked out by the reader (the file's column is not
        read). A decision of breach proceedings is linked to its breach, as the service
        links it: the young person's breach of that day in breaches.csv or the service not
        yet linked to a decision, else a new one with the service's note (never two)."""
        name = schema.COMPLIANCE
        rows = self.tables[name].rows
        count, new, changed, fields = self.count(name), [], [], set()
        new_breaches: list[Breach] = []
        #: Breach id → the decision that replaced breach proceedings.
        withdrawn: dict[int, str] = {}
        if not rows:
            return
        ids = sorted({self.people[row["young_person_ref"]].pk for row in rows} - {None})
        appointments, decisions, unlinked = {}, {}, {}
        for chunk in chunks(ids):
            for breach in Breach.objects.filter(
                young_person_id__in=chunk,
                archived_at__isnull=True,
                compliance_decision__isnull=True,
            ).order_by("pk"):
                unlinked.setdefault((breach.young_person_id, breach.breach_date), []).append(breach)
            for appointment in Appointment.objects.filter(
                young_person_id__in=chunk,
                archived_at__isnull=True,
                attendance__in=rules.MISSED_ATTENDANCE,
            ):
                appointments[(appointment.young_person_id, appointment.starts_at)] = appointment
            for decision in ComplianceDecision.objects.filter(
                young_person_id__in=chunk, archived_at__isnull=True
            ):
                decisions[decision.appointment_id] = decision
        now = timezone.now()
        for row in rows:
            count.rows += 1
            person = self.people[row["young_person_ref"]]
            appointment = appointments.get((person.pk, row["appointment_starts_at"]))
            values = {
                "decision": row["decision"],
                "reason": row["reason"],
                "decided_on": row["decided_on"],
                "decided_by": self.user(row["decided_by_ref"]),
                "needs_agreement": row.derived["needs_agreement"],
                "agreement": row["agreement"] or "",
                "agreement_reason": row["agreement_reason"] or "",
                "agreed_by": self.user(row["agreed_by_ref"]),
            }
            existing = decisions.get(appointment.pk) if appointment is not None else None
            if existing is not None and all(
                self.same(existing, field_name, value) for field_name, value in values.items()
            ):
                count.unchanged += 1
                continue
            self.refuse_if_archived(name, row, "young_person_ref", person)
            self.touch(row["young_person_ref"], name)
            if existing is not None:
                if existing.agreement != values["agreement"]:
                    values["agreed_at"] = now if values["agreement"] else None
                self.assign(existing, values, fields)
                if row["decision"] == BREACH_PROCEEDINGS and existing.breach_id is None:
                    existing.breach = self.breach_for(appointment, row, unlinked, new_breaches)
                    fields.add("breach")
                elif row["decision"] != BREACH_PROCEEDINGS and existing.breach_id is not None:
                    # As the service: the breach is archived, no longer counted.
                    withdrawn[existing.breach_id] = row["decision"]
                    existing.breach = None
                    fields.add("breach")
                changed.append(existing)
                count.updated += 1
                continue
            count.created += 1
            if appointment is None:
                # Only in a dry run: the appointment is in appointments.csv, not yet written.
                continue
            decision = ComplianceDecision(
                young_person=person,
                appointment=appointment,
                agreed_at=now if values["agreement"] else None,
                **values,
            )
            if row["decision"] == BREACH_PROCEEDINGS:
                decision.breach = self.breach_for(appointment, row, unlinked, new_breaches)
            new.append(decision)
        self.create(Breach, new_breaches)
        self.create(ComplianceDecision, new)
        self.update_versions(ComplianceDecision, changed, fields)
        self.archive_breaches(withdrawn)

    def archive_breaches(self, withdrawn: dict) -> None:
        """Archive the breaches of decisions an import changed away from breach proceedings
        (breach id → the new decision), with the service's reason."""
        if not withdrawn or self.dry_run:
            return
        breaches = list(Breach.objects.filter(pk__in=sorted(withdrawn)))
        for breach in breaches:
            breach.archived_at = timezone.now()
            breach.archived_by = self.by
            breach.archived_reason = _("The compliance decision changed to: %(decision)s") % {
                "decision": ComplianceDecisionKind(withdrawn[breach.pk]).label
            }
        self.update(Breach, breaches, {"archived_at", "archived_by", "archived_reason"})

    def breach_for(self, appointment, row, unlinked: dict, new_breaches: list) -> Breach:
        """The breach a decision of breach proceedings on `appointment` is linked to: the
        young person's unlinked breach of the day it was missed, else a new one as
        `cases.compliance` records it (added to `new_breaches`)."""
        day = missed_on(appointment)
        waiting = unlinked.get((appointment.young_person_id, day))
        if waiting:
            return waiting.pop(0)
        person = appointment.young_person
        breach = Breach(
            young_person=person,
            breach_date=day,
            note=breach_note(appointment, row["reason"]),
            order=statutory_order_on(person, day),
            recorded_by=self.by,
        )
        new_breaches.append(breach)
        self.touch(row["young_person_ref"], schema.BREACH)
        return breach

    def follow_up_missed(self) -> None:
        """Missed appointments this import made with no compliance decision get the
        follow-up the service gives one recorded on screen (`cases.signals`; the work app
        applies its own rule: not for one missed more than 28 days ago)."""
        if self.dry_run:
            return
        decided = {
            (row["young_person_ref"], row["appointment_starts_at"])
            for row in self.tables[schema.COMPLIANCE].rows
        }
        missed = [
            appointment
            for appointment in self.new_appointments
            if rules.is_missed(appointment.attendance)
            and (appointment.young_person.reference, appointment.starts_at) not in decided
        ]
        if missed:
            appointments_imported.send(sender=Appointment, appointments=missed)

    def import_meetings(self) -> None:
        count, new, changed, fields = self.count(schema.MEETING), [], [], set()
        today = timezone.localdate()
        for row in self.tables[schema.MEETING].rows:
            count.rows += 1
            values = {
                "young_person": self.people[row["young_person_ref"]],
                "held_on": row["held_on"],
                "kind": row["kind"],
                "chair": self.users[row["chair_ref"]],
                "duration_minutes": row["duration_minutes"],
            }
            existing = self.meetings.get(row["meeting_ref"])
            if existing is None or not all(
                self.same(existing, name, value) for name, value in values.items()
            ):
                self.refuse_if_archived(
                    schema.MEETING, row, "young_person_ref", values["young_person"]
                )
            if existing is None:
                meeting = FormulationMeeting(
                    meeting_ref=row["meeting_ref"],
                    status=(
                        MeetingStatus.HELD if row["held_on"] <= today else MeetingStatus.SCHEDULED
                    ),
                    **values,
                )
                self.meetings[row["meeting_ref"]] = meeting
                new.append(meeting)
                self.touch(row["young_person_ref"], schema.MEETING)
                count.created += 1
            elif self.assign(existing, values, fields):
                changed.append(existing)
                self.touch(row["young_person_ref"], schema.MEETING)
                count.updated += 1
            else:
                count.unchanged += 1
                continue
            self.meetings_changed.add(row["meeting_ref"])
        self.create(FormulationMeeting, new)
        self.update_versions(FormulationMeeting, changed, fields)

    def import_formulations(self) -> None:
        """The formulation a meeting's trm_stage stands for: a new one (its text left to be
        written on screen, recorded by the meeting's chair) or the recorded one, whose stage
        a different trm_stage updates as its next version. An empty trm_stage leaves a
        recorded formulation alone."""
        count, new, changed, fields = self.count(schema.MEETING), [], [], set()
        for row in self.tables[schema.MEETING].rows:
            if row["trm_stage"] is None:
                continue
            key = row["meeting_ref"]
            meeting = self.meetings[key]
            stage = self.snapshot.stages[row["trm_stage"]]
            current = self.formulations.get(key)
            if current is None:
                current = Formulation(
                    meeting=meeting, trm_stage=stage, trm_reasoning="", recorded_by=meeting.chair
                )
                self.formulations[key] = current
                new.append(current)
            elif self.assign(current, {"trm_stage": stage}, fields):
                changed.append(current)
            else:
                continue
            if key not in self.meetings_changed:
                self.meetings_changed.add(key)
                count.unchanged -= 1
                count.updated += 1
            self.touch(row["young_person_ref"], schema.MEETING)
            self.refuse_if_archived(schema.MEETING, row, "trm_stage", meeting.young_person)
        self.create(Formulation, new)
        self.update_versions(Formulation, changed, fields)
        self.restaged = {formulation.pk for formulation in changed}

    def import_distance_ratings(self) -> None:
        """Ratings keyed by (meeting_ref, domain): a changed rating is updated, and the
        formulation it belongs to saved as its next version, as the service does."""
        name = schema.DISTANCE
        count, new, changed, fields = self.count(name), [], [], set()
        rows = self.tables[name].rows
        if not rows:
            return
        existing = {}
        ids = sorted(formulation.pk for formulation in self.formulations.values() if formulation.pk)
        for chunk in chunks(ids):
            for rating in DistanceRating.objects.filter(formulation_id__in=chunk).select_related(
                "domain"
            ):
                existing[(rating.formulation_id, rating.domain.code)] = rating
        rated = {}
        for row in rows:
            count.rows += 1
            formulation = self.formulations[row["meeting_ref"]]
            values = {
                "self_rating": row["self_rating"],
                "practitioner_rating": row["practitioner_rating"],
                "recorded_by": self.user(row["recorded_by_ref"]),
            }
            current = existing.get((formulation.pk, row["domain"])) if formulation.pk else None
            if current is None:
                new.append(
                    DistanceRating(
                        formulation=formulation,
                        domain=self.snapshot.domains[row["domain"]],
                        **values,
                    )
                )
                count.created += 1
            elif self.assign(current, values, fields):
                changed.append(current)
                count.updated += 1
            else:
                count.unchanged += 1
                continue
            person = self.meetings[row["meeting_ref"]].young_person
            self.touch(person.reference, name)
            self.refuse_if_archived(name, row, "meeting_ref", person)
            if formulation.pk in self.recorded_formulations - self.restaged:
                rated[formulation.pk] = formulation
        self.create(DistanceRating, new)
        self.update(DistanceRating, changed, fields)
        self.update_versions(Formulation, list(rated.values()), set())

    def import_attendance(self) -> None:
        count, new, changed, fields = self.count(schema.ATTENDANCE), [], [], set()
        refs = {row["meeting_ref"] for row in self.tables[schema.ATTENDANCE].rows}
        ids = [meeting.pk for key, meeting in self.snapshot.meetings.items() if key in refs]
        existing = {}
        for chunk in chunks(ids):
            for attendance in MeetingAttendance.objects.filter(meeting_id__in=chunk).select_related(
                "agency"
            ):
                existing[(attendance.meeting_id, attendance.agency.code)] = attendance
        for row in self.tables[schema.ATTENDANCE].rows:
            count.rows += 1
            meeting = self.meetings[row["meeting_ref"]]
            values = {"attended": row["attended"], "attendee_name": row["attendee_name"] or ""}
            current = existing.get((meeting.pk, row["agency_code"])) if meeting.pk else None
            if current is None:
                new.append(
                    MeetingAttendance(
                        meeting=meeting, agency=self.agencies[row["agency_code"]], **values
                    )
                )
                count.created += 1
            elif self.assign(current, values, fields):
                changed.append(current)
                count.updated += 1
            else:
                count.unchanged += 1
        self.create(MeetingAttendance, new)
        self.update(MeetingAttendance, changed, fields)

    def import_interventions(self) -> None:
        sequences: dict[int, int] = {}
        refs = {row["young_person_ref"] for row in self.tables[schema.INTERVENTION].rows}
        ids = [
            self.snapshot.young_people[ref].pk for ref in refs if ref in self.snapshot.young_people
        ]
        for chunk in chunks(ids):
            for person_id, sequence in InterventionItem.objects.filter(
                young_person_id__in=chunk
            ).values_list("young_person_id", "sequence"):
                sequences[person_id] = max(sequences.get(person_id, 0), sequence)
        objects = []
        for row, person in self._new_records(schema.INTERVENTION):
            next_sequence = sequences.get(person.pk or id(person), 0) + 1
            sequences[person.pk or id(person)] = next_sequence
            objects.append(
                InterventionItem(
                    young_person=person,
                    title=row["title"],
                    trm_stage=self.snapshot.stages[row["trm_stage"]],
                    agency=self.agencies[row["agency_code"]] if row["agency_code"] else None,
                    planned_start=row["planned_start"],
                    status=row["status"],
                    sequence=next_sequence,
                    created_by=self.by,
                )
            )
            self.new_items.setdefault(row["young_person_ref"], []).append(objects[-1])
        self.create(InterventionItem, objects)

    def import_plan_links(self) -> None:
        """Link each appointment this import makes to the plan item its `plan_item` names:
        the item at that position in the young person's plan (the items already recorded,
        in plan order, then those this import adds). A position past the end of the plan is
        a problem (nothing is written)."""
        wanted = [
            (row, appointment)
            for row, appointment in zip(
                self.new_appointment_rows, self.new_appointments, strict=True
            )
            if row["plan_item"] is not None
        ]
        if not wanted:
            return
        refs = sorted({row["young_person_ref"] for row, _appointment in wanted})
        plans: dict[str, list] = {ref: [] for ref in refs}
        known = [ref for ref in refs if ref in self.snapshot.young_people]
        for chunk in chunks(known):
            for item in (
                InterventionItem.objects.filter(young_person__reference__in=chunk)
                .exclude(pk__in=[item.pk for ref in chunk for item in self.new_items.get(ref, ())])
                .select_related("young_person")
                .order_by("sequence", "pk")
            ):
                plans[item.young_person.reference].append(item)
        links = []
        for row, appointment in wanted:
            plan = plans[row["young_person_ref"]] + self.new_items.get(row["young_person_ref"], [])
            if row["plan_item"] > len(plan):
                self.problems.append(
                    Problem(
                        schema.APPOINTMENT,
                        ngettext(
                            "there is no plan item %(position)d: the young person's plan "
                            "has %(count)d item",
                            "there is no plan item %(position)d: the young person's plan "
                            "has %(count)d items",
                            len(plan),
                        )
                        % {"position": row["plan_item"], "count": len(plan)},
                        row.line,
                        "plan_item",
                    )
                )
                continue
            links.append(
                DeliveredIntervention(appointment=appointment, item=plan[row["plan_item"] - 1])
            )
        self.create(DeliveredIntervention, links)

    def import_sessions(self) -> None:
        count, new, changed, fields = self.count(schema.SESSION), [], [], set()
        through = SupervisionSession.cases.through
        existing_sessions = list(self.snapshot.sessions.values())
        discussed: dict[int, set] = {}
        for chunk in chunks([session.pk for session in existing_sessions]):
            for session_id, person_id in through.objects.filter(
                supervisionsession_id__in=chunk
            ).values_list("supervisionsession_id", "youngperson_id"):
                discussed.setdefault(session_id, set()).add(person_id)
        links: list[tuple] = []
        relinked: list = []
        for row in self.tables[schema.SESSION].rows:
            count.rows += 1
            cases = [self.people[ref] for ref in row["young_person_refs"]]
            values = {
                "held_on": row["held_on"],
                "psychologist": self.users[row["psychologist_ref"]],
                "practitioner": self.users[row["practitioner_ref"]],
                "team": self.teams[row.derived["team"]],
            }
            existing = self.snapshot.sessions.get(row["session_ref"])
            if existing is None:
                session = SupervisionSession(session_ref=row["session_ref"], **values)
                self.new_sessions[row["session_ref"]] = session
                new.append(session)
                links.extend((session, person) for person in cases)
                for ref in row["young_person_refs"]:
                    self.touch(ref, schema.SESSION)
                count.created += 1
                continue
            fields_changed = self.assign(existing, values, fields)
            wanted = {person.pk for person in cases}
            cases_changed = None in wanted or wanted != discussed.get(existing.pk, set())
            if fields_changed:
                changed.append(existing)
            if cases_changed:
                relinked.append(existing)
                links.extend((existing, person) for person in cases)
            if fields_changed or cases_changed:
                for ref in row["young_person_refs"]:
                    self.touch(ref, schema.SESSION)
                count.updated += 1
            else:
                count.unchanged += 1
        self.create(SupervisionSession, new)
        self.update_versions(SupervisionSession, changed, fields)
        if not self.dry_run:
            for chunk in chunks([session.pk for session in relinked]):
                through.objects.filter(supervisionsession_id__in=chunk).delete()
            through.objects.bulk_create(
                [
                    through(supervisionsession_id=session.pk, youngperson_id=person.pk)
                    for session, person in links
                ],
                batch_size=BATCH,
            )
            # A bulk write sends no signals: the sessions' counts of cases discussed.
            case_counts.refresh(
                {session.pk for session, _person in links} | {session.pk for session in relinked}
            )

    def session(self, key):
        """A session of the file (made by this import) or of the database."""
        return self.new_sessions.get(key) or self.snapshot.sessions.get(key)

    def import_supervision_notes(self) -> None:
        """Notes for the case records, keyed by session and young person: a changed note is
        saved as its next version."""
        name = schema.SUPERVISION_NOTE
        count, new, changed = self.count(name), [], []
        known_ids = [session.pk for session in self.snapshot.sessions.values()]
        existing = {}
        for chunk in chunks(known_ids):
            for note in SupervisionNote.objects.filter(session_id__in=chunk):
                existing[(note.session_id, note.young_person_id)] = note
        for row in self.tables[name].rows:
            count.rows += 1
            session = self.session(row["session_ref"])
            person = self.people[row["young_person_ref"]]
            note = existing.get((session.pk, person.pk)) if session.pk else None
            if note is None:
                new.append(SupervisionNote(session=session, young_person=person, text=row["note"]))
                count.created += 1
            elif note.text != row["note"]:
                note.text = row["note"]
                changed.append(note)
                count.updated += 1
            else:
                count.unchanged += 1
                continue
            self.touch(row["young_person_ref"], name)
            self.refuse_if_archived(name, row, "young_person_ref", person)
        self.create(SupervisionNote, new)
        self.update_versions(SupervisionNote, changed, {"text"})

    def import_oversight(self) -> None:
        """Management oversight entries, keyed by oversight_ref: a changed value updates the
        entry as its next version."""
        name = schema.OVERSIGHT
        count, new, changed, fields = self.count(name), [], [], set()
        for row in self.tables[name].rows:
            count.rows += 1
            person = self.people[row["young_person_ref"]]
            session_ref = row["responds_to_session_ref"]
            values = {
                "young_person": person,
                "reviewed_on": row["reviewed_on"],
                "manager": self.users[row["manager_ref"]],
                "reviewed": row["reviewed"],
                "decision": row["decision"],
                "responds_to": self.session(session_ref) if session_ref else None,
            }
            existing = self.oversights.get(row["oversight_ref"])
            if existing is None:
                entry = OversightEntry(oversight_ref=row["oversight_ref"], **values)
                self.oversights[row["oversight_ref"]] = entry
                new.append(entry)
                count.created += 1
            elif self.assign(existing, values, fields):
                changed.append(existing)
                count.updated += 1
            else:
                count.unchanged += 1
                continue
            self.touch(row["young_person_ref"], name)
            self.refuse_if_archived(name, row, "young_person_ref", person)
        self.create(OversightEntry, new)
        self.update_versions(OversightEntry, changed, fields)

    def import_oversight_actions(self) -> None:
        """Actions (tasks) of oversight entries: a row identical to an action the entry
        already has is left alone, any other is added."""
        name = schema.OVERSIGHT_ACTION
        spec = schema.BY_NAME[name]
        count, new = self.count(name), []
        refs = {row["oversight_ref"] for row in self.tables[name].rows}
        ids = sorted(entry.pk for key, entry in self.snapshot.oversights.items() if key in refs)
        existing = Counter()
        for chunk in chunks(ids):
            for values in exporter.oversight_actions(entry_ids=chunk, include_archived=True):
                existing[schema.normalise(spec, values)] += 1
        for row in self.tables[name].rows:
            count.rows += 1
            key = tuple(row.values[column] for column in spec.column_names)
            if existing[key] > 0:
                existing[key] -= 1
                count.unchanged += 1
                continue
            count.created += 1
            entry = self.oversights[row["oversight_ref"]]
            self.touch(entry.young_person.reference, name)
            self.refuse_if_archived(name, row, "oversight_ref", entry.young_person)
            new.append(
                OversightAction(
                    entry=entry,
                    description=row["description"],
                    assignee=self.user(row["assignee_ref"]),
                    agency=self.agencies[row["agency_code"]] if row["agency_code"] else None,
                    owner=row["owner"] or "",
                    due_on=row["due_on"],
                    done_on=row["done_on"],
                )
            )
        self.create(OversightAction, new)

    # Targets, the training register and unit costs (issue 16) ------------------------------

    def _new_rows(self, name: str, saved: set):
        """The rows of `name` not already saved (`saved`: rows as read back); counted."""
        spec = schema.BY_NAME[name]
        count = self.count(name)
        for row in self.tables[name].rows:
            count.rows += 1
            if tuple(row.values[column] for column in spec.column_names) in saved:
                count.unchanged += 1
            else:
                count.created += 1
                yield row

    def import_targets(self) -> None:
        """A row identical to a saved target is left alone; any other is a new target (the
        reader has checked it keeps the targets page's rules)."""
        new = [
            MeasureTarget(
                measure_id=row["measure_id"],
                team=self.teams[row["team_code"]] if row["team_code"] else None,
                period_start=row["period_start"],
                period_end=row["period_end"],
                direction=row["direction"],
                value=row["value"],
            )
            for row in self._new_rows(schema.TARGET, self.snapshot.targets)
        ]
        self.create(MeasureTarget, new)

    def import_courses(self) -> None:
        count, new, changed, fields = self.count(schema.COURSE), [], [], set()
        for row in self.tables[schema.COURSE].rows:
            count.rows += 1
            values = {"name": row["name"], "name_cy": row["name_cy"] or "", "ecm": row["ecm"]}
            existing = self.courses.get(row["course_code"])
            if existing is None:
                self.courses[row["course_code"]] = course = TrainingCourse(
                    code=row["course_code"], **values
                )
                new.append(course)
                count.created += 1
            elif self.assign(existing, values, fields):
                changed.append(existing)
                count.updated += 1
            else:
                count.unchanged += 1
        self.create(TrainingCourse, new)
        self.update(TrainingCourse, changed, fields)

    def import_training(self) -> None:
        saved = {
            schema.normalise(schema.BY_NAME[schema.TRAINING], values)
            for values in exporter.training_attendance()
        }
        new = [
            TrainingAttendance(
                user=self.users[row["staff_ref"]],
                course=self.courses[row["course_code"]],
                attended_on=row["attended_on"],
            )
            for row in self._new_rows(schema.TRAINING, saved)
        ]
        self.create(TrainingAttendance, new)

    def import_dedicated_roles(self) -> None:
        """Roles keyed by (staff_ref, role, team_code, held_from): a changed end is updated."""
        count, new, changed, fields = self.count(schema.DEDICATED_ROLE), [], [], set()
        existing = {
            (schema.staff_key(role.user.staff_ref, role.user.username), role.kind)
            + (role.team.code, role.held_from): role
            for role in DedicatedRole.objects.select_related("user", "team")
        }
        for row in self.tables[schema.DEDICATED_ROLE].rows:
            count.rows += 1
            key = (row["staff_ref"], row["role"], row["team_code"], row["held_from"])
            current = existing.get(key)
            if current is None:
                new.append(
                    DedicatedRole(
                        user=self.users[row["staff_ref"]],
                        kind=row["role"],
                        team=self.teams[row["team_code"]],
                        held_from=row["held_from"],
                        held_to=row["held_until"],
                    )
                )
                count.created += 1
            elif self.assign(current, {"held_to": row["held_until"]}, fields):
                changed.append(current)
                count.updated += 1
            else:
                count.unchanged += 1
        self.create(DedicatedRole, new)
        self.update(DedicatedRole, changed, fields)

    def import_unit_costs(self) -> None:
        """A cost already saved for the role and day is left alone (the reader refused a
        different one: saved costs are never changed); any other is added."""
        saved = {
            schema.normalise(schema.BY_NAME[schema.UNIT_COST], values)
            for values in exporter.unit_costs()
        }
        new = [
            UnitCost(role=row["role"], hourly_cost=row["hourly_cost"], valid_from=row["valid_from"])
            for row in self._new_rows(schema.UNIT_COST, saved)
        ]
        self.create(UnitCost, new)

    def record_events(self) -> None:
        if self.dry_run:
            return
        new = {person.reference for person in self.new_people}
        events = [
            CaseEvent(
                young_person=person,
                action="exchange.imported",
                actor=self.by,
                data={"referral_date": person.referral_date.isoformat()},
            )
            for person in self.new_people
        ]
        for reference, changes in sorted(self.touched.items()):
            if reference not in new:
                events.append(
                    CaseEvent(
                        young_person=self.people[reference],
                        action="exchange.updated",
                        actor=self.by,
                        data=dict(sorted(changes.items())),
                    )
                )
        CaseEvent.objects.bulk_create(events, batch_size=BATCH)

    def refresh_summaries(self) -> None:
        """Bulk writes send no signals: recompute the case lists' stored summaries here."""
        if self.dry_run:
            return
        ids = {person.pk for person in self.new_people}
        ids.update(self.people[reference].pk for reference in self.touched)
        summary.refresh(sorted(ids))

    def decide_eligibility(self) -> None:
        """Each new referral judged by the policy in force on its referral date, dated then:
        `eligibility.services.decisions_reconstructed`, in bulk (a test compares the result
        with `eligibility_check` called one referral at a time)."""
        people = sorted(self.new_people, key=lambda person: person.reference)
        judged = []
        for person, policy in zip(people, policies_in_force(people), strict=True):
            if policy is None:
                self.result.no_policy.append(person.reference)
            else:
                judged.append((person, policy))
        self.result.decisions = len(judged)
        if self.dry_run:
            return
        decisions, events = [], []
        for chunk in chunks(judged):
            for decision in decisions_reconstructed(chunk):
                decisions.append(decision)
                events.append(
                    CaseEvent(
                        young_person=decision.young_person,
                        action="eligibility.checked",
                        actor=None,
                        data={"policy": str(decision.policy), "eligible": decision.eligible},
                    )
                )
                self.result.eligible += decision.eligible
        EligibilityDecision.objects.bulk_create(decisions, batch_size=BATCH)
        CaseEvent.objects.bulk_create(events, batch_size=BATCH)


def _copy_value(field, value, db) -> str:
    """One value of a COPY ... CSV row: NULL unquoted, anything else quoted (never NULL).

    Plain values are written as they are; anything else (a naive time, a decimal, an
    enumeration) goes through the field's own preparation first."""
    if value is None:
        return "\\N"
    if type(value) not in _PLAIN or (type(value) is datetime and timezone.is_naive(value)):
        value = field.get_db_prep_save(value, db)
        if value is None:
            return "\\N"
    return '"' + str(value).replace('"', '""') + '"'


#: Values whose text is what PostgreSQL reads back (an aware datetime included).
_PLAIN = frozenset({str, int, bool, date, datetime})


def _copy(model, fields, rows) -> None:
    """Write `rows` (each already a line of COPY CSV values for `fields`) to model's table."""
    quote = connection.ops.quote_name
    sql = (
        f"COPY {quote(model._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in fields)}) "
        "FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    )
    # `copy_expert` is the driver's own: wrap its errors as Django's (IntegrityError, ...).
    with connection.cursor() as cursor, connection.wrap_database_errors:
        for start in range(0, len(rows), BATCH * 10):
            buffer = io.StringIO("\n".join(rows[start : start + BATCH * 10]) + "\n")
            cursor.copy_expert(sql, buffer)


def copy_rows(model, objects: list) -> None:
    """Insert new objects as `bulk_create` would, with PostgreSQL's COPY.

    Their primary keys are taken from the table's sequence first (so they are set on the
    objects, as `bulk_create` sets them, for the rows that point at them and the history).
    """
    pk = model._meta.pk
    db = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, len(objects)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    fields = model._meta.concrete_fields
    rows = []
    for obj, new_id in zip(objects, ids, strict=True):
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
        setattr(obj, pk.attname, new_id)
        rows.append(",".join(_copy_value(field, field.pre_save(obj, True), db) for field in fields))
    _copy(model, fields, rows)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def copy_history(model, objects: list, *, user, reason: str) -> None:
    """The "created" history rows of objects just inserted, written with PostgreSQL's COPY.

    The same rows django-simple-history's `bulk_create_with_history` writes (every field of
    the object, the time, the user, the reason, type "+"), without building a historical
    model instance and preparing each of its values through `bulk_create`: for an import
    those took about 40% of the time (docs/benchmarks.md).
    """
    history = model.history.model
    fields = [field for field in history._meta.concrete_fields if field.attname != "history_id"]
    fixed = {
        "history_date": timezone.now(),
        "history_change_reason": reason,
        "history_type": "+",
        "history_user_id": user.pk if user is not None else None,
    }
    by_name = {field.attname: field for field in history._meta.concrete_fields}
    db = connections[DEFAULT_DB_ALIAS]
    constant = {name: _copy_value(by_name[name], value, db) for name, value in fixed.items()}
    rows = [
        ",".join(
            constant[field.attname]
            if field.attname in constant
            else _copy_value(field, getattr(obj, field.attname), db)
            for field in fields
        )
        for obj in objects
    ]
    _copy(history, fields, rows)


def import_exchange(
    source: Source, *, by=None, dry_run: bool = False, progress=None
) -> ImportResult:
    """Validate an exchange and, if every row is valid and this is not a dry run, import it.

    `by` is the user importing (None from the command line). `progress(message)` is told
    what is happening. Returns the problems, or what was (or would be) created and updated.
    """
    started = time.monotonic()
    result = ImportResult(source=source.name, dry_run=dry_run, ignored=list(source.ignored))
    say = progress or (lambda message: None)
    try:
        with transaction.atomic():
            exchange = reader.read(source, lock=not dry_run)
            for spec in schema.FILES:
                table = exchange.tables[spec.name]
                if table.present:
                    say(
                        ngettext(
                            "Read %(file)s: %(rows)d row",
                            "Read %(file)s: %(rows)d rows",
                            len(table.rows),
                        )
                        % {"file": spec.name, "rows": len(table.rows)}
                    )
            result.problems = exchange.problems
            if exchange.problems:
                say(
                    _("Checked %(rows)d rows: %(problems)d problems")
                    % {"rows": exchange.rows_read, "problems": len(exchange.problems)}
                )
            else:
                say(_("Checked %(rows)d rows: no problems") % {"rows": exchange.rows_read})
                _Importer(exchange, by=by, dry_run=dry_run, result=result).run()
                if dry_run:
                    transaction.set_rollback(True)
    except Refused as refused:
        result = ImportResult(
            source=source.name, dry_run=dry_run, ignored=result.ignored, problems=refused.problems
        )
    except (IntegrityError, DataError) as error:
        result.problems = [
            Problem(
                source.name,
                _(
                    "the database refused the import (%(error)s); nothing was imported. If "
                    "someone else changed the same records meanwhile, run the import again"
                )
                % {"error": str(error).strip().splitlines()[0][:200]},
            )
        ]
        result.counts = {}
    result.seconds = time.monotonic() - started
    return result


def summary_notes(result: ImportResult) -> list[str]:
    """Eligibility decisions and files not read, in sentences."""
    notes = []
    if result.dry_run:
        notes.append(
            ngettext(
                "%(count)d new referral would get an eligibility decision",
                "%(count)d new referrals would get an eligibility decision",
                result.decisions,
            )
            % {"count": result.decisions}
        )
    else:
        notes.append(
            ngettext(
                "%(count)d eligibility decision made for new referrals (%(eligible)d eligible)",
                "%(count)d eligibility decisions made for new referrals (%(eligible)d eligible)",
                result.decisions,
            )
            % {"count": result.decisions, "eligible": result.eligible}
        )
    if result.no_policy:
        notes.append(
            _(
                "No eligibility policy was in force on the referral date of %(refs)s, so no "
                "decision was made for them"
            )
            % {"refs": ", ".join(result.no_policy)}
        )
    if result.ignored:
        notes.append(
            _("Not read (not CSV files): %(files)s") % {"files": ", ".join(result.ignored)}
        )
    return notes


def summary_lines(result: ImportResult) -> list[str]:
    """What an import did (or would do), in sentences for the command line."""
    lines = [_("Check only: nothing was saved.")] if result.dry_run else []
    for count in result.file_counts:
        values = {
            "file": count.name,
            "rows": count.rows,
            "created": count.created,
            "updated": count.updated,
            "unchanged": count.unchanged,
        }
        if result.dry_run:
            lines.append(
                ngettext(
                    "%(file)s: %(rows)d row; %(created)d would be created, %(updated)d updated, "
                    "%(unchanged)d unchanged",
                    "%(file)s: %(rows)d rows; %(created)d would be created, %(updated)d updated, "
                    "%(unchanged)d unchanged",
                    count.rows,
                )
                % values
            )
        else:
            lines.append(
                ngettext(
                    "%(file)s: %(rows)d row; %(created)d created, %(updated)d updated, "
                    "%(unchanged)d unchanged",
                    "%(file)s: %(rows)d rows; %(created)d created, %(updated)d updated, "
                    "%(unchanged)d unchanged",
                    count.rows,
                )
                % values
            )
    return lines + summary_notes(result)
