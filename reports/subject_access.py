"""The subject access bundle of one young person (issue 17): a ZIP holding a PDF chronology
of the whole record, one CSV per model that points at the young person, and a README.

Which models go in is found, not listed: `linked_models` walks the app registry for every
concrete model with a chain of foreign keys (or one-to-one or many-to-many fields) ending
at `YoungPerson`, history tables included, so a model added later is in the bundle without
a change here. A model left out must be named in `EXCLUDED` with the reason; the tests fail
on a linked model that is in neither.

The CSV files are written in words: a link to a staff account has the person's name beside
its id (`recorded_by_name`), a coded field or a link to reference data has its label beside
the code (`status_label`, `team_label`), in the bundle's language.

Columns holding other people's names (staff, agency contacts, family members) and free text
that may name them are listed in README.txt for redaction before the bundle is released.
Private reflective supervision notes are never written; README.txt says so. A supervision
session's shared notes are session-wide: they are written only when this young person was the
only case discussed (and flagged for review); a group session's are withheld, because they may
be about other young people: what it said about this one is its note for the case record.

Access-log rows about the young person's own row and about any record in the bundle (an
appointment, a formulation, a supervision session that discussed them...) are in
`accounts.accesslogentry.csv`.
"""

import io
import zipfile
from collections.abc import Callable

from django.apps import apps
from django.db import models
from django.db.models import CharField, Count, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import AccessLogEntry, Bilingual, User, in_current_language
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
    "reports.appointmentfacts": "counts worked out from the appointments in the bundle, kept "
    "for the evaluation's reports",
    "reports.standingfacts": "facts worked out from the eligibility decisions, consents, needs "
    "and plan items in the bundle, kept for the evaluation's reports",
    "reports.appointmentpurposefacts": "counts worked out from the appointments in the "
    "bundle, kept for the evaluation's reports",
    "reports.meetingfacts": "counts worked out from the formulation meetings in the bundle, "
    "kept for the evaluation's reports",
    "reports.comparisonfacts": "counts worked out from the offences, breaches, needs and "
    "eligibility decisions in the bundle, kept for the comparison report",
    "reports.meetingnumberfacts": "counts worked out from the formulation meetings and "
    "their attendance in the bundle, kept for the evaluation's reports",
    "reports.agencyattendancefacts": "counts worked out from the formulation meetings' "
    "attendance in the bundle, kept for the evaluation's reports",
    "supervision.sessioncases": "how many cases a supervision session in the bundle "
    "discussed, counted from its list of cases, kept for the evaluation's reports",
}

#: Columns never written, with the line README.txt says about them.
WITHHELD_COLUMNS = {
    "private_notes": gettext_lazy(
        "Private reflective supervision notes are excluded: they belong to the "
        "practitioner's supervision, not to the young person's record."
    ),
}

#: Session-wide notes of a record that may discuss several young people: label -> (the column,
#: the many-to-many field naming the young people discussed). Written only when this young
#: person was the only one discussed; otherwise the cell says they are withheld.
SESSION_WIDE_NOTES = {"supervision.supervisionsession": ("shared_notes", "cases")}
WITHHELD_GROUP_NOTES = gettext_lazy(
    "[withheld: this session also discussed other young people; what it said about this "
    "young person is in supervision.supervisionnote.csv]"
)

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


def _free_text(field) -> bool:
    """A box someone typed into (a long text, a reason or note of a line or two, or the
    reason given for a change in a history table)."""
    if isinstance(field, models.TextField):
        return True
    if field.name == "history_change_reason":
        return True
    return isinstance(field, models.CharField) and not field.choices and field.max_length >= 200


STAFF_NAME_PARTS = ("first_name", "last_name", "username")


def _staff(field) -> bool:
    return field.is_relation and field.related_model is User


def _reference_data(field) -> bool:
    return field.is_relation and issubclass(field.related_model, Bilingual)


def _staff_name(first_name, last_name, username) -> str:
    if username is None:
        return ""
    return f"{first_name or ''} {last_name or ''}".strip() or username


def _label_of(field) -> Callable:
    labels = dict(field.flatchoices)

    def label(value) -> str:
        if value in (None, ""):
            return ""
        return str(labels.get(value, value))

    return label


def _extra_header(field, taken: set[str], suffix: str) -> str:
    header = f"{field.name}_{suffix}"
    return header if header not in taken else f"{field.name}_{suffix}_shown"


def column_specs(model) -> list[tuple[str, tuple[str, ...], Callable | None]]:
    """The CSV columns of `model`: (header, the values read, how they become the cell).

    Each column as stored, and beside a link to a staff account the person's name
    (`<field>_name`), beside a coded field or a link to reference data its label
    (`<field>_label`). One query reads them all (the names and labels are joins)."""
    fields = _columns(model)
    taken = {field.attname for field in fields}
    specs: list[tuple[str, tuple[str, ...], Callable | None]] = []
    for field in fields:
        specs.append((field.attname, (field.attname,), None))
        if _staff(field):
            paths = tuple(
                f"{field.name}__{part}" for part in ("first_name", "last_name", "username")
            )
            specs.append((_extra_header(field, taken, "name"), paths, _staff_name))
        elif _reference_data(field):
            paths = (f"{field.name}__name", f"{field.name}__name_cy")
            specs.append((_extra_header(field, taken, "label"), paths, in_current_language))
        elif field.choices:
            specs.append((_extra_header(field, taken, "label"), (field.attname,), _label_of(field)))
    return specs


def redaction_columns(model) -> list[str]:
    """The model's CSV columns that hold, or may hold, other people's names: the names of
    staff, any column named like a name (except on the young person's own record) and free
    text."""
    by_field = {field.attname: field for field in _columns(model)}
    flagged = []
    for header, _reads, render in column_specs(model):
        if render is _staff_name:
            flagged.append(header)
            continue
        field = by_field.get(header)
        if field is None or _staff(field):
            continue
        own = model._meta.label_lower in OWN_RECORD
        if (field.name.endswith(NAME_SUFFIX) and not own) or _free_text(field):
            flagged.append(header)
    return flagged


def _rows(model, lookup: str, young_person):
    # The base manager: archived rows are part of the record too.
    queryset = model._base_manager.filter(**{lookup: young_person.pk})
    label = model._meta.label_lower
    if label in SESSION_WIDE_NOTES:
        _column, people = SESSION_WIDE_NOTES[label]
        through = model._meta.get_field(people).remote_field.through
        source = model._meta.get_field(people).m2m_field_name()
        discussed = (
            through.objects.filter(**{source: OuterRef("pk")})
            .values(source)
            .annotate(count=Count("*"))
            .values("count")
        )
        queryset = queryset.annotate(people_discussed=Subquery(discussed))
    return queryset.distinct().order_by("pk")


def _csv(model, lookup: str, young_person) -> tuple[bytes, int]:
    specs = column_specs(model)
    paths = list(dict.fromkeys(path for _header, reads, _render in specs for path in reads))
    label = model._meta.label_lower
    session_wide = SESSION_WIDE_NOTES.get(label, (None, None))[0]
    queryset = _rows(model, lookup, young_person)
    if session_wide:
        paths.append("people_discussed")
    position = {path: index for index, path in enumerate(paths)}
    header = [name for name, _reads, _render in specs]
    rows = []
    for values in queryset.values_list(*paths):
        row = []
        for name, reads, render in specs:
            read = [values[position[path]] for path in reads]
            cell = render(*read) if render else read[0]
            if name == session_wide and (values[position["people_discussed"]] or 0) > 1:
                cell = str(WITHHELD_GROUP_NOTES)
            row.append(cell)
        rows.append(row)
    return exports.csv_bytes(header, rows), len(rows)


ACCESS_LOG_COLUMNS = ["at", "username", "action", "object_type", "object_id", "allowed", "detail"]
#: Access-log columns to check for other people's names before release.
ACCESS_LOG_REDACTION = ["username", "user_name", "detail"]


def access_log_about(young_person, labelled: dict[str, str]):
    """Access-log rows about the young person's own row and about every record of theirs in
    `labelled` ({label: lookup to the young person}), newest first, in one query."""
    about = Q(object_type=YoungPerson._meta.label_lower, object_id=str(young_person.pk))
    for label, lookup in labelled.items():
        model = apps.get_model(label)
        if label in OWN_RECORD or label in EXCLUDED or hasattr(model, "instance_type"):
            continue  # history rows (simple_history's `instance_type`) are never viewed
        ids = (
            model._base_manager.filter(**{lookup: young_person.pk})
            .annotate(object_key=Cast("pk", output_field=CharField()))
            .values("object_key")
        )
        about |= Q(object_type=label, object_id__in=ids)
    return AccessLogEntry.objects.filter(about).order_by("-at", "-id")


def _access_log_csv(young_person, labelled: dict[str, str]) -> tuple[bytes, int]:
    paths = [*ACCESS_LOG_COLUMNS, "user__first_name", "user__last_name", "user__username"]
    header = ["at", "username", "user_name", *ACCESS_LOG_COLUMNS[2:]]
    rows = [
        [values[0], values[1], _staff_name(*values[7:10]), *values[2:7]]
        for values in access_log_about(young_person, labelled).values_list(*paths)
    ]
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
        _(
            "Beside a link to a member of staff the CSV files give their name (columns ending "
            "_name), and beside a code its label (columns ending _label)."
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
    lines.append(
        _(
            "In chronology.pdf, the Recorded by column names staff, and the text of each entry "
            "may name other people: check them the same way."
        )
    )
    lines += [
        "",
        _(
            "Shared notes of supervision sessions are notes about the whole session. They are "
            "given only for sessions where this young person was the only case discussed, and "
            "must be checked for redaction; for sessions that also discussed other young "
            "people they are withheld, and what the session said about this young person is "
            "its note in supervision.supervisionnote.csv."
        ),
        _(
            "accounts.accesslogentry.csv holds the access-log rows about the young person's "
            "record and about each of the records in this bundle."
        ),
    ]
    lines += ["", *(str(text) for text in WITHHELD_COLUMNS.values())]
    lines += ["", _("Files and rows:")]
    lines += [f"  {name}: {rows}" for name, rows, _flagged in files]
    return "\n".join(lines) + "\n"


def bundle_bytes(young_person) -> bytes:
    """The ZIP file of the bundle."""
    buffer = io.BytesIO()
    listed = []
    labelled = {label: lookup for label, lookup in linked_models().items() if label not in EXCLUDED}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("chronology.pdf", chronology_pdf(young_person))
        for label, lookup in labelled.items():
            model = apps.get_model(label)
            data, rows = _csv(model, lookup, young_person)
            name = f"{label}.csv"
            archive.writestr(name, data)
            listed.append((name, rows, redaction_columns(model)))
        data, rows = _access_log_csv(young_person, labelled)
        archive.writestr("accounts.accesslogentry.csv", data)
        listed.append(("accounts.accesslogentry.csv", rows, ACCESS_LOG_REDACTION))
        archive.writestr("README.txt", _readme(listed))
    return buffer.getvalue()
