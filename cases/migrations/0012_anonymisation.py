"""Anonymising young people under the retention schedule (issue 17).

The young person keeps `anonymised_at` and `age_at_ecm_start`. The access log stays
append-only (accounts 0002), with one exception: while an anonymisation runs in the same
transaction (`governance.anonymise`), an UPDATE may rewrite `detail` and `path` to text
carrying the removal marker, and nothing else. DELETE stays refused as before.

How the transaction says so: on PostgreSQL, the transaction-local setting
``ecm.anonymising = 'on'`` (``set_config(..., true)``, gone at commit or rollback); on SQLite,
which has no session settings, a row in ``cases_anonymisation_in_progress`` that the same
transaction inserts and deletes (a trigger on a main-database table cannot see a temporary
table). Both are written only by `governance.anonymise`.
"""

from django.db import migrations, models

TABLE = "accounts_accesslogentry"
FLAG_TABLE = "cases_anonymisation_in_progress"
SETTING = "ecm.anonymising"
MARKER = "[removed]"

#: The columns an anonymisation leaves exactly as they were (SQLite names them; PostgreSQL
#: compares the whole row but for `detail` and `path`).
UNCHANGED = (
    "id",
    "at",
    "user_id",
    "username",
    "action",
    "object_type",
    "object_id",
    "ip_address",
    "allowed",
)
_SAME = " AND ".join(f"NEW.{column} IS OLD.{column}" for column in UNCHANGED)


def _marked(same: str, find: str) -> str:
    """`detail` and `path` are each unchanged or carry the marker (`find`: the vendor's
    substring position function; no % signs, which the database drivers would read)."""
    return " AND ".join(
        f"(NEW.{column} {same} OLD.{column} OR {find}(NEW.{column}, '{MARKER}') > 0)"
        for column in ("detail", "path")
    )


SQLITE_FORWARD = [
    f"CREATE TABLE {FLAG_TABLE} (id integer NOT NULL PRIMARY KEY CHECK (id = 1))",
    f"DROP TRIGGER {TABLE}_no_update",
    f"""CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        WHEN NOT (EXISTS (SELECT 1 FROM {FLAG_TABLE}) AND {_SAME} AND {_marked("IS", "instr")})
        BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END""",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER {TABLE}_no_update",
    f"""CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END""",
    f"DROP TABLE {FLAG_TABLE}",
]

POSTGRES_FORWARD = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE'
                AND current_setting('{SETTING}', true) = 'on'
                AND to_jsonb(NEW) - 'detail' - 'path' = to_jsonb(OLD) - 'detail' - 'path'
                AND {_marked("IS NOT DISTINCT FROM", "strpos")}
            THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'the access log is append-only';
        END $$""",
]
POSTGRES_BACKWARD = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the access log is append-only'; END $$""",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_access_log_append_only"),
        ("cases", "0011_case_transfers"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalyoungperson",
            name="age_at_ecm_start",
            field=models.PositiveSmallIntegerField(
                blank=True, editable=False, null=True, verbose_name="age at ECM start"
            ),
        ),
        migrations.AddField(
            model_name="historicalyoungperson",
            name="anonymised_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="anonymised"
            ),
        ),
        migrations.AddField(
            model_name="youngperson",
            name="age_at_ecm_start",
            field=models.PositiveSmallIntegerField(
                blank=True, editable=False, null=True, verbose_name="age at ECM start"
            ),
        ),
        migrations.AddField(
            model_name="youngperson",
            name="anonymised_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="anonymised"
            ),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
