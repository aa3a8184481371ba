"""Writes for eligibility and the ECM pathway: policies, checks, overrides, start and end."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy as access
from accounts.history import save_version
from cases import rules as case_rules
from cases.models import (
    STATUTORY_ORDER_TYPES,
    ConsentParty,
    ConsentPurpose,
    DisengagementReason,
    EndReason,
    Need,
    Offence,
    Order,
    YoungPerson,
)
from cases.rules import latest_consent, parties_without_consent
from cases.services import ensure_open, event_record

from . import rules
from .models import EligibilityDecision, EligibilityOverride, EligibilityPolicy, PolicyStatus

# --- Policies -----------------------------------------------------------------------------------

POLICY_FIELDS = (
    "name",
    "status",
    "minimum_offences",
    "window_months",
    "minimum_need_categories",
    "statutory_order_required",
    "voluntary_participation_allowed",
    "effective_from",
    "effective_to",
)


def policy_validate(values: dict, *, exclude_pk=None, superseded_pk=None) -> None:
    """The rules a policy must keep, as field errors (shared by the admin form and services)."""
    errors: dict = {}
    window = values.get("window_months")
    if window is not None and window <= 0:
        errors["window_months"] = [_("The window must be at least 1 month")]
    for name in ("minimum_offences", "minimum_need_categories"):
        if values.get(name) is not None and values[name] < 0:
            errors[name] = [_("Enter 0 or more")]
    start, end = values.get("effective_from"), values.get("effective_to")
    if start and end and end < start:
        errors["effective_to"] = [_("Effective to must be the same as or after effective from")]
    if values.get("status") == PolicyStatus.ACTIVE and start and not errors:
        overlapping = EligibilityPolicy.objects.filter(status=PolicyStatus.ACTIVE).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=start)
        )
        if end:
            overlapping = overlapping.filter(effective_from__lte=end)
        overlapping = overlapping.exclude(pk__in=[pk for pk in (exclude_pk, superseded_pk) if pk])
        clash = overlapping.first()
        if clash is not None:
            errors["effective_from"] = [
                _(
                    "%(policy)s is already active from %(start)s to %(end)s; two active policies "
                    "cannot overlap. Retire it or change the dates."
                )
                % {
                    "policy": clash,
                    "start": clash.effective_from.isoformat(),
                    "end": clash.effective_to.isoformat() if clash.effective_to else _("open"),
                }
            ]
    if errors:
        raise ValidationError(errors)


def policy_is_used(policy: EligibilityPolicy) -> bool:
    return EligibilityDecision.objects.filter(policy=policy).exists()


@transaction.atomic
def policy_save(*, values: dict, existing: EligibilityPolicy | None = None) -> EligibilityPolicy:
    """Create a policy, edit an unused one, or make a new version of one a decision used."""
    if existing is not None and policy_is_used(existing):
        new = EligibilityPolicy(
            **{**{f: getattr(existing, f) for f in POLICY_FIELDS}, **values},
            version=(
                EligibilityPolicy.objects.filter(name=values.get("name", existing.name))
                .order_by("-version")
                .values_list("version", flat=True)
                .first()
                or 0
            )
            + 1,
            supersedes=existing,
        )
        policy_validate({f: getattr(new, f) for f in POLICY_FIELDS}, superseded_pk=existing.pk)
        if new.status == PolicyStatus.ACTIVE:
            existing.status = PolicyStatus.RETIRED
            existing.save(update_fields=["status"])
        new.save()
        return new
    target = existing or EligibilityPolicy()
    for field, value in values.items():
        setattr(target, field, value)
    policy_validate({f: getattr(target, f) for f in POLICY_FIELDS}, exclude_pk=target.pk)
    target.save()
    return target


def policy_in_force(on: date) -> EligibilityPolicy | None:
    """The active policy in force on a date (referral date), if any."""
    return (
        EligibilityPolicy.objects.filter(status=PolicyStatus.ACTIVE, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from", "-version")
        .first()
    )


# --- Facts and checks ---------------------------------------------------------------------------


def facts_for_many(
    young_people, *, voluntary: dict[int, bool] | None = None
) -> dict[int, rules.Facts]:
    """Facts for many referrals in three queries (offences, needs, orders), not per person."""
    people = {person.pk: person for person in young_people}
    offences: dict[int, list] = {pk: [] for pk in people}
    needs: dict[int, list] = {pk: [] for pk in people}
    orders: dict[int, list] = {pk: [] for pk in people}
    for person_id, committed_on in Offence.objects.filter(
        young_person_id__in=people, archived_at__isnull=True
    ).values_list("young_person_id", "committed_on"):
        offences[person_id].append(committed_on)
    for need in Need.objects.filter(
        young_person_id__in=people, archived_at__isnull=True
    ).select_related("category"):
        needs[need.young_person_id].append(
            (need.category.code, need.category.label, need.recorded_on)
        )
    for order in Order.objects.filter(young_person_id__in=people, archived_at__isnull=True):
        orders[order.young_person_id].append(
            rules.OrderFact(
                order_type=order.order_type,
                start_date=order.start_date,
                end_date=order.end_date,
                statutory=order.order_type in STATUTORY_ORDER_TYPES,
            )
        )
    voluntary = voluntary or {}
    return {
        pk: rules.Facts(
            referral_date=person.referral_date,
            offence_dates=tuple(sorted(offences[pk])),
            needs=tuple(sorted(needs[pk], key=lambda need: (need[2], need[0]))),
            orders=tuple(orders[pk]),
            voluntary_participation=voluntary.get(pk, False),
        )
        for pk, person in people.items()
    }


def _criteria_json(result: rules.Result) -> list[dict]:
    return [criterion.stored() for criterion in result.criteria]


def policies_in_force(young_people) -> list[EligibilityPolicy | None]:
    """The active policy in force on each one's referral date, in order (one query; the young
    people need not be saved yet, as in an import's dry run)."""
    active = list(
        EligibilityPolicy.objects.filter(status=PolicyStatus.ACTIVE).order_by(
            "-effective_from", "-version"
        )
    )
    return [
        next((p for p in active if p.in_force_on(person.referral_date)), None)
        for person in young_people
    ]


def decisions_reconstructed(judged) -> list[EligibilityDecision]:
    """Unsaved decisions for ``[(young person, policy in force)]``, dated on each referral
    date and marked reconstructed: what `eligibility_check(..., reconstructed=True)` records,
    for many referrals at once (imports), with the facts read in three queries."""
    facts = facts_for_many([person for person, _policy in judged])
    decisions = []
    for person, policy in judged:
        result = rules.evaluate(policy.parameters, facts[person.pk])
        decisions.append(
            EligibilityDecision(
                young_person=person,
                policy=policy,
                decided_on=person.referral_date,
                eligible=result.eligible,
                criteria=_criteria_json(result),
                voluntary_participation=False,
                reconstructed=True,
                made_by=None,
            )
        )
    return decisions


def _no_policy_error(young_person):
    return ValidationError(
        _(
            "No active eligibility policy was in force on the referral date (%(date)s). Ask your "
            "administrator to set one up."
        )
        % {"date": young_person.referral_date.isoformat()}
    )


@transaction.atomic
def eligibility_check(
    *,
    by,
    young_person,
    voluntary_participation: bool = False,
    decided_on: date | None = None,
    reconstructed: bool = False,
) -> EligibilityDecision:
    """Judge a referral by the policy in force on its referral date; record the decision."""
    if by is not None and not access.may(by, "eligibility.check", young_person.team):
        raise PermissionDenied
    ensure_open(young_person)
    policy = policy_in_force(young_person.referral_date)
    if policy is None:
        raise _no_policy_error(young_person)
    facts = facts_for_many([young_person], voluntary={young_person.pk: voluntary_participation})[
        young_person.pk
    ]
    result = rules.evaluate(policy.parameters, facts)
    decision = EligibilityDecision.objects.create(
        young_person=young_person,
        policy=policy,
        decided_on=decided_on or timezone.localdate(),
        eligible=result.eligible,
        criteria=_criteria_json(result),
        voluntary_participation=voluntary_participation,
        reconstructed=reconstructed,
        made_by=by,
    )
    event_record(
        young_person=young_person,
        action="eligibility.checked",
        by=by,
        policy=str(policy),
        eligible=result.eligible,
    )
    return decision


@transaction.atomic
def eligibility_override(
    *, by, decision: EligibilityDecision, eligible: bool, reason: str
) -> EligibilityOverride:
    """A manager overrides a decision (either way) with a reason; the decision itself stays."""
    if not access.may(by, "eligibility.override", decision.young_person.team):
        raise PermissionDenied
    ensure_open(decision.young_person)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for overriding the decision")]})
    if EligibilityOverride.objects.filter(decision=decision).exists():
        raise ValidationError(
            {"eligible": [_("This decision has already been overridden. Run a new check first.")]}
        )
    override = EligibilityOverride.objects.create(
        decision=decision, eligible=eligible, reason=reason.strip(), made_by=by
    )
    event_record(
        young_person=decision.young_person,
        action="eligibility.override",
        by=by,
        decision=decision.pk,
        eligible=eligible,
        reason=reason.strip(),
    )
    return override


def latest_decision(young_person) -> EligibilityDecision | None:
    return (
        EligibilityDecision.objects.filter(young_person=young_person)
        .select_related("policy", "eligibility_override", "made_by")
        .order_by("-decided_on", "-id")
        .first()
    )


# --- Starting and ending ECM --------------------------------------------------------------------


class Blocker(str):
    """A reason ECM cannot start, in words; `code` says which, so a page can link to the fix.

    Codes: ``started``, ``eligibility``, ``consent_young_person``, ``consent_parent``.
    """

    code: str

    def __new__(cls, code: str, message: str):
        blocker = super().__new__(cls, message)
        blocker.code = code
        return blocker


def start_blockers(young_person) -> list[Blocker]:
    """What stops ECM starting now, in words a practitioner can act on (empty: may start)."""
    blockers = []
    if young_person.ecm_start_date:
        blockers.append(
            Blocker(
                "started",
                _("ECM has already started (%(date)s)")
                % {"date": young_person.ecm_start_date.isoformat()},
            )
        )
        return blockers
    decision = latest_decision(young_person)
    if decision is None:
        blockers.append(
            Blocker("eligibility", _("No eligibility check has been made: run one first"))
        )
    elif not decision.final_eligible:
        blockers.append(
            Blocker(
                "eligibility",
                _("The latest eligibility decision (%(date)s) is not eligible")
                % {"date": decision.decided_on.isoformat()},
            )
        )
    consents = (
        YoungPerson.objects.filter(pk=young_person.pk)
        .annotate(
            young_person_consent=latest_consent(
                ConsentParty.YOUNG_PERSON, ConsentPurpose.PARTICIPATION
            ),
            parent_consent=latest_consent(ConsentParty.PARENT_CARER, ConsentPurpose.PARTICIPATION),
        )
        .values("young_person_consent", "parent_consent")
        .get()
    )
    missing = parties_without_consent(
        {
            ConsentParty.YOUNG_PERSON: consents["young_person_consent"],
            ConsentParty.PARENT_CARER: consents["parent_consent"],
        },
        young_person.parent_consent_required,
    )
    if ConsentParty.YOUNG_PERSON in missing:
        blockers.append(
            Blocker(
                "consent_young_person",
                _("The young person's consent to take part is not currently given"),
            )
        )
    if ConsentParty.PARENT_CARER in missing:
        blockers.append(
            Blocker(
                "consent_parent",
                _("The parent or carer's consent to take part is not currently given"),
            )
        )
    return blockers


def _broken(errors: dict, field: str, *messages: str | None) -> None:
    """Put the messages of broken case rules (see `cases.rules`) next to their field."""
    for message in messages:
        if message is not None:
            errors.setdefault(field, []).append(message)


@transaction.atomic
def ecm_start(*, by, young_person, start_date: date) -> YoungPerson:
    if not access.may(by, "case.edit", young_person.team):
        raise PermissionDenied
    ensure_open(young_person)
    current = YoungPerson.objects.select_for_update().get(pk=young_person.pk)
    blockers = start_blockers(current)
    errors: dict = {}
    if blockers:
        errors[None] = blockers
    _broken(
        errors,
        "start_date",
        case_rules.not_in_future(start_date, _("Start date"), today=timezone.localdate()),
        case_rules.ecm_start_before_referral(start_date, current.referral_date),
    )
    if errors:
        raise ValidationError({key or "__all__": value for key, value in errors.items()})
    current.ecm_start_date = start_date
    save_version(current, by)
    event_record(
        young_person=current, action="ecm.started", by=by, start_date=start_date.isoformat()
    )
    return current


@transaction.atomic
def ecm_end(
    *,
    by,
    young_person,
    end_date: date,
    end_reason: str,
    young_persons_reasons: str = "",
    withdrawal_reason: DisengagementReason | None = None,
) -> YoungPerson:
    """End ECM; a withdrawal records the reason given (the editable vocabulary) and the young
    person's reasons in their words."""
    if not access.may(by, "case.edit", young_person.team):
        raise PermissionDenied
    ensure_open(young_person)
    current = YoungPerson.objects.select_for_update().get(pk=young_person.pk)
    errors: dict = {}
    if current.ecm_end_date:
        errors["__all__"] = [
            _("ECM has already ended (%(date)s)") % {"date": current.ecm_end_date.isoformat()}
        ]
    else:
        _broken(
            errors, "__all__", case_rules.ecm_end_without_start(current.ecm_start_date, end_date)
        )
        if current.ecm_start_date:
            _broken(
                errors,
                "end_date",
                case_rules.end_not_before_start(current.ecm_start_date, end_date),
                case_rules.not_in_future(end_date, _("End date"), today=timezone.localdate()),
            )
    if end_reason not in EndReason.values:
        errors["end_reason"] = [_("Select why ECM ended")]
    if end_reason == EndReason.WITHDRAWN and not young_persons_reasons.strip():
        errors["young_persons_reasons"] = [
            _("Record the young person's reasons for withdrawing, in their words if possible")
        ]
    _broken(
        errors,
        "withdrawal_reason",
        case_rules.withdrawal_reason_missing(end_reason, withdrawal_reason is not None),
        case_rules.withdrawal_reason_not_wanted(end_reason, withdrawal_reason is not None),
    )
    if errors:
        raise ValidationError(errors)
    current.ecm_end_date = end_date
    current.end_reason = end_reason
    current.end_note = young_persons_reasons.strip()
    current.withdrawal_reason = withdrawal_reason
    save_version(current, by)
    event_record(
        young_person=current,
        action="ecm.ended",
        by=by,
        end_date=end_date.isoformat(),
        end_reason=end_reason,
        young_persons_reasons=young_persons_reasons.strip(),
        disengagement_reason=withdrawal_reason.code if withdrawal_reason is not None else None,
    )
    return current
