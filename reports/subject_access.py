"""The subject access bundle of one young person (issue 17): a ZIP holding a PDF chronology
of the whole record, one CSV per model that points at the young person, and a README.

Which models go in is found, not listed: `linked_models` walks the app registry for every
concrete model with a chain of foreign keys (or one-to-one or many-to-many fields) ending
at `YoungPerson`, history tables included, so a model added later is in the bundle without
a change here. A model left out must be named in `EXCLUDED` with the reason; the tests fail
on a linked model that is in neither.

Columns holding other people's names (staff, agency contacts, family members) and free text
that may name them are listed in README.txt for redaction before the bundle is released.
Private reflective supervision notes are never written; README.txt says so.
"""

import io
import zipfile

from django.apps import apps
from django.db import models
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access_log import entries_about
from accounts.models import User
from cases.models import YoungPerson
from cases.selectors import timeline_for

from . import exports

#: How many links a chain to the young person may have (agreed action -> formulation ->
#: meeting -> young person is three). The tests walk one link further and fail on a model
#: this misses.
MAX_DEPTH = 3

#: Linked models deliberately left out of the bundle, with the reason.
EXCLUDED: dict[str, str] = {
    "reports.personfacts": "a temporary table made during a report run, never stored",
}

#: Columns never written, with the line README.txt says about them.
WITHHELD_COLUMNS = {
    "private_notes": gettext_lazy(
        "Private reflective supervision notes are excluded: they belong to the "
        "practitioner's supervision, not to the young person's record."
    ),
}

#: Columns (beyond links to staff accounts and free text) that hold other people's names:
#: any column named like a name, except on the young person's own record.
NAME_SUFFIX = "name"
OWN_RECORD = {YoungPerson._meta.label_lower, YoungPerson.history.model._meta.label_lower}


def _targets(field) -> bool:
    return (field.many_to_one or field.one_to_one or field.many_to_many) and not field.auto_created


def _concrete_models():
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or meta.abstract or not meta.managed or model is YoungPerson:
            continue
        yield model


def linked_models() -> dict[str, str]:
    """Every concrete model whose rows point at a young person, with the ORM lookup from the
    model to `YoungPerson` (e.g. ``appointment__young_person``), by ``app_label.model_name``.

    A model with several links uses the shortest (then first declared); the young person's
    own table and its history are included (lookup ``pk`` / ``id``).
    """
    found = {YoungPerson._meta.label_lower: "pk"}
    frontier = {YoungPerson: "pk"}
    candidates = list(_concrete_models())
    for _depth in range(MAX_DEPTH):
        next_frontier = {}
        for model in candidates:
            label = model._meta.label_lower
            if label in found:
                continue
            for field in model._meta.get_fields():
                if not (getattr(field, "concrete", False) or field.many_to_many):
                    continue
                if not _targets(field) or field.related_model not in frontier:
                    continue
                via = frontier[field.related_model]
                lookup = field.name if via == "pk" else f"{field.name}__{via}"
                found[label] = lookup
                next_frontier[model] = lookup
                break
        if not next_frontier:
            break
        frontier = next_frontier
    history = YoungPerson.history.model._meta.label_lower
    found[history] = "id"
    return dict(sorted(found.items()))


def _columns(model) -> list:
    return [field for field in model._meta.concrete_fields if field.name not in WITHHELD_COLUMNS]


def redaction_columns(model) -> list[str]:
    """The model's columns that hold, or may hold, other people's names."""
    return [
        field.attname
        for field in _columns(model)
        if (field.is_relation and field.related_model is User)
        or (field.name.endswith(NAME_SUFFIX) and model._meta.label_lower not in OWN_RECORD)
        or _free_text(field)
    ]


def _free_text(field) -> bool:
    """A box someone typed into (a long text, or a reason or note of a line or two)."""
    if isinstance(field, models.TextField):
        return True
    return isinstance(field, models.CharField) and not field.choices and field.max_length >= 200


def _csv(model, lookup: str, young_person) -> tuple[bytes, int]:
    columns = _columns(model)
    # The base manager: archived rows are part of the record too.
    queryset = model._base_manager.filter(**{lookup: young_person.pk}).distinct().order_by("pk")
    header = [field.attname for field in columns]
    rows = list(queryset.values_list(*header))
    return exports.csv_bytes(header, rows), len(rows)


def _access_log_csv(young_person) -> tuple[bytes, int]:
    header = ["at", "username", "action", "object_type", "object_id", "allowed", "detail"]
    rows = list(entries_about(young_person).values_list(*header))
    return exports.csv_bytes(header, rows), len(rows)


def chronology_pdf(young_person) -> bytes:
    """The whole record, oldest first, as a PDF (WeasyPrint, no request needed)."""
    import weasyprint

    entries = list(reversed(timeline_for(young_person, include_archived=True, per_kind=None)))
    html = render_to_string(
        "reports/subject_access_chronology.html",
        {"young_person": young_person, "entries": entries},
    )
    return weasyprint.HTML(string=html, base_url=None).write_pdf()


def _readme(files: list[tuple[str, int, list[str]]]) -> str:
    lines = [
        _("Subject access bundle"),
        "",
        _(
            "chronology.pdf is the whole record, oldest first. Each CSV file holds every row "
            "of one kind of record about the young person, history included."
        ),
        "",
        _(
            "Before release, check these columns for other people's names (staff, agency "
            "contacts, family members) and redact them:"
        ),
    ]
    for name, _rows, flagged in files:
        if flagged:
            lines.append(f"  {name}: {', '.join(flagged)}")
    lines += ["", *(str(text) for text in WITHHELD_COLUMNS.values())]
    lines += ["", _("Files and rows:")]
    lines += [f"  {name}: {rows}" for name, rows, _flagged in files]
    return "\n".join(lines) + "\n"


def bundle_bytes(young_person) -> bytes:
    """The ZIP file of the bundle."""
    buffer = io.BytesIO()
    listed = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("chronology.pdf", chronology_pdf(young_person))
        for label, lookup in linked_models().items():
            if label in EXCLUDED:
                continue
            model = apps.get_model(label)
            data, rows = _csv(model, lookup, young_person)
            name = f"{label}.csv"
            archive.writestr(name, data)
            listed.append((name, rows, redaction_columns(model)))
        data, rows = _access_log_csv(young_person)
        archive.writestr("accounts.accesslogentry.csv", data)
        listed.append(("accounts.accesslogentry.csv", rows, ["username"]))
        archive.writestr("README.txt", _readme(listed))
    return buffer.getvalue()
