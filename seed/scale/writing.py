"""Writing generated rows: in batches, by COPY on PostgreSQL or `bulk_create`, timed per table.

`tables()` names, for each kind of row the builders make, the model and the columns of its
tuples; `LEAVES` is the order they are written in, after the instances they point at.
"""

import csv
import io
import time
from collections import defaultdict

from django.db import connection, models

from cases import summary
from cases.models import (
    Appointment,
    Breach,
    Consent,
    CustodyEpisode,
    Need,
    Offence,
    TRMAssessment,
)
from eligibility.models import EligibilityOverride
from formulation.models import AgreedAction, InterventionItem, MeetingAttendance
from supervision import case_counts
from supervision.models import SupervisionAction, SupervisionSession

DEFAULT_BATCH_SIZE = 5000
DEFAULT_PEOPLE_PER_TRANSACTION = 1000


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
        # The sessions' counts of cases discussed (`supervision.case_counts`), likewise.
        case_counts.refresh_all()
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


def tables() -> dict[str, Table]:
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
                "purpose_category_id",
                "purpose",
                "duration_minutes",
                "attendance",
                "engagement",
                "outcome_code",
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
            AgreedAction,
            ["formulation_id", "description", "owner", "assignee_id", "due_on", "done_on"],
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
            [
                "session_id",
                "young_person_id",
                "description",
                "owner",
                "assignee_id",
                "due_on",
                "done_on",
            ],
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
