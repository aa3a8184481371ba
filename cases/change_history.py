"""The change history of a case, for its manager: who changed what and when, before and
after, across the young person's details and every kind of record about them.

A read like the selectors: the page calls `change_history` and renders what it returns.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.apps import apps
from django.db.models import ForeignKey
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import dates
from accounts.models import Team, labels_by_code

from . import selectors, services
from .models import (
    Appointment,
    Attendance,
    Breach,
    ComplianceDecision,
    Consent,
    ConsentParty,
    ConsentPurpose,
    CustodyEpisode,
    DisengagementReason,
    Need,
    NeedCategory,
    Offence,
    Order,
    OrderType,
    TRMAssessment,
    TRMStage,
    YoungPerson,
)

#: The young person and every kind of record about them whose history the page shows.
HISTORY_MODELS = (
    YoungPerson,
    Need,
    Offence,
    Order,
    Breach,
    CustodyEpisode,
    Consent,
    TRMAssessment,
    Appointment,
    ComplianceDecision,
)
#: Never shown as a change: the link to the young person itself.
HISTORY_EXCLUDED_FIELDS = ("young_person",)


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    when: datetime
    who: object
    what: str
    kind: str  # "created", "changed" or "deleted"
    changes: list[FieldChange] = field(default_factory=list)


def _historical_rows(young_person):
    """Each model's historical rows for this young person: one query per model."""
    for model in HISTORY_MODELS:
        rows = model.history.select_related("history_user")
        if model is YoungPerson:
            rows = rows.filter(id=young_person.pk)
        else:
            rows = rows.filter(young_person_id=young_person.pk)
        yield model, list(rows.order_by("id", "history_date", "history_id"))


class _Lookups:
    """Related objects named in the history, fetched in one query per related model."""

    def __init__(self, wanted: dict):
        self.objects = {}
        preloaded = {
            NeedCategory: lambda: {c.pk: c for c in NeedCategory.objects.all()},
            TRMStage: selectors.stages_by_id,
        }
        for model, ids in wanted.items():
            loader = preloaded.get(model)
            found = loader() if loader else model._default_manager.in_bulk(ids)
            for pk, obj in found.items():
                self.objects[(model, pk)] = obj

    def get(self, model, pk):
        return self.objects.get((model, pk))


def _value_shown(model_field, value, lookups: _Lookups) -> str:
    if value is None or value == "":
        return ""
    if isinstance(model_field, ForeignKey):
        obj = lookups.get(model_field.related_model, value)
        return str(obj) if obj is not None else f"#{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return dates.in_words_with_time(value)
    if isinstance(value, date):
        return dates.in_words(value)
    return str(value)


def capitalised(text) -> str:
    """The text with its first letter in capitals (verbose names are lower case)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def _describe(model, row, lookups: _Lookups) -> str:
    """A short name for the record a historical row is about ("Need: Self-harm")."""
    name = capitalised(model._meta.verbose_name)
    summaries = {
        YoungPerson: lambda: _("Young person's details"),
        Need: lambda: str(lookups.get(NeedCategory, row.category_id) or ""),
        Offence: lambda: row.description,
        Order: lambda: row.get_order_type_display(),
        Breach: lambda: dates.in_words(row.breach_date),
        CustodyEpisode: lambda: dates.in_words(row.start_date),
        Consent: lambda: f"{row.get_party_display()}, {row.get_purpose_display()}",
        TRMAssessment: lambda: str(lookups.get(TRMStage, row.stage_id) or ""),
        Appointment: lambda: dates.in_words_with_time(row.starts_at),
        ComplianceDecision: lambda: row.get_decision_display(),
    }
    summary = summaries[model]()
    if model is YoungPerson:
        return summary
    return f"{name}: {summary}" if summary else name


def change_history(young_person) -> list[HistoryEntry]:
    """Who changed what and when, before → after, newest first, in a fixed number of queries.

    Diffs come from consecutive historical rows of each record (`diff_against`, which
    compares in Python); related objects are then named from one query per related model.
    """
    diffs = []  # (model, row, delta or None)
    for model, rows in _historical_rows(young_person):
        previous = None
        for row in rows:
            if previous is not None and previous.id == row.id:
                delta = row.diff_against(previous, excluded_fields=HISTORY_EXCLUDED_FIELDS)
            else:
                delta = None
            diffs.append((model, row, delta))
            previous = row

    wanted = defaultdict(set)
    for model, row, delta in diffs:
        if model is Need:
            wanted[NeedCategory].add(row.category_id)
        if model is TRMAssessment:
            wanted[TRMStage].add(row.stage_id)
        for change in delta.changes if delta else ():
            model_field = model._meta.get_field(change.field)
            if isinstance(model_field, ForeignKey):
                wanted[model_field.related_model].update(
                    value for value in (change.old, change.new) if value is not None
                )
    lookups = _Lookups(wanted)

    entries = []
    for model, row, delta in diffs:
        kind = {"+": "created", "-": "deleted"}.get(row.history_type, "changed")
        changes = []
        for change in delta.changes if delta else ():
            model_field = model._meta.get_field(change.field)
            changes.append(
                FieldChange(
                    label=capitalised(model_field.verbose_name),
                    before=_value_shown(model_field, change.old, lookups),
                    after=_value_shown(model_field, change.new, lookups),
                )
            )
        if kind == "changed" and not changes:
            continue  # saved without a visible change (for example only the version moved)
        entries.append(
            HistoryEntry(
                when=row.history_date,
                who=row.history_user,
                what=_describe(model, row, lookups),
                kind=kind,
                changes=changes,
            )
        )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


# --- Domain events ------------------------------------------------------------------------------

Detail = services.EventDetail

#: What the case's own events record, as the history page names it (other apps register theirs).
EVENT_DETAILS = {
    "team": Detail(gettext_lazy("Team"), "team"),
    "referral_date": Detail(gettext_lazy("Referral date"), "date"),
    "required": Detail(gettext_lazy("Parent or carer consent needed"), "yes_no"),
    "reason": Detail(gettext_lazy("Reason")),
    "previous": Detail(gettext_lazy("Practitioner before")),
    "to": Detail(gettext_lazy("Practitioner now")),
    "need": Detail(gettext_lazy("Need"), "need"),
    "disengagement_reason": Detail(
        gettext_lazy("Reason for refusing or withdrawing"), "disengagement_reason"
    ),
    "gravity": Detail(gettext_lazy("Gravity score")),
    "order_type": Detail(gettext_lazy("Type of order"), OrderType),
    "party": Detail(gettext_lazy("Whose decision"), ConsentParty),
    "purpose": Detail(gettext_lazy("Consent for"), ConsentPurpose),
    "decided_on": Detail(gettext_lazy("Date of decision"), "date"),
    "stage": Detail(gettext_lazy("TRM stage")),
    "assessed_on": Detail(gettext_lazy("Date of assessment"), "date"),
    "attendance": Detail(gettext_lazy("Attendance"), Attendance),
    "record": Detail(gettext_lazy("Kind of record"), "record"),
    "appointment": Detail("", "hidden"),
    "record_id": Detail("", "hidden"),
}


def _model_name(name: str) -> str:
    for model in apps.get_models():
        if model._meta.model_name == name:
            return capitalised(model._meta.verbose_name)
    return name


class _EventLookups:
    """Team, need and reason names for the events shown, each in one query and only if
    needed."""

    vocabularies = {
        "team": Team,
        "need": NeedCategory,
        "disengagement_reason": DisengagementReason,
    }

    def __init__(self, events):
        kinds = defaultdict(set)
        for event in events:
            for key, value in event.data.items():
                detail = services.event_detail(key)
                if detail is not None and detail.shown in self.vocabularies:
                    kinds[detail.shown].add(value)
        self.names = {
            shown: labels_by_code(model, kinds[shown]) if kinds[shown] else {}
            for shown, model in self.vocabularies.items()
        }

    def shown(self, detail, value) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, bool) or detail.shown == "yes_no":
            return _("Yes") if value else _("No")
        if detail.shown in self.names:
            return self.names[detail.shown].get(value, str(value))
        if detail.shown == "date":
            try:
                return dates.in_words(date.fromisoformat(str(value)))
            except ValueError:
                return str(value)
        if detail.shown == "record":
            return _model_name(str(value))
        if isinstance(detail.shown, type):  # a TextChoices class
            try:
                return str(detail.shown(value).label)
            except ValueError:
                return str(value)
        return str(value)


def event_rows(events) -> list[dict]:
    """The case's domain events with their labels and recorded values in the reader's language.

    A key no app has described is shown as it was stored (for example an exchange file name).
    """
    events = list(events)
    lookups = _EventLookups(events)
    rows = []
    for event in events:
        details = []
        for key, value in event.data.items():
            detail = services.event_detail(key) or Detail(capitalised(str(key).replace("_", " ")))
            if detail.shown == "hidden":
                continue
            details.append((str(detail.label), lookups.shown(detail, value)))
        rows.append(
            {
                "event": event,
                "label": services.event_label(event.action),
                "details": sorted(details),
            }
        )
    return rows
