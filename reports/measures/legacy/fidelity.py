"""Fidelity measures: how many cohort cases had each element of the ECM model."""

from datetime import timedelta

from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce

from cases.models import ConsentParty, ConsentPurpose, TRMAssessment
from cases.rules import consent_given_filter, latest_consent
from eligibility.models import EligibilityDecision
from formulation.models import FormulationMeeting, InterventionItem, MeetingKind, MeetingStatus
from supervision.models import SupervisionSession

from .registry import from_team_rows, grouped, legacy

GROUP = "fidelity"


def _consent_on_start(party):
    return latest_consent(party, ConsentPurpose.PARTICIPATION, on=OuterRef("ecm_start_date"))


def with_fidelity(scope, queryset):
    """Annotate each young person with one boolean per fidelity element, plus `fidelity_all`."""
    window_end = ExpressionWrapper(
        OuterRef("ecm_start_date") + timedelta(days=scope.fidelity_window_days),
        output_field=DateField(),
    )
    queryset = queryset.annotate(
        consent_on_start=_consent_on_start(ConsentParty.YOUNG_PERSON),
        parent_consent_on_start=_consent_on_start(ConsentParty.PARENT_CARER),
        eligible_on_start=Subquery(
            EligibilityDecision.objects.filter(
                young_person=OuterRef("pk"), decided_on__lte=OuterRef("ecm_start_date")
            )
            .order_by("-decided_on", "-id")
            .annotate(final=Coalesce("eligibility_override__eligible", "eligible"))
            .values("final")[:1],
            output_field=BooleanField(),
        ),
        fidelity_formulation_in_window=Exists(
            FormulationMeeting.objects.filter(
                young_person=OuterRef("pk"),
                kind=MeetingKind.INITIAL,
                status=MeetingStatus.HELD,
                held_on__gte=OuterRef("ecm_start_date"),
                held_on__lte=window_end,
            )
        ),
        fidelity_trm_assessed=Exists(
            TRMAssessment.objects.filter(young_person=OuterRef("pk"), archived_at__isnull=True)
        ),
        fidelity_plan=Exists(InterventionItem.objects.filter(young_person=OuterRef("pk"))),
        fidelity_supervised=Exists(SupervisionSession.objects.filter(cases=OuterRef("pk"))),
    )
    return queryset


CONSENT = consent_given_filter("consent_on_start", "parent_consent_on_start")
ELIGIBILITY = Q(eligible_on_start=True)
ELEMENTS = {
    "fidelity_consent": CONSENT,
    "fidelity_eligibility": ELIGIBILITY,
    "fidelity_formulation_in_window": Q(fidelity_formulation_in_window=True),
    "fidelity_trm_assessed": Q(fidelity_trm_assessed=True),
    "fidelity_plan": Q(fidelity_plan=True),
    "fidelity_supervised": Q(fidelity_supervised=True),
}
ALL_ELEMENTS = Q()
for _condition in ELEMENTS.values():
    ALL_ELEMENTS &= _condition


def _count(scope, condition):
    rows = grouped(with_fidelity(scope, scope.cohort()), n=Count("id", filter=condition))
    return from_team_rows(scope, rows, lambda row: row["n"] if row else 0)


@legacy("fidelity_consent")
def fidelity_consent(scope):
    return _count(scope, CONSENT)


@legacy("fidelity_eligibility")
def fidelity_eligibility(scope):
    return _count(scope, ELIGIBILITY)


@legacy("fidelity_formulation_in_window")
def fidelity_formulation_in_window(scope):
    return _count(scope, ELEMENTS["fidelity_formulation_in_window"])


@legacy("fidelity_trm_assessed")
def fidelity_trm_assessed(scope):
    return _count(scope, ELEMENTS["fidelity_trm_assessed"])


@legacy("fidelity_plan")
def fidelity_plan(scope):
    return _count(scope, ELEMENTS["fidelity_plan"])


@legacy("fidelity_supervised")
def fidelity_supervised(scope):
    return _count(scope, ELEMENTS["fidelity_supervised"])


@legacy("fidelity_all")
def fidelity_all(scope):
    return _count(scope, ALL_ELEMENTS)
