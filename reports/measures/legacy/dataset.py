"""The case-level evaluation dataset (DESIGN.md section 7): pseudonymised, one row per person.

Rows are the cohort members whose *evaluation* consent is currently given (never refused or
withdrawn) by the young person and, where parent/carer consent is required for them, by the
parent/carer too (`evaluation_consent_given`). No name, date of birth, reference or free text
leaves here: the columns are codes, counts, flags and a pseudonym — a keyed hash of the
internal id with the study key, which evaluators never hold and which is never logged.
"""

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate

from cases.models import (
    Appointment,
    Attendance,
    Breach,
    ConsentParty,
    ConsentPurpose,
    CustodyEpisode,
    Need,
    NeedCategory,
    Offence,
)
from cases.rules import consent_given_filter, latest_consent
from formulation.models import FormulationMeeting, MeetingStatus
from supervision.models import SupervisionSession

from ...dataset import age_band, columns, pseudonym
from ..base import AddMonths, AgeInYears, Scope
from .fidelity import ALL_ELEMENTS, ELEMENTS, with_fidelity
from .trm import with_stages


def evaluation_consent_given() -> Q:
    """DESIGN.md section 7, the case-level dataset: the young person's current evaluation
    consent is given and, where parent/carer consent is required for them, the parent/carer's
    is given as well; a refusal or withdrawal by either (or no decision) leaves them out.

    Needs the `evaluation_consent` and `parent_evaluation_consent` annotations
    (`latest_consent`), as `dataset_rows` adds them."""
    return consent_given_filter("evaluation_consent", "parent_evaluation_consent")


def _count(model, date_field, *, window=None, extra=None, months=12):
    """A per-person count subquery, optionally within the before/after window of N months."""
    queryset = model.objects.filter(young_person=OuterRef("pk"))
    if hasattr(model, "archived_at"):
        queryset = queryset.filter(archived_at__isnull=True)
    start = OuterRef("ecm_start_date")
    if window == "before":
        queryset = queryset.filter(
            **{f"{date_field}__gte": AddMonths(start, -months), f"{date_field}__lt": start}
        )
    elif window == "after":
        queryset = queryset.filter(
            **{f"{date_field}__gte": start, f"{date_field}__lte": AddMonths(start, months)}
        )
    if extra is not None:
        queryset = queryset.filter(extra)
    counted = queryset.order_by().values("young_person").annotate(n=Count("id")).values("n")[:1]
    return Coalesce(Subquery(counted), Value(0))


def _appointments(scope, condition=None):
    queryset = (
        Appointment.objects.filter(young_person=OuterRef("pk"), archived_at__isnull=True)
        .annotate(day=TruncDate("starts_at"))
        .filter(day__gte=OuterRef("ecm_start_date"), day__lte=scope.as_of)
    )
    if condition is not None:
        queryset = queryset.filter(condition)
    counted = queryset.order_by().values("young_person").annotate(n=Count("id")).values("n")[:1]
    return Coalesce(Subquery(counted), Value(0))


def dataset_rows(scope: Scope) -> tuple[list[tuple[str, str]], list[dict]]:
    """(data dictionary, rows) for the cohort members with evaluation consent given (by the
    parent/carer too where theirs is required)."""
    need_codes = list(NeedCategory.objects.order_by("code").values_list("code", flat=True))
    months = scope.follow_up_months
    followup_cutoff = scope.followup_cohort().filter(pk=OuterRef("pk"))
    people = (
        with_stages(with_fidelity(scope, scope.cohort()))
        .annotate(
            evaluation_consent=latest_consent(ConsentParty.YOUNG_PERSON, ConsentPurpose.EVALUATION),
            parent_evaluation_consent=latest_consent(
                ConsentParty.PARENT_CARER, ConsentPurpose.EVALUATION
            ),
        )
        .filter(evaluation_consent_given())
        .annotate(
            age_at_start=AgeInYears(F("date_of_birth"), F("ecm_start_date")),
            offences_12m_before_start=_count(Offence, "committed_on", window="before", months=12),
            in_followup_cohort=Exists(followup_cutoff),
            offences_before=_count(Offence, "committed_on", window="before", months=months),
            offences_after=_count(Offence, "committed_on", window="after", months=months),
            breaches_before=_count(Breach, "breach_date", window="before", months=months),
            breaches_after=_count(Breach, "breach_date", window="after", months=months),
            custody_after_n=_count(CustodyEpisode, "start_date", window="after", months=months),
            appointments=_appointments(scope),
            attended=_appointments(scope, Q(attendance=Attendance.ATTENDED)),
            did_not_attend=_appointments(scope, Q(attendance=Attendance.DID_NOT_ATTEND)),
            meetings_n=_count(FormulationMeeting, "held_on", extra=Q(status=MeetingStatus.HELD)),
            supervision_n=Coalesce(
                Subquery(
                    SupervisionSession.objects.filter(cases=OuterRef("pk"))
                    .order_by()
                    .values("cases")
                    .annotate(n=Count("id"))
                    .values("n")[:1]
                ),
                Value(0),
            ),
            **{
                f"{name}_flag": ExpressionWrapper(Q(condition), output_field=BooleanField())
                for name, condition in {**ELEMENTS, "fidelity_all": ALL_ELEMENTS}.items()
            },
        )
        .order_by("pk")
        .values(
            "pk",
            "team__code",
            "gender",
            "age_at_start",
            "offences_12m_before_start",
            "in_followup_cohort",
            "offences_before",
            "offences_after",
            "breaches_before",
            "breaches_after",
            "custody_after_n",
            "appointments",
            "attended",
            "did_not_attend",
            "meetings_n",
            "supervision_n",
            "first_stage",
            "latest_stage",
            "end_reason",
            *[f"{name}_flag" for name in (*ELEMENTS, "fidelity_all")],
        )
    )
    people = list(people)
    needs: dict[int, set[str]] = {}
    for person_id, code in (
        Need.objects.filter(
            young_person_id__in=[row["pk"] for row in people], archived_at__isnull=True
        )
        .values_list("young_person_id", "category__code")
        .distinct()
    ):
        needs.setdefault(person_id, set()).add(code)
    rows = []
    for row in people:
        followup = bool(row["in_followup_cohort"])
        record = {
            "pseudonym": pseudonym(row["pk"]),
            "team_code": row["team__code"],
            "gender": row["gender"],
            "age_band": age_band(row["age_at_start"]),
            **{f"need_{code}": int(code in needs.get(row["pk"], ())) for code in need_codes},
            "offences_12m_before_start": row["offences_12m_before_start"],
            "in_followup_cohort": int(followup),
            # Outcome windows are only complete for the follow-up cohort.
            "offences_before": row["offences_before"],
            "offences_after": row["offences_after"] if followup else "",
            "breaches_before": row["breaches_before"],
            "breaches_after": row["breaches_after"] if followup else "",
            "custody_after": int(row["custody_after_n"] > 0) if followup else "",
            "appointments": row["appointments"],
            "attended": row["attended"],
            "did_not_attend": row["did_not_attend"],
            "formulation_meetings": row["meetings_n"],
            "supervision_sessions": row["supervision_n"],
            "trm_first_stage": row["first_stage"] or "",
            "trm_latest_stage": row["latest_stage"] or "",
            **{name: int(bool(row[f"{name}_flag"])) for name in ELEMENTS},
            "fidelity_all": int(bool(row["fidelity_all_flag"])),
            "end_reason": row["end_reason"] or "",
        }
        rows.append(record)
    return columns(need_codes), rows
