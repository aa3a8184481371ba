"""Anonymising young people whose records have passed their retention period (issue 17,
"Anonymise, don't break the evaluation").

What goes, in the records about each young person and in their history tables: the names,
the reference (it becomes ``ANON-<id>``), the date of birth, every free-text field (a value
that was typed becomes ``[removed]``; an empty one stays empty), external references, and
the names of people outside the service on tasks and meeting attendance. In records shared
with other young people (supervision sessions), in the access log's `detail` and `path`,
and in unsaved drafts, the words that name them are removed. Stored subject access bundles
about them are deleted.

What stays: coded facts (dates of events, codes, stages, counts, links), so the evaluation
gives the same figures before and after. The date of birth becomes a stand-in: the anchor
date minus the age in completed years on it, where the anchor is the ECM start, or for a
young person who never started, the latest eligibility decision (the comparison report's
index date, reports.comparison.build), or else the referral date. Every age the reports
work out (`AgeInYears` on those dates) is therefore what it was, and `age_at_ecm_start`
says it in the record.

Which records: found, not listed. `linked_models` walks the app registry for every model
with a chain of foreign keys (or a many-to-many field) ending at `YoungPerson`, and adds
the history model of each, so a model added later is anonymised without a change here.
A text column is free text unless it has choices, is a slug, or is named in `CODED`; a
JSON column must be named in `CODED` or `EVENT_DATA` (the tests fail on one that is not).

Nothing about the removed values is recorded here: the caller records the run.
"""

import operator
import re
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date
from functools import reduce
from urllib.parse import quote, quote_plus, unquote_plus

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, Concat
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from accounts.models import AccessLogEntry, Draft
from cases.models import ANONYMISED_TEXT, YoungPerson, age_on
from cases.services import event_detail
from eligibility.models import EligibilityDecision
from reports.models import ReportFile, ReportKind, ReportRun
from reports.services import storage

#: What a typed value becomes.
MARKER = ANONYMISED_TEXT
#: The anonymised reference is this and the young person's id (unique like the reference).
REFERENCE_PREFIX = "ANON-"

#: How many links a chain to the young person may have (the tests walk one further).
MAX_DEPTH = 4

#: Text and JSON columns of linked records that hold codes, not words anyone typed: kept.
CODED: dict[str, frozenset[str]] = {
    "cases.caseevent": frozenset({"action"}),
    "cases.casesummary": frozenset({"young_person_consent", "parent_consent"}),
    "eligibility.eligibilitydecision": frozenset({"criteria"}),
    # Idempotence keys of reminders ("appointment:12", "review:3:2025-01-31") and a link.
    "work.followup": frozenset({"subject"}),
    "work.notification": frozenset({"subject", "url"}),
}
#: JSON columns holding a domain event's data: a value is kept when the event's registered
#: detail shows it as a code (a date, a team, a yes or no…), else it is removed.
EVENT_DATA: dict[str, str] = {"cases.caseevent": "data"}

#: Text columns always kept, on every model (simple_history's kind of change is a code).
CODED_EVERYWHERE = frozenset({"history_type"})

#: accounts 0002 keeps the access log append-only; cases 0012 lets an anonymisation rewrite
#: `detail` and `path` to text carrying MARKER while one of these says it is running.
POSTGRES_SETTING = "ecm.anonymising"
SQLITE_FLAG_TABLE = "cases_anonymisation_in_progress"

BATCH = 500
#: Young people anonymised in one pass, and names looked for in one query (SQLite refuses
#: an expression of more than 1,000 terms).
PEOPLE_PER_PASS = 100
WORDS_PER_QUERY = 40


# --- Which records ------------------------------------------------------------------------------


class Linked:
    """A model whose rows are about a young person: `lookup` leads from it to the young
    person's id; `shared` when the chain passes a many-to-many field (a supervision session
    discusses several young people), so only the words naming them are removed. A history
    model reached only through its record's model has that as `source`: its rows are the
    versions of the source's rows."""

    def __init__(self, model, lookup: str, *, shared: bool, source: "Linked | None" = None):
        self.model = model
        self.lookup = lookup
        self.shared = shared
        self.source = source

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def rows(self, ids):
        if self.source is not None:
            return self.model._base_manager.filter(id__in=self.source.rows(ids).values("pk"))
        return self.model._base_manager.filter(**{f"{self.lookup}__in": ids})


def _concrete_models():
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or meta.abstract or not meta.managed or model is YoungPerson:
            continue
        yield model


def _history_model(model):
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    return getattr(model, manager).model if manager else None


def linked_models() -> dict[str, Linked]:
    """Every model whose rows are about a young person, by ``app_label.model_name``: those
    with a chain of relations to `YoungPerson` (the shortest, then first declared), and the
    history model of each (its rows found by the id of the record they are a version of)."""
    found = {YoungPerson._meta.label_lower: Linked(YoungPerson, "pk", shared=False)}
    frontier = {YoungPerson: found[YoungPerson._meta.label_lower]}
    candidates = list(_concrete_models())
    for _depth in range(MAX_DEPTH):
        next_frontier = {}
        for model in candidates:
            if model._meta.label_lower in found:
                continue
            for field in model._meta.get_fields():
                if field.auto_created or field.related_model not in frontier:
                    continue
                if not (field.many_to_one or field.one_to_one or field.many_to_many):
                    continue
                via = frontier[field.related_model]
                lookup = field.name if via.lookup == "pk" else f"{field.name}__{via.lookup}"
                linked = Linked(model, lookup, shared=via.shared or field.many_to_many)
                found[model._meta.label_lower] = next_frontier[model] = linked
                break
        if not next_frontier:
            break
        frontier = next_frontier
    for linked in list(found.values()):
        history = _history_model(linked.model)
        if history is not None and history._meta.label_lower not in found:
            found[history._meta.label_lower] = Linked(
                history, "id", shared=linked.shared, source=linked
            )
    return dict(sorted(found.items()))


def free_text_columns(model) -> list:
    """The model's columns holding words someone typed (or a name, or a reference)."""
    coded = CODED.get(model._meta.label_lower, frozenset()) | CODED_EVERYWHERE
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not isinstance(field, models.SlugField)
        and not field.choices
        and field.name not in coded
    ]


def unclassified_columns(model) -> list[str]:
    """JSON and file columns of a linked model that no rule here covers (the tests keep this
    empty, so a new one is decided on rather than left holding what was typed)."""
    label = model._meta.label_lower
    known = CODED.get(label, frozenset()) | {EVENT_DATA.get(label)}
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.JSONField | models.FileField) and field.name not in known
    ]


# --- The young person's own stand-ins -----------------------------------------------------------


def _anchors(people: list[dict]) -> dict[int, date]:
    """The date whose age the reports use, per young person (see the module docstring)."""
    latest = {}
    decisions = (
        EligibilityDecision.objects.filter(
            young_person__in=[person["pk"] for person in people if not person["ecm_start_date"]]
        )
        .order_by("young_person_id", "-decided_on", "-id")
        .values_list("young_person_id", "decided_on")
    )
    for person_id, decided_on in decisions:
        latest.setdefault(person_id, decided_on)
    return {
        person["pk"]: person["ecm_start_date"]
        or latest.get(person["pk"])
        or person["referral_date"]
        for person in people
    }


def stand_in_date_of_birth(date_of_birth: date, anchor: date) -> date:
    """A date of birth giving the same age in completed years on `anchor`, and no more."""
    return anchor - relativedelta(years=age_on(date_of_birth, anchor))


def _by_pk(values: dict, field) -> Case:
    return Case(
        *(When(pk=pk, then=Value(value)) for pk, value in values.items()),
        default=F(field.name),
        output_field=field,
    )


def _reference():
    return Concat(Value(REFERENCE_PREFIX), Cast(F("id"), models.CharField()))


def _person_targets(people: list[dict]) -> dict:
    """The young person's stand-ins: reference, date of birth, age at ECM start."""
    meta = YoungPerson._meta
    waiting = [person for person in people if person["anonymised_at"] is None]
    anchors = _anchors(waiting)
    born = {
        person["pk"]: stand_in_date_of_birth(person["date_of_birth"], anchors[person["pk"]])
        for person in waiting
    }
    ages = {
        person["pk"]: age_on(person["date_of_birth"], person["ecm_start_date"])
        for person in waiting
        if person["ecm_start_date"]
    }
    return {
        "reference": _reference(),
        "date_of_birth": _by_pk(born, meta.get_field("date_of_birth")),
        "age_at_ecm_start": _by_pk(ages, meta.get_field("age_at_ecm_start")),
        "anonymised_at": Coalesce(F("anonymised_at"), Value(timezone.now())),
    }


# --- Whole records about one young person -------------------------------------------------------


def _typed(field) -> tuple[object, Q]:
    """What a free-text column becomes, and the condition of a row it changes."""
    name = field.name
    if field.unique and field.null:  # an external reference, such as a meeting's
        return Value(None, output_field=field), Q(**{f"{name}__isnull": False})
    whens = [When(**{name: ""}, then=Value(""))]
    changes = ~Q(**{name: ""}) & ~Q(**{name: MARKER})
    if field.null:
        whens.insert(0, When(**{f"{name}__isnull": True}, then=Value(None)))
        changes &= Q(**{f"{name}__isnull": False})
    return Case(*whens, default=Value(MARKER), output_field=field), changes


def _anonymise_rows(queryset, extra_targets=None, extra_changes=None) -> int:
    """One UPDATE: every free-text column of the rows; returns how many rows changed."""
    model = queryset.model
    targets, changes = dict(extra_targets or {}), extra_changes or Q(pk__in=[])
    for field in free_text_columns(model):
        if field.name in targets:
            continue
        target, changed = _typed(field)
        targets[field.name] = target
        changes |= changed
    if not targets:
        return 0
    is_history = hasattr(model, "history_id")
    if not is_history and any(field.name == "version" for field in model._meta.concrete_fields):
        # Someone with the record open for editing is told it changed, not saving over it.
        targets["version"] = F("version") + 1
    return queryset.filter(changes).update(**targets)


def _anonymise_people(ids) -> dict[str, int]:
    """The young people's own rows and their history: names, reference, date of birth."""
    people = list(
        YoungPerson._base_manager.filter(pk__in=ids).values(
            "pk", "date_of_birth", "ecm_start_date", "referral_date", "anonymised_at"
        )
    )
    own = _person_targets(people)
    changed = _anonymise_rows(
        YoungPerson._base_manager.filter(pk__in=ids),
        own,
        Q(anonymised_at__isnull=True) | ~Q(reference=_reference()),
    )
    history = YoungPerson.history.model
    current = YoungPerson._base_manager.filter(pk=OuterRef("id"))
    copied = {
        name: Subquery(current.values(name)[:1])
        for name in ("date_of_birth", "age_at_ecm_start", "anonymised_at")
    }
    history_changed = _anonymise_rows(
        history._base_manager.filter(id__in=ids),
        {"reference": _reference(), **copied},
        ~Q(reference=_reference())
        | ~Q(date_of_birth=copied["date_of_birth"])
        | Q(anonymised_at__isnull=True),
    )
    return {
        YoungPerson._meta.label_lower: changed,
        history._meta.label_lower: history_changed,
    }


def _event_value(key, value):
    detail = event_detail(key)
    if detail is not None and detail.shown != "text":
        return value
    if isinstance(value, str):
        return value if value in ("", MARKER) else MARKER
    if isinstance(value, list | dict) and value:
        return MARKER
    return value  # a number, a yes or no, nothing


def _anonymise_event_data(queryset, column: str) -> int:
    """Domain events keep their coded data; words go (cases.services.EventDetail)."""
    changed = []
    for pk, data in queryset.values_list("pk", column).iterator(chunk_size=BATCH):
        if not isinstance(data, dict):
            continue
        kept = {key: _event_value(key, value) for key, value in data.items()}
        if kept != data:
            changed.append((pk, kept))
    field = queryset.model._meta.get_field(column)
    for start in range(0, len(changed), BATCH):
        _set_by_pk(queryset.model, column, dict(changed[start : start + BATCH]), field)
    return len(changed)


# --- Words naming them elsewhere ----------------------------------------------------------------


def _tokens(people: Iterable[dict]) -> list[str]:
    """The words that name these young people: reference, names and each part of them."""
    words = set()
    for person in people:
        words.add(person["reference"])
        for name in (person["given_name"], person["family_name"]):
            words.add(name)
            words.update(part for part in re.split(r"[\s\-']+", name) if len(part) > 1)
    return sorted((word.strip() for word in words if word.strip()), key=len, reverse=True)


def _pattern(tokens: list[str]):
    alternatives = "|".join(re.escape(token) for token in tokens)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _mentions(tokens: list[str], *columns: str) -> Q:
    """Rows whose columns may name them (narrowed in Python by `_pattern`)."""
    found = Q(pk__in=[])
    for token in tokens:
        for column in columns:
            found |= Q(**{f"{column}__icontains": token})
            if quote(token) != token:
                found |= Q(**{f"{column}__icontains": quote(token)})
                found |= Q(**{f"{column}__icontains": quote_plus(token)})
    return found


def _set_by_pk(model, column: str, values: dict, field) -> int:
    """One UPDATE of `column` for many rows. A plain QuerySet, because the access log's
    manager refuses updates (the database decides whether this one may run)."""
    if not values:
        return 0
    whens = [When(pk=pk, then=Value(value, output_field=field)) for pk, value in values.items()]
    rows = models.QuerySet(model).filter(pk__in=list(values))
    return rows.update(**{column: Case(*whens, default=F(column), output_field=field)})


def _fit(text: str, field) -> str:
    """`text` cut to the column's length, keeping the marker at its end if it was cut off."""
    limit = field.max_length
    if limit is None or len(text) <= limit:
        return text
    cut = text[:limit]
    return cut if MARKER in cut else cut[: limit - len(MARKER)] + MARKER


def _in_groups(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _scrub(queryset, tokens: list[str], columns: list[str], path_columns=()) -> int:
    """Remove the words naming them from these columns of the rows that contain them;
    returns how many rows changed."""
    if not (columns or path_columns):
        return 0
    changed = set()
    for words in _in_groups(tokens, WORDS_PER_QUERY):
        changed |= _scrub_words(queryset, words, columns, path_columns)
    return len(changed)


def _scrub_words(queryset, tokens: list[str], columns: list[str], path_columns) -> set:
    pattern = _pattern(tokens)
    changes: dict[str, dict] = {column: {} for column in (*columns, *path_columns)}
    rows = queryset.filter(_mentions(tokens, *columns, *path_columns))
    for row in rows.values("pk", *columns, *path_columns).iterator(chunk_size=BATCH):
        for column in columns:
            text = row[column] or ""
            scrubbed = pattern.sub(MARKER, text)
            if scrubbed != text:
                changes[column][row["pk"]] = scrubbed
        for column in path_columns:
            path = row[column] or ""
            if pattern.search(unquote_plus(path)):
                page = path.split("?", 1)[0]
                changes[column][row["pk"]] = (
                    MARKER if pattern.search(unquote_plus(page)) else f"{page}?{MARKER}"
                )
    changed = set()
    for column, values in changes.items():
        field = queryset.model._meta.get_field(column)
        items = [(pk, _fit(text, field)) for pk, text in values.items()]
        for group in _in_groups(items, BATCH):
            _set_by_pk(queryset.model, column, dict(group), field)
        changed.update(values)
    return changed


@contextmanager
def _access_log_open_for_anonymisation():
    """Let this transaction rewrite access-log details (cases 0012), and no longer: in its
    own savepoint, so an error inside rolls the permission back with everything else."""
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic():
        with connection.cursor() as cursor:
            if postgresql:
                cursor.execute("SELECT set_config(%s, 'on', true)", [POSTGRES_SETTING])
            else:
                cursor.execute(f"INSERT INTO {SQLITE_FLAG_TABLE} (id) VALUES (1)")  # noqa: S608
        yield
        with connection.cursor() as cursor:
            if postgresql:
                cursor.execute("SELECT set_config(%s, 'off', true)", [POSTGRES_SETTING])
            else:
                cursor.execute(f"DELETE FROM {SQLITE_FLAG_TABLE}")  # noqa: S608


def _anonymise_access_log(tokens: list[str]) -> int:
    if not tokens:
        return 0
    with _access_log_open_for_anonymisation():
        return _scrub(
            models.QuerySet(AccessLogEntry).all(), tokens, ["detail"], path_columns=["path"]
        )


def _delete_drafts(ids, tokens: list[str]) -> int:
    """Unsaved typing on their pages, or naming them."""
    conditions = [Q(key__contains=f"/young-people/{pk}/") for pk in ids]
    conditions += [Q(typed__icontains=token) for token in tokens]
    drafts = Draft.objects.annotate(typed=Cast("data", models.TextField()))
    found = set()
    for group in _in_groups(conditions, WORDS_PER_QUERY):
        found.update(drafts.filter(reduce(operator.or_, group)).values_list("pk", flat=True))
    deleted, _by_model = Draft.objects.filter(pk__in=sorted(found)).delete()
    return deleted


def _delete_subject_access_files(ids) -> int:
    """Stored subject access bundles about them: the rows now, the files once committed."""
    runs = ReportRun.objects.filter(
        kind=ReportKind.SUBJECT_ACCESS, parameters__young_person_id__in=list(ids)
    )
    files = ReportFile.objects.filter(run__in=runs)
    stored = list(files.values_list("run_id", "file"))
    if not stored:
        return 0
    deleted, _by_model = files.delete()
    run_ids = sorted({run_id for run_id, _name in stored})
    ReportRun.objects.filter(pk__in=run_ids).update(files_deleted_at=timezone.now())

    def remove_files():
        storage.delete_stored(name for _run_id, name in stored)
        for run_id in run_ids:
            storage.remove_other_attempts(run_id, token="")
            storage.remove_empty_folder(storage.run_folder(run_id))

    transaction.on_commit(remove_files)
    return deleted


# --- The whole job -------------------------------------------------------------------------------


def anonymise_young_people(young_person_ids: Iterable[int]) -> dict[str, int]:
    """Anonymise these young people everywhere; called inside transaction.atomic();
    returns rows changed per model label; idempotent; records nothing about the removed
    values."""
    ids = sorted({int(pk) for pk in young_person_ids})
    if not ids:
        return {}
    if not connection.in_atomic_block:
        raise TransactionManagementError("anonymise_young_people must run in a transaction")
    counts: Counter = Counter()
    linked = linked_models()
    # Its own savepoint: a failure part-way leaves nothing changed (the SQLite flag included).
    with transaction.atomic():
        for group in _in_groups(ids, PEOPLE_PER_PASS):
            counts.update(_anonymise_group(group, linked))
    return {label: count for label, count in sorted(counts.items()) if count}


def _anonymise_group(ids: list[int], linked: dict[str, Linked]) -> Counter:
    counts: Counter = Counter()
    people = list(
        YoungPerson._base_manager.filter(pk__in=ids, anonymised_at__isnull=True).values(
            "pk", "reference", "given_name", "family_name"
        )
    )
    tokens = _tokens(people)
    for label, about in linked.items():
        if about.model is YoungPerson or about.model is YoungPerson.history.model:
            continue
        rows = about.rows(ids)
        if about.shared:
            columns = [field.name for field in free_text_columns(about.model)]
            counts[label] += _scrub(rows, tokens, columns)
            continue
        counts[label] += _anonymise_rows(rows)
        if label in EVENT_DATA:
            counts[label] += _anonymise_event_data(rows, EVENT_DATA[label])
    counts.update(_anonymise_people(ids))
    counts[AccessLogEntry._meta.label_lower] += _anonymise_access_log(tokens)
    counts[Draft._meta.label_lower] += _delete_drafts(ids, tokens)
    counts[ReportFile._meta.label_lower] += _delete_subject_access_files(ids)
    return counts
