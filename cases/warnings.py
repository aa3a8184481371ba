"""Case warnings as a registry (STYLE.md): the caseload and team screens show them all.

`cases` registers its own (no recent contact, consent missing, TRM stage never assessed);
higher apps register theirs from `AppConfig.ready()` (for example "formulation review
overdue") without `cases` importing them. A provider adds what it needs to the list's one
query as annotations, then decides from the annotated row, so warnings cost no extra query.
The annotations read the stored summaries (`cases.summary`), which hold the facts; the
decisions that depend on today's date are made here, on every request.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Appointment, Attendance, Consent, ConsentDecision, ConsentParty, ConsentPurpose

#: "No contact in 14 days" (issue: caseload warnings).
NO_CONTACT_DAYS = 14


@dataclass(frozen=True)
class WarningProvider:
    code: str
    label: object  # lazily translated text
    annotate: Callable[[QuerySet], QuerySet]
    applies: Callable[[object], bool]
    #: The young person's own fields `applies` reads (the team overview loads only these).
    fields: tuple[str, ...] = ()


_PROVIDERS: dict[str, WarningProvider] = {}


def register(provider: WarningProvider) -> None:
    _PROVIDERS[provider.code] = provider


def providers() -> list[WarningProvider]:
    return list(_PROVIDERS.values())


def annotate(queryset: QuerySet) -> QuerySet:
    for provider in _PROVIDERS.values():
        queryset = provider.annotate(queryset)
    return queryset


def fields() -> set[str]:
    """Every young person field some warning reads, besides the ones it annotates."""
    return {"ecm_end_date"}.union(*(provider.fields for provider in _PROVIDERS.values()))


def warnings_for(row) -> list[WarningProvider]:
    """The warnings that apply to one annotated young person (ended cases have none)."""
    if getattr(row, "ecm_end_date", None):
        return []
    return [provider for provider in _PROVIDERS.values() if provider.applies(row)]


# --- The case record's own warnings ------------------------------------------------------------


def latest_consent(party: str, purpose: str) -> Subquery:
    return Subquery(
        Consent.objects.filter(
            young_person=OuterRef("pk"), party=party, purpose=purpose, archived_at__isnull=True
        )
        .order_by("-decided_on", "-id")
        .values("decision")[:1]
    )


def last_contact() -> Subquery:
    return Subquery(
        Appointment.objects.filter(
            young_person=OuterRef("pk"),
            attendance=Attendance.ATTENDED,
            archived_at__isnull=True,
        )
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )


def _annotate_contact(queryset):
    if "last_contact_at" in queryset.query.annotations:
        return queryset
    return queryset.annotate(last_contact_at=F("case_summary__last_contact_at"))


def _no_recent_contact(row) -> bool:
    cutoff = timezone.now() - timedelta(days=NO_CONTACT_DAYS)
    if row.last_contact_at is not None:
        return row.last_contact_at < cutoff
    # Never seen: only a warning once the case has been open for the same fortnight.
    opened = row.ecm_start_date or row.referral_date
    return opened <= timezone.localdate() - timedelta(days=NO_CONTACT_DAYS)


def _annotate_consent(queryset):
    if "young_person_consent" in queryset.query.annotations:
        return queryset
    return queryset.annotate(
        young_person_consent=F("case_summary__young_person_consent"),
        parent_consent=F("case_summary__parent_consent"),
    )


def _consent_missing(row) -> bool:
    if row.young_person_consent != ConsentDecision.GIVEN:
        return True
    return row.parent_consent_required and row.parent_consent != ConsentDecision.GIVEN


def _annotate_stage(queryset):
    from .selectors import with_current_stage

    return with_current_stage(queryset)


register(
    WarningProvider(
        code="no_recent_contact",
        label=_("No contact in 14 days"),
        annotate=_annotate_contact,
        applies=_no_recent_contact,
        fields=("ecm_start_date", "referral_date"),
    )
)
register(
    WarningProvider(
        code="consent_missing",
        label=_("Consent missing"),
        annotate=_annotate_consent,
        applies=_consent_missing,
        fields=("parent_consent_required",),
    )
)
register(
    WarningProvider(
        code="trm_not_assessed",
        label=_("TRM stage never assessed"),
        annotate=_annotate_stage,
        applies=lambda row: row.current_stage_id is None,
    )
)


# --- The stored facts these warnings read (cases.summary) ---------------------------------------


def register_summary() -> None:
    from . import summary
    from .models import CaseSummary, TRMAssessment
    from .selectors import current_stage

    def young_person_id(record):
        return record.young_person_id

    summary.register(
        summary.SummaryTable(
            model=CaseSummary,
            columns={
                "last_contact_at": last_contact,
                "current_stage_id": current_stage,
                "young_person_consent": lambda: latest_consent(
                    ConsentParty.YOUNG_PERSON, ConsentPurpose.PARTICIPATION
                ),
                "parent_consent": lambda: latest_consent(
                    ConsentParty.PARENT_CARER, ConsentPurpose.PARTICIPATION
                ),
            },
            sources=(
                summary.Source(Appointment, young_person_id),
                summary.Source(Consent, young_person_id),
                summary.Source(TRMAssessment, young_person_id),
            ),
        )
    )
