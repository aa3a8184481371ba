"""Stored case summaries: what the case lists read for every row, kept true on every write.

The caseload, team and action-list screens show, for each young person, the last contact,
the current TRM stage, the latest participation consents and the formulation dates, and derive
the warnings from them. Computed on every request, that was nine correlated subqueries a row,
most of a large team page's SQL (docs/benchmarks.md). Each app now stores those facts in a
one-to-one table of its own (`CaseSummary` here, `FormulationSummary` in formulation),
registered as a `SummaryTable`:

* ``columns``: each stored column and the expression that computes it from the records
  (a subquery over the young person's rows, ``OuterRef("pk")`` being the young person);
* ``sources``: the models whose rows feed it, each with how to find a row's young person.

A table whose facts are worked out better by one grouped statement for many young people
than by a subquery per column gives ``compute`` instead (``reports.AppointmentFacts``); one
that reads the young person's own fields (their ECM start date) says ``follows_young_person``
and is refreshed when saving the young person changes one of those (`FOLLOWED_FIELDS`). A
table with any number of rows per young person (``reports.AppointmentPurposeFacts``: a count
per appointment purpose) says ``many``: its ``compute`` gives each young person's rows, and
a refresh replaces them.

Saving or deleting a source row refreshes its young person's summaries in the same
transaction (model signals: services, the admin and the shell alike; a fixture's rows once
``loaddata`` commits). Bulk writes send no signals, so the exchange importer, ``seed_scale``
and bulk-created formulation actions call `refresh` themselves. `mismatches` recomputes every
summary and compares: the tests run it after the demonstration data, an import and the scale
generator, and ``manage.py refresh_case_summaries --check`` runs it on a live database.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save, pre_save

#: Young people per refresh statement (well within SQLite's limit on query parameters).
BATCH = 2_000


@dataclass(frozen=True)
class Source:
    """A model whose rows feed a summary, and the young person id of one of its rows."""

    model: type[models.Model]
    young_person_id: Callable[[models.Model], int | None]


#: Young person ids (None: every young person) -> (id, {column: value}) for each, in id order
#: (for a table of `many` rows: (id, [{column: value}, ...])).
Compute = Callable[[list[int] | None], Iterable[tuple[int, dict | list[dict]]]]


@dataclass(frozen=True)
class SummaryTable:
    """A one-to-one table of stored facts about each young person (``young_person`` its key).

    ``columns``: each column's expression over the young person's records; or, with
    ``compute``, only the column names (their values come from ``compute``).
    ``follows_young_person``: its facts read the young person's own fields, so saving the
    young person refreshes it.
    ``many``: any number of rows per young person (``young_person`` is not its key); needs
    ``compute``, which gives each young person's rows.
    """

    model: type[models.Model]
    columns: dict[str, Callable[[], models.Expression] | None]
    sources: tuple[Source, ...]
    compute: Compute | None = None
    follows_young_person: bool = False
    many: bool = False


_TABLES: dict[str, SummaryTable] = {}


#: The young person's own fields that a table which `follows_young_person` reads: its facts
#: count from the ECM start, and an archived young person's records are left out of them.
FOLLOWED_FIELDS = ("ecm_start_date", "archived_at")


def register(table: SummaryTable) -> None:
    """Add a summary table; its sources refresh it from now on (call from `ready()`)."""
    key = table.model._meta.label
    if key in _TABLES:
        return
    _TABLES[key] = table
    for source in (*table.sources, Source(_young_person_model(), lambda person: person.pk)):
        _connect(source, table)
    if table.follows_young_person:
        pre_save.connect(
            _before_young_person_saved,
            sender=_young_person_model(),
            dispatch_uid="case-summary-followed-fields",
            weak=False,
        )


def tables() -> list[SummaryTable]:
    return list(_TABLES.values())


def _young_person_model():
    from .models import YoungPerson

    return YoungPerson


#: Source model -> (how to find a row's young person, the table it feeds), one per table.
_FEEDS: dict[type[models.Model], list[tuple[Callable, SummaryTable]]] = {}


def _connect(source: Source, table: SummaryTable) -> None:
    connected = source.model in _FEEDS
    _FEEDS.setdefault(source.model, []).append((source.young_person_id, table))
    if connected:
        return
    uid = f"case-summary-{source.model._meta.label}"
    post_save.connect(_saved, sender=source.model, dispatch_uid=uid, weak=False)
    post_delete.connect(_deleted, sender=source.model, dispatch_uid=uid, weak=False)


def _before_young_person_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    """Notes the followed fields as stored before a young person is saved (one query), so
    that saving them refreshes the tables that follow them only when one changed; a save
    of named fields that leaves them out changes none."""
    if raw or instance._state.adding:
        return
    if update_fields is not None and not set(update_fields) & set(FOLLOWED_FIELDS):
        instance._followed_before = _followed(instance)
        return
    instance._followed_before = (
        sender._base_manager.filter(pk=instance.pk).values_list(*FOLLOWED_FIELDS).first()
    )


def _followed(instance) -> tuple:
    return tuple(getattr(instance, name) for name in FOLLOWED_FIELDS)


def _saved(sender, instance, created, raw=False, using=None, **kwargs):
    if raw:
        # loaddata: a fixture's rows arrive in any order (an appointment may come before its
        # young person), so the refresh waits until the load commits and every row is in. A
        # load that fails rolls back and Django drops the waiting refreshes with it.
        transaction.on_commit(partial(_refresh_for, sender, instance), using=using)
        return
    if sender is _young_person_model() and not created:
        # A young person's own fields are read from their row, not stored; only a table that
        # works from them (days from the ECM start) is refreshed, and only when they changed.
        before = instance.__dict__.pop("_followed_before", None)
        following = [table for table in _TABLES.values() if table.follows_young_person]
        if following and (before is None or tuple(before) != _followed(instance)):
            refresh([instance.pk], tables=following)
        return
    _refresh_for(sender, instance)


def _deleted(sender, instance, **kwargs):
    if sender is _young_person_model():
        return  # the summaries go with the young person (on delete cascade)
    _refresh_for(sender, instance)


def _refresh_for(sender, instance) -> None:
    """Refresh only the tables this kind of record feeds (an appointment is no formulation)."""
    for find, table in _FEEDS.get(sender, ()):
        young_person_id = find(instance)
        if young_person_id is not None:
            refresh([young_person_id], tables=[table])


def _computed(table: SummaryTable, young_person_ids=None):
    """(young person id, {column: value}) computed from the records, in id order."""
    if table.compute is not None:
        yield from table.compute(None if young_person_ids is None else sorted(young_person_ids))
        return
    queryset = _young_person_model()._base_manager.order_by("pk")
    if young_person_ids is not None:
        queryset = queryset.filter(pk__in=young_person_ids)
    names = list(table.columns)
    annotated = queryset.annotate(
        **{f"summary_{name}": expression() for name, expression in table.columns.items()}
    ).values_list("pk", *(f"summary_{name}" for name in names))
    for pk, *values in annotated:
        yield pk, dict(zip(names, values, strict=True))


def refresh(young_person_ids: Iterable[int], *, tables: Iterable[SummaryTable] | None = None):
    """Recompute the summaries (every table, or `tables`) of these young people.

    Two statements a table for up to `BATCH` young people: one computes, one upserts (a
    table of `many` rows: one deletes their rows, one inserts the new ones).
    """
    ids = sorted(set(young_person_ids))
    chosen = list(_TABLES.values()) if tables is None else list(tables)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        for table in chosen:
            if table.many:
                computed = list(_computed(table, chunk))
                table.model.objects.filter(young_person_id__in=chunk).delete()
                table.model.objects.bulk_create(
                    table.model(young_person_id=pk, **row) for pk, rows in computed for row in rows
                )
                continue
            rows = [
                table.model(young_person_id=pk, **values) for pk, values in _computed(table, chunk)
            ]
            table.model.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["young_person"],
                update_fields=list(table.columns),
            )


def refresh_all(
    *,
    progress: Callable[[int], None] | None = None,
    tables: Iterable[SummaryTable] | None = None,
) -> int:
    """Rebuild every young person's summaries (every table, or `tables`), `BATCH` at a time;
    the number refreshed."""
    ids = list(_young_person_model()._base_manager.order_by("pk").values_list("pk", flat=True))
    chosen = None if tables is None else list(tables)
    for start in range(0, len(ids), BATCH):
        refresh(ids[start : start + BATCH], tables=chosen)
        if progress:
            progress(min(start + BATCH, len(ids)))
    return len(ids)


@dataclass(frozen=True)
class Mismatch:
    young_person_id: int
    table: str
    column: str
    stored: object
    computed: object


def mismatches(young_person_ids=None, *, limit: int = 100) -> list[Mismatch]:
    """Summaries that differ from what the records say now (a missing row differs too)."""
    found: list[Mismatch] = []
    for table in _TABLES.values():
        names = list(table.columns)
        stored_rows = table.model.objects.all()
        if young_person_ids is not None:
            stored_rows = stored_rows.filter(young_person_id__in=young_person_ids)
        if table.many:
            found += _many_mismatches(table, stored_rows, young_person_ids)[: limit - len(found)]
            if len(found) >= limit:
                return found
            continue
        stored = {row[0]: row[1:] for row in stored_rows.values_list("young_person_id", *names)}
        for pk, computed in _computed(table, young_person_ids):
            row = stored.get(pk)
            for index, name in enumerate(names):
                value = row[index] if row is not None else "(no summary row)"
                if value != computed[name]:
                    found.append(Mismatch(pk, table.model._meta.label, name, value, computed[name]))
                    if len(found) >= limit:
                        return found
    return found


def _many_mismatches(table: SummaryTable, stored_rows, young_person_ids) -> list[Mismatch]:
    """Young people whose stored rows (in a table of `many`) are not the computed ones."""
    names = list(table.columns)
    stored: dict[int, list[tuple]] = {}
    for pk, *values in stored_rows.values_list("young_person_id", *names):
        stored.setdefault(pk, []).append(tuple(values))
    found = []
    for pk, rows in _computed(table, young_person_ids):
        computed = sorted(tuple(row[name] for name in names) for row in rows)
        kept = sorted(stored.get(pk, []))
        if kept != computed:
            found.append(Mismatch(pk, table.model._meta.label, "rows", kept, computed))
    return found
