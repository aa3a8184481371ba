"""Case warnings as a registry (STYLE.md): the caseload and team screens show them all.

`cases` registers its own (no recent contact, consent missing, TRM stage never assessed);
higher apps register theirs from `AppConfig.ready()` (for example "formulation review
overdue") without `cases` importing them. A warning is a condition the database evaluates
on the young person's row and their stored summaries (`cases.summary`), as of now: the lists
get one true/false column per warning in their one query (`annotate`), and the team overview
counts them per practitioner in one grouped query (`counts`). Each rule is written once, and
no list reads its cases into Python to judge them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import BooleanField, Case, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import Appointment, Attendance, Consent, ConsentParty, ConsentPurpose, TRMAssessment

#: "No contact in 14 days" (issue: caseload warnings).
NO_CONTACT_DAYS = 14


@dataclass(frozen=True)
class WarningProvider:
    code: str
    label: object  # lazily translated text
    #: When the warning applies, as a filter on young people (their own fields and stored
    #: summaries), built afresh for each query because it compares with today.
    condition: Callable[[], Q]
    #: What exactly needs doing, for the rows it applies to: young person id → a short text
    #: naming it (one query for a whole page of rows), shown beside the tag.
    details: Callable[[list[int]], dict[int, str]] | None = None


@dataclass(frozen=True)
class ShownWarning:
    """A warning as one row shows it: the provider's code and label, and what it is about."""

    provider: WarningProvider
    detail: str = ""

    @property
    def code(self) -> str:
        return self.provider.code

    @property
    def label(self):
        return self.provider.label


_PROVIDERS: dict[str, WarningProvider] = {}


def register(provider: WarningProvider) -> None:
    _PROVIDERS[provider.code] = provider


def providers() -> list[WarningProvider]:
    return list(_PROVIDERS.values())


def provider(code: str) -> WarningProvider | None:
    """The warning with this code, if there is one."""
    return _PROVIDERS.get(code)


def column(provider: WarningProvider) -> str:
    """The name of the true/false column `annotate` adds for a warning."""
    return f"warning_{provider.code}"


def applies(provider: WarningProvider) -> Q:
    """The warning's condition, for open cases only: an ended case shows no warnings."""
    return Q(ecm_end_date__isnull=True) & provider.condition()


def annotate(queryset: QuerySet) -> QuerySet:
    """Each warning as a true/false column of the list's own query."""
    return queryset.annotate(
        **{
            column(provider): Case(
                When(applies(provider), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
            for provider in _PROVIDERS.values()
        }
    )


def counts(codes=None) -> dict[str, Count]:
    """Aggregates counting the rows each warning applies to (named by warning code); only
    the warnings of `codes`, if given."""
    return {
        provider.code: Count("pk", filter=applies(provider))
        for provider in _PROVIDERS.values()
        if codes is None or provider.code in codes
    }


def warnings_for(row) -> list[WarningProvider]:
    """The warnings that apply to one row of an annotated list."""
    return [provider for provider in _PROVIDERS.values() if getattr(row, column(provider))]


def shown_for(rows) -> list[list[ShownWarning]]:
    """The warnings of each row of an annotated list, each with what it is about: one query
    per warning that has details and applies to at least one of the rows."""
    applying = [warnings_for(row) for row in rows]
    details = {}
    for provider in _PROVIDERS.values():
        ids = [row.pk for row, found in zip(rows, applying, strict=True) if provider in found]
        if provider.details is not None and ids:
            details[provider.code] = provider.details(ids)
    return [
        [
            ShownWarning(provider, details.get(provider.code, {}).get(row.pk, ""))
            for provider in found
        ]
        for row, found in zip(rows, applying, strict=True)
    ]


# --- The case record's own warnings ------------------------------------------------------------


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


def _no_recent_contact() -> Q:
    cutoff = timezone.now() - timedelta(days=NO_CONTACT_DAYS)
    # Never seen: only a warning once the case has been open (ECM start, else referral) for
    # the same fortnight.
    opened_by = timezone.localdate() - timedelta(days=NO_CONTACT_DAYS)
    never_seen = Q(case_summary__last_contact_at__isnull=True) & (
        Q(ecm_start_date__lte=opened_by)
        | Q(ecm_start_date__isnull=True, referral_date__lte=opened_by)
    )
    return Q(case_summary__last_contact_at__lt=cutoff) | never_seen


def current_stage() -> Subquery:
    """The stage of the latest assessment (computed: lists read `CaseSummary` instead)."""
    latest = TRMAssessment.objects.filter(
        young_person=OuterRef("pk"), archived_at__isnull=True
    ).order_by("-assessed_on", "-id")
    return Subquery(latest.values("stage_id")[:1])


def _consent_missing() -> Q:
    """Participation consent not given by a party that must give it (`cases.rules`)."""
    return rules.consent_missing_filter(
        "case_summary__young_person_consent", "case_summary__parent_consent"
    )


register(
    WarningProvider(
        code="no_recent_contact",
        label=_("No contact in 14 days"),
        condition=_no_recent_contact,
    )
)
register(
    WarningProvider(
        code="consent_missing",
        label=_("Consent missing"),
        condition=_consent_missing,
    )
)
register(
    WarningProvider(
        code="trm_not_assessed",
        label=_("TRM stage never assessed"),
        condition=lambda: Q(case_summary__current_stage__isnull=True),
    )
)


# --- The stored facts these warnings read (cases.summary) ---------------------------------------


def register_summary() -> None:
    from . import summary
    from .models import CaseSummary

    def young_person_id(record):
        return record.young_person_id

    summary.register(
        summary.SummaryTable(
            model=CaseSummary,
            columns={
                "last_contact_at": last_contact,
                "current_stage_id": current_stage,
                "young_person_consent": lambda: rules.latest_consent(
                    ConsentParty.YOUNG_PERSON, ConsentPurpose.PARTICIPATION
                ),
                "parent_consent": lambda: rules.latest_consent(
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
