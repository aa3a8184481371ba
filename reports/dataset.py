"""The case-level evaluation dataset (DESIGN.md section 7): pseudonymised, one row per person.

Rows are the cohort members whose *evaluation* consent is currently given (never refused or
withdrawn) by the young person and, where parent/carer consent is required for them, by the
parent/carer too (reports.facts.EVALUATION_CONSENT). No name, date of birth, reference or
free text leaves here: the columns are codes, counts, flags and a pseudonym — a keyed hash of
the internal id with the study key, which evaluators never hold and which is never logged.

Every column is a projection of the per-young-person facts the measures are worked out from
(reports.facts), so a count here and the measure built on it share one definition.
"""

import hashlib
import hmac
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts import dates
from accounts.models import CostRole, Team
from accounts.selectors import unit_costs_in_force
from cases.models import (
    AppointmentPurpose,
    Consent,
    ConsentPurpose,
    DisengagementReason,
    EndReason,
    Gender,
    Need,
    NeedCategory,
    TRMStage,
    YoungPerson,
)
from cases.rules import DECISIONS_WITH_A_REASON
from formulation.models import DistanceDomain, DistanceRating

from .facts import (
    COHORT,
    EVALUATION_CONSENT,
    FIDELITY_ALL,
    FIDELITY_ELEMENTS,
    PSYCHOLOGY_MINUTES,
    cost_of_time,
    hours_of,
    person_facts,
    purpose_counts,
)
from .scope import Scope


def pseudonym(young_person_id: int) -> str:
    """Stable for the same study key; unlinkable to the id without it."""
    key = settings.ECM_STUDY_KEY
    if not key:
        raise ImproperlyConfigured("ECM_STUDY_KEY: must be set to produce pseudonymised exports")
    digest = hmac.new(key.encode(), str(young_person_id).encode(), hashlib.sha256).hexdigest()
    return digest[:20]


def age_band(age: int | None) -> str:
    if age is None:
        return ""
    if age <= 13:
        return "10-13"
    if age <= 15:
        return "14-15"
    if age <= 17:
        return "16-17"
    return "18+"


def costs_described(costs: list[dict]) -> str:
    """ "Practitioner £50.00 an hour, in force from 1 January 2026; …" for the unit costs
    `costs` (accounts.selectors.unit_costs_in_force), or that there were none."""
    if not costs:
        return str(_("no unit cost was in force"))
    labels = dict(CostRole.choices)
    return "; ".join(
        str(
            _("%(role)s £%(cost)s an hour, in force from %(date)s")
            % {
                "role": labels.get(cost["role"], cost["role"]),
                "cost": f"{cost['hourly_cost']:.2f}",
                "date": dates.in_words(date.fromisoformat(cost["valid_from"])),
            }
        )
        for cost in costs
    )


#: Column → plain-language description (the data dictionary), in dataset order.
def columns(
    need_codes: list[str],
    purposes: list[tuple[str, str]] = (),
    domain_codes: list[str] = (),
    costs: list[dict] = (),
) -> list[tuple[str, str]]:
    """`purposes`: (code, English name) of each appointment purpose; `domain_codes`: the
    distance-travelled domains; `costs`: the unit costs the cost column is worked out with
    (accounts.selectors.unit_costs_in_force)."""
    months = _("the follow-up months")
    described = [
        (
            "pseudonym",
            _(
                "Stable pseudonym of the young person (keyed hash; not reversible "
                "without the study key)"
            ),
        ),
        ("team_code", _("Code of the Youth Offending Team")),
        ("gender", _("Gender code: female, male, other, not_stated")),
        ("age_band", _("Age at ECM start: 10-13, 14-15, 16-17 or 18+")),
        (
            "ecm_start_period",
            _("Calendar quarter of the ECM start, as year and quarter (for example 2025-Q3)"),
        ),
        (
            "days_in_ecm",
            _(
                "Days from the ECM start to its end, or to the as-of date for a case still "
                "open then"
            ),
        ),
        (
            "practitioner_contact_hours",
            _(
                "Hours of the appointments attended from the ECM start to the as-of date "
                "(their recorded durations), to 2 decimal places"
            ),
        ),
        (
            "psychology_hours",
            _(
                "Hours of clinical psychology on the case from the ECM start to the as-of "
                "date: the formulation meetings held and the case's share of the clinical "
                "supervision sessions that discussed it (each session's duration shared "
                "equally between the cases it discussed), to 2 decimal places"
            ),
        ),
        (
            "cost_gbp",
            _(
                "Cost in pounds of the time recorded on the case from the ECM start to the "
                "as-of date, to 2 decimal places: the practitioner's hours (appointments "
                "attended, formulation meetings, the case's share of supervision), the "
                "psychologist's (formulation meetings and supervision) and a partner agency "
                "representative's for each agency that attended a formulation meeting, at "
                "the hourly unit costs in force on the as-of date (%(costs)s). Managers' time "
                "is not recorded, so not costed. Empty where no unit cost is in force, or "
                "where time was recorded for a role with none"
            )
            % {"costs": costs_described(costs)},
        ),
    ]
    described += [
        (f"need_{code}", _("1 if the need '%(code)s' is recorded, else 0") % {"code": code})
        for code in need_codes
    ]
    described += [
        (
            "offences_12m_before_start",
            _("Offences from 12 months before the start to the day before it"),
        ),
        (
            "in_followup_cohort",
            _("1 if start plus %(months)s is on or before the as-of date") % {"months": months},
        ),
        ("offences_before", _("Offences in the before window (%(months)s)") % {"months": months}),
        ("offences_after", _("Offences in the after window (%(months)s)") % {"months": months}),
        ("breaches_before", _("Breaches in the before window")),
        ("breaches_after", _("Breaches in the after window")),
        ("custody_after", _("1 if a custody episode started in the after window")),
        ("appointments", _("Appointments from the start to the as-of date")),
        ("attended", _("Of those, attended")),
        ("did_not_attend", _("Of those, did not attend")),
    ]
    described += [
        (
            f"purpose_{code}",
            _("Of the appointments, those whose purpose was '%(code)s' (%(name)s)")
            % {"code": code, "name": name},
        )
        for code, name in purposes
    ]
    described += [
        (
            "attended_outcome_coded",
            _(
                "Of the attended, those whose outcome was coded achieved, partly_achieved or "
                "not_achieved (not_applicable, and outcomes recorded before they were coded, "
                "are left out)"
            ),
        ),
        (
            "attended_achieved",
            _("Of those, the ones whose outcome was achieved or partly_achieved"),
        ),
        ("attended_minutes", _("Minutes of attended appointments (where a duration is recorded)")),
        (
            "compliance_decisions",
            _(
                "Compliance decisions on those missed appointments, decided by the as-of "
                "date: acceptable absence, extenuating circumstances, warning or breach "
                "proceedings"
            ),
        ),
        (
            "compliance_without_breach",
            _("Of those decisions, resolved without breach proceedings"),
        ),
        (
            "compliance_mean_days_to_decision",
            _(
                "Mean days from a missed appointment to its decision, to 1 decimal place "
                "(empty if no decision)"
            ),
        ),
        ("formulation_meetings", _("Formulation meetings held")),
        ("supervision_sessions", _("Supervision sessions in which the case was discussed")),
        (
            "supervision_notes",
            _("Notes from clinical supervision on the case record, up to the as-of date"),
        ),
        ("oversight_entries", _("Management oversight entries, up to the as-of date")),
        (
            "oversight_in_last_3_months",
            _("1 if management oversight was recorded in the 3 months up to the as-of date"),
        ),
        (
            "partner_contacts",
            _(
                "Contacts partner agencies recorded with the young person from the ECM start "
                "to its end (or to the as-of date, for a case still open then)"
            ),
        ),
        (
            "partner_agencies_after_end",
            _(
                "Partner agencies that recorded a contact after ECM ended, up to %(months)s "
                "after the end date (and not after the as-of date); empty if ECM had not "
                "ended by the as-of date"
            )
            % {"months": months},
        ),
        ("partner_plan_items", _("Plan items with a responsible partner agency")),
        ("partner_plan_items_done", _("Of those, the ones whose status is Done")),
        ("trm_first_stage", _("First TRM stage assessed (empty if never)")),
        ("trm_latest_stage", _("Latest TRM stage assessed (empty if never)")),
    ]
    described += [(name, _("Fidelity element: 1 if present, else 0")) for name in FIDELITY_ELEMENTS]
    described += [
        ("fidelity_all", _("1 if every fidelity element is present")),
        (
            "end_reason",
            _(
                "Why ECM ended: completed, withdrawn, moved_away, custody, other; "
                "empty if still open"
            ),
        ),
        (
            "withdrawal_reason",
            _(
                "When ECM ended as withdrawn, the code of the reason the young person gave "
                "(the editable list of reasons for refusing or withdrawing, for example "
                "no_point, family_opposed, moved_away, too_many_appointments, "
                "relationship_with_worker, other); empty otherwise or if not recorded"
            ),
        ),
        (
            "consent_refusal_reason",
            _(
                "The code of the reason given at the latest refusal or withdrawal of consent "
                "to take part (by the young person or the parent or carer), from the same "
                "list; empty if consent to take part was never refused or withdrawn"
            ),
        ),
    ]
    for code in domain_codes:
        described += [
            (
                f"distance_{code}_self_first",
                _(
                    "Distance travelled, '%(code)s': the young person's own rating (1 a real "
                    "difficulty to 5 a real strength) at the first formulation meeting rating "
                    "it; empty if never rated"
                )
                % {"code": code},
            ),
            (
                f"distance_{code}_self_change",
                _(
                    "Distance travelled, '%(code)s': the young person's latest own rating "
                    "minus their first (-4 to 4); empty unless rated at two or more meetings"
                )
                % {"code": code},
            ),
            (
                f"distance_{code}_practitioner_first",
                _(
                    "Distance travelled, '%(code)s': the practitioner's rating (1 to 5) at the "
                    "first formulation meeting rating it; empty if never rated"
                )
                % {"code": code},
            ),
            (
                f"distance_{code}_practitioner_change",
                _(
                    "Distance travelled, '%(code)s': the practitioner's latest rating minus "
                    "their first (-4 to 4); empty unless rated at two or more meetings"
                )
                % {"code": code},
            ),
        ]
    return [(name, str(text)) for name, text in described]


def start_period(start) -> str:
    """The calendar quarter of a date: "2025-Q3"."""
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}" if start else ""


def days_in_ecm(start, end, as_of) -> int | str:
    """Days from the start to the end, or to `as_of` if the case was still open then."""
    if not start:
        return ""
    last = min(end, as_of) if end else as_of
    return max((last - start).days, 0)


#: Rows read from the database at a time where the dataset streams a query.
CHUNK = 2000


def _reasons_and_ratings(included, as_of) -> tuple[dict, dict, dict]:
    """For the young people `included`: the reason for withdrawing and the ECM end date
    (`(code, end)`, for those with either), the latest reason for refusing or withdrawing
    consent to take part, and each domain's (first, latest) ratings as ((own,
    practitioner's), (own, practitioner's)). Three queries."""
    people = included.values("pk")
    withdrawal = {
        person_id: (code, ended)
        for person_id, code, ended in YoungPerson.objects.filter(
            Q(withdrawal_reason__isnull=False) | Q(ecm_end_date__isnull=False), pk__in=people
        ).values_list("pk", "withdrawal_reason__code", "ecm_end_date")
    }
    refusal = {}
    for person_id, code in (
        Consent.objects.filter(
            young_person_id__in=people,
            archived_at__isnull=True,
            purpose=ConsentPurpose.PARTICIPATION,
            decision__in=DECISIONS_WITH_A_REASON,
            reason__isnull=False,
            decided_on__lte=as_of,
        )
        .order_by("decided_on", "id")
        .values_list("young_person_id", "reason__code")
        .iterator(chunk_size=CHUNK)
    ):
        refusal[person_id] = code  # the latest wins
    ratings: dict[int, dict[str, list]] = {}
    for person_id, code, own, theirs in (
        DistanceRating.objects.filter(
            formulation__meeting__young_person_id__in=people,
            formulation__meeting__held_on__lte=as_of,
        )
        .order_by("formulation__meeting__held_on", "formulation__meeting_id")
        .values_list(
            "formulation__meeting__young_person_id",
            "domain__code",
            "self_rating",
            "practitioner_rating",
        )
        .iterator(chunk_size=CHUNK)
    ):
        seen = ratings.setdefault(person_id, {}).setdefault(code, [])
        seen.append((own, theirs))
    return withdrawal, refusal, ratings


def _distance_columns(domain_codes, rated: dict) -> dict:
    values = {}
    for code in domain_codes:
        seen = rated.get(code, [])
        first, latest = (seen[0], seen[-1]) if seen else (None, None)
        twice = len(seen) > 1
        for index, rater in enumerate(("self", "practitioner")):
            values[f"distance_{code}_{rater}_first"] = first[index] if first else ""
            values[f"distance_{code}_{rater}_change"] = (
                latest[index] - first[index] if twice else ""
            )
    return values


def _two_places(value) -> float | str:
    """A number of hours or pounds to 2 decimal places (half up); empty if there is none."""
    if value is None:
        return ""
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


#: Columns copied from the facts as they are.
COUNTS = (
    "offences_12m_before_start",
    "offences_before",
    "breaches_before",
    "appointments",
    "attended",
    "did_not_attend",
    "attended_outcome_coded",
    "attended_achieved",
    "attended_minutes",
    "compliance_decisions",
    "compliance_without_breach",
    "formulation_meetings",
    "supervision_sessions",
    "supervision_notes",
    "oversight_entries",
    "oversight_in_last_3_months",
    "partner_contacts",
    "partner_plan_items",
    "partner_plan_items_done",
)


#: The facts the dataset reads (beyond who each young person is): its columns, whether
#: evaluation consent is given, and the fidelity elements.
FACTS = frozenset(
    {
        *COUNTS,
        "offences_after",
        "breaches_after",
        "custody_after",
        "trm_first_stage",
        "trm_latest_stage",
        "evaluation",
        "parent_evaluation",
        "participation_on_start",
        "parent_participation_on_start",
        "eligible_on_start",
        "initial_formulation_in_window",
        "trm_assessments",
        "planned_interventions",
        "compliance_days_total",
        "meeting_minutes",
        "meeting_agency_minutes",
        "supervision_minutes",
        "partner_agencies_after_end",
    }
)


class DatasetRow(Mapping):
    """One young person's row of the dataset, read as a dict (`row["pseudonym"]`,
    `row.get(name)`): its values in the order of its columns, which every row shares.

    At national scale the dataset holds some 50,000 rows of about 90 columns; as a dict each,
    every row held every column's name again (about 4.7 kB a row, half the dataset worker's
    memory; docs/benchmarks.md)."""

    __slots__ = ("_positions", "_values")

    def __init__(self, positions: dict[str, int], values: tuple):
        self._positions = positions
        self._values = values

    def __getitem__(self, name: str):
        return self._values[self._positions[name]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)


def dataset_rows(scope: Scope) -> tuple[list[tuple[str, str]], list[DatasetRow]]:
    """(data dictionary, rows) for the cohort members with evaluation consent given (by the
    parent/carer too where theirs is required)."""
    dictionary, rows = dataset_stream(scope)
    return dictionary, list(rows)


def dataset_stream(scope: Scope) -> tuple[list[tuple[str, str]], Iterator[DatasetRow]]:
    """`dataset_rows`, with the rows made one at a time as they are read, so that a writer
    can take each as it comes rather than all of them being held at once (about 50,000 at
    national scale). The rows are read in one transaction, opened when the first is asked
    for and closed after the last."""
    categories = dict(NeedCategory.objects.order_by("code").values_list("id", "code"))
    need_codes = list(categories.values())
    fidelity = {**FIDELITY_ELEMENTS, "fidelity_all": FIDELITY_ALL}
    # Each need's column and its bit in a young person's needs (below).
    need_columns = [(f"need_{code}", 1 << place) for place, code in enumerate(need_codes)]
    purposes = list(AppointmentPurpose.objects.order_by("code").values_list("pk", "code", "name"))
    purpose_columns = [f"purpose_{code}" for _pk, code, _name in purposes]
    purpose_place = {pk: place for place, (pk, _code, _name) in enumerate(purposes)}
    no_appointments = (0,) * len(purposes)
    domain_codes = list(
        DistanceDomain.objects.order_by("order", "code").values_list("code", flat=True)
    )
    costs = unit_costs_in_force(scope.as_of)

    def rows() -> Iterator[DatasetRow]:
        positions: dict[str, int] = {}
        with person_facts(scope, wanted=FACTS) as facts:
            included = facts.filter(COHORT & EVALUATION_CONSENT)
            # Each query below is read as it arrives (`iterator`), not held whole, and what is
            # kept for each young person is small: their needs as a set of bits (one a
            # category), their appointments by purpose as a list of counts.
            bit = {category_id: 1 << place for place, category_id in enumerate(categories)}
            needs: dict[int, int] = {}
            for person_id, category_id in (
                Need.objects.filter(
                    young_person_id__in=included.values("pk"), archived_at__isnull=True
                )
                .values_list("young_person_id", "category_id")
                .iterator(chunk_size=CHUNK)
            ):
                needs[person_id] = needs.get(person_id, 0) | bit[category_id]
            # The appointments counted in "appointments", by purpose (most young people's
            # from their stored counts; a young person's from one source or the other).
            by_purpose: dict[int, list[int]] = {}
            for row in purpose_counts(
                scope,
                among=Q(young_person_id__in=included.values("pk")),
                person_id=F("young_person_id"),
            ):
                place = purpose_place[row["category"]]
                by_purpose.setdefault(row["person_id"], [0] * len(purposes))[place] += row["n"]
            withdrawal, refusal, ratings = _reasons_and_ratings(included, scope.as_of)
            people = (
                included.annotate(
                    # Hours and cost per person, worked out by the database from the facts.
                    contact_hours=hours_of(F("attended_minutes")),
                    psychology_hours=hours_of(PSYCHOLOGY_MINUTES),
                    cost=cost_of_time({cost["role"]: cost["hourly_cost"] for cost in costs}),
                    **{
                        f"{name}_flag": ExpressionWrapper(condition, output_field=BooleanField())
                        for name, condition in fidelity.items()
                    },
                )
                .order_by("pk")
                .values(
                    "pk",
                    "team_code",
                    "gender",
                    "age_at_start",
                    "ecm_start_date",
                    "in_followup",
                    "offences_after",
                    "breaches_after",
                    "custody_after",
                    "trm_first_stage",
                    "trm_latest_stage",
                    "end_reason",
                    "ended",
                    "partner_agencies_after_end",
                    "compliance_days_total",
                    "contact_hours",
                    "psychology_hours",
                    "cost",
                    *COUNTS,
                    *[f"{name}_flag" for name in fidelity],
                )
            )
            # Streamed, so that only the finished rows are held at once.
            for row in people.iterator(chunk_size=CHUNK):
                followup = bool(row["in_followup"])
                recorded = needs.get(row["pk"], 0)
                reason, ended = withdrawal.get(row["pk"], (None, None))
                values = {
                    "pseudonym": pseudonym(row["pk"]),
                    "team_code": row["team_code"],
                    "gender": row["gender"],
                    "age_band": age_band(row["age_at_start"]),
                    "ecm_start_period": start_period(row["ecm_start_date"]),
                    "days_in_ecm": days_in_ecm(row["ecm_start_date"], ended, scope.as_of),
                    "practitioner_contact_hours": _two_places(row["contact_hours"]),
                    "psychology_hours": _two_places(row["psychology_hours"]),
                    "cost_gbp": _two_places(row["cost"]),
                    **{column: int(bool(recorded & need)) for column, need in need_columns},
                    "offences_12m_before_start": row["offences_12m_before_start"],
                    "in_followup_cohort": int(followup),
                    # Outcome windows are only complete for the follow-up cohort.
                    "offences_before": row["offences_before"],
                    "offences_after": row["offences_after"] if followup else "",
                    "breaches_before": row["breaches_before"],
                    "breaches_after": row["breaches_after"] if followup else "",
                    "custody_after": int(row["custody_after"] > 0) if followup else "",
                    "appointments": row["appointments"],
                    "attended": row["attended"],
                    "did_not_attend": row["did_not_attend"],
                    **dict(
                        zip(
                            purpose_columns, by_purpose.get(row["pk"], no_appointments), strict=True
                        )
                    ),
                    "attended_outcome_coded": row["attended_outcome_coded"],
                    "attended_achieved": row["attended_achieved"],
                    "attended_minutes": row["attended_minutes"],
                    "compliance_decisions": row["compliance_decisions"],
                    "compliance_without_breach": row["compliance_without_breach"],
                    "compliance_mean_days_to_decision": (
                        float(
                            (
                                Decimal(row["compliance_days_total"]) / row["compliance_decisions"]
                            ).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
                        )
                        if row["compliance_decisions"]
                        else ""
                    ),
                    "formulation_meetings": row["formulation_meetings"],
                    "supervision_sessions": row["supervision_sessions"],
                    "supervision_notes": row["supervision_notes"],
                    "oversight_entries": row["oversight_entries"],
                    "oversight_in_last_3_months": int(row["oversight_in_last_3_months"] > 0),
                    "partner_contacts": row["partner_contacts"],
                    "partner_agencies_after_end": (
                        row["partner_agencies_after_end"] if row["ended"] else ""
                    ),
                    "partner_plan_items": row["partner_plan_items"],
                    "partner_plan_items_done": row["partner_plan_items_done"],
                    "trm_first_stage": row["trm_first_stage"] or "",
                    "trm_latest_stage": row["trm_latest_stage"] or "",
                    **{name: int(bool(row[f"{name}_flag"])) for name in fidelity},
                    "end_reason": row["end_reason"] or "",
                    "withdrawal_reason": (reason or "") if row["end_reason"] == "withdrawn" else "",
                    "consent_refusal_reason": refusal.get(row["pk"], ""),
                    **_distance_columns(domain_codes, ratings.get(row["pk"], {})),
                }
                positions = positions or {name: place for place, name in enumerate(values)}
                yield DatasetRow(positions, tuple(values[name] for name in positions))

    named = [(code, name) for _pk, code, name in purposes]
    return columns(need_codes, named, domain_codes, costs), rows()


def _bilingual(model, key: str = "code") -> list[tuple[str, str, str]]:
    """(code, English name, Welsh name) of every entry of a vocabulary; one query."""
    return [
        (str(code), name, name_cy or name)
        for code, name, name_cy in model.objects.order_by(key).values_list(key, "name", "name_cy")
    ]


def _choices(choices) -> list[tuple[str, str, str]]:
    """(code, English label, Welsh label) of a fixed list of choices."""
    with translation.override("en"):
        english = [(code, str(label)) for code, label in choices]
    with translation.override("cy"):
        welsh = [str(label) for _code, label in choices]
    return [(code, label, label_cy) for (code, label), label_cy in zip(english, welsh, strict=True)]


def dictionary_codes(dictionary: list[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """Every code the dataset's columns hold or are named after, with its English and Welsh
    names: (column, code, English, Welsh). A column named after a code (`need_send_aln`,
    `purpose_ete`, `distance_self_confidence_self_first`) lists that one code."""
    vocabularies = {
        "team_code": _bilingual(Team),
        "gender": _choices(Gender.choices),
        "end_reason": _choices(EndReason.choices),
        "trm_first_stage": _bilingual(TRMStage, "number"),
        "withdrawal_reason": _bilingual(DisengagementReason),
    }
    vocabularies["trm_latest_stage"] = vocabularies["trm_first_stage"]
    vocabularies["consent_refusal_reason"] = vocabularies["withdrawal_reason"]
    named_after = {
        "need_": {code: (code, en, cy) for code, en, cy in _bilingual(NeedCategory)},
        "purpose_": {code: (code, en, cy) for code, en, cy in _bilingual(AppointmentPurpose)},
        "distance_": {code: (code, en, cy) for code, en, cy in _bilingual(DistanceDomain)},
    }
    codes = []
    for column, _description in dictionary:
        if column in vocabularies:
            codes += [(column, *entry) for entry in vocabularies[column]]
            continue
        for prefix, entries in named_after.items():
            if not column.startswith(prefix):
                continue
            rest = column.removeprefix(prefix)
            # The longest code the column is named after (distance columns end in a rater).
            matches = [code for code in entries if rest == code or rest.startswith(code + "_")]
            if matches:
                codes.append((column, *entries[max(matches, key=len)]))
    return codes
