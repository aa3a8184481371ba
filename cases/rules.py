"""The case record's rules, each stated once: consent, and what makes a record valid.

Like `eligibility/rules.py`, nothing here writes and nothing reads the clock: "today" and
"now" are arguments, so every boundary can be tested directly. Whoever writes a case record
asks these functions: the services (which turn a broken rule into a `ValidationError` on the
field), the exchange importer (which turns it into a problem row) and the data generators
(which stay within them). A validation rule returns its message, in the one wording users
see, or ``None`` when the rule holds.

Consent has two halves. The pure half decides which parties must consent and whether
consent is given, from decisions already read. The query half builds the same decision as
database expressions (the latest decision as a subquery, "given" as a filter) for the lists,
warnings, measures and the research dataset, which judge many young people in one query.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    DURATION_MAX_MINUTES,
    ENGAGEMENT_MAX,
    ENGAGEMENT_MIN,
    GRAVITY_MAX,
    GRAVITY_MIN,
    MINIMUM_AGE_AT_REFERRAL,
    AppointmentKind,
    AppointmentOutcome,
    Attendance,
    ComplianceDecisionKind,
    Consent,
    ConsentDecision,
    ConsentParty,
    EndReason,
    age_on,
)

# --- Consent ------------------------------------------------------------------------------------

#: Parent/carer consent is required by default for a young person under this age (on the
#: referral date); a practitioner can change the requirement, with a reason, afterwards.
PARENT_CONSENT_AGE = 16


def parent_consent_required_by_default(date_of_birth: date, referral_date: date) -> bool:
    """Whether a new referral needs a parent's or carer's consent, by age alone."""
    return age_on(date_of_birth, referral_date) < PARENT_CONSENT_AGE


def consent_parties(parent_consent_required: bool) -> list[str]:
    """The parties whose consent must be given: always the young person, and the parent or
    carer when the young person's record says their consent is required."""
    parties = [ConsentParty.YOUNG_PERSON]
    if parent_consent_required:
        parties.append(ConsentParty.PARENT_CARER)
    return parties


def latest_decisions(consents: Iterable) -> dict[tuple[str, str], object]:
    """The current decision for each (party, purpose): the latest one counts.

    `consents`: current (not archived) decisions, newest first (by date decided, then id)."""
    latest: dict[tuple[str, str], object] = {}
    for consent in consents:
        latest.setdefault((consent.party, consent.purpose), consent)
    return latest


def parties_without_consent(
    decisions: Mapping[str, str | None], parent_consent_required: bool
) -> list[str]:
    """The required parties whose current decision (party → decision, None when there is
    none) is not "given": a refusal, a withdrawal or no decision all leave consent missing."""
    return [
        party
        for party in consent_parties(parent_consent_required)
        if decisions.get(party) != ConsentDecision.GIVEN
    ]


def consent_given(decisions: Mapping[str, str | None], parent_consent_required: bool) -> bool:
    """Whether consent for one purpose is currently given by every party that must give it."""
    return not parties_without_consent(decisions, parent_consent_required)


def latest_consent(party: str, purpose: str, *, on=None) -> Subquery:
    """The decision of the latest current consent of `party` for `purpose`, per young person
    (the outer query's row), as a subquery; NULL when there is none.

    `on`: only decisions made on or before this date (an expression such as
    ``OuterRef("ecm_start_date")``), to ask what was in place on that day."""
    decisions = Consent.objects.filter(
        young_person=OuterRef("pk"), party=party, purpose=purpose, archived_at__isnull=True
    )
    if on is not None:
        decisions = decisions.filter(decided_on__lte=on)
    return Subquery(decisions.order_by("-decided_on", "-id").values("decision")[:1])


def _given(decision: str) -> Q:
    return Q(**{decision: ConsentDecision.GIVEN})


def _not_given(decision: str) -> Q:
    # Spelled out: a negated filter on an annotation leaves out NULL (no decision yet).
    return ~_given(decision) | Q(**{f"{decision}__isnull": True})


def consent_given_filter(young_person_decision: str, parent_decision: str) -> Q:
    """`consent_given` as a filter on young people, whose query carries each party's current
    decision in the columns named here (annotations such as `latest_consent`, or the stored
    case summary)."""
    return _given(young_person_decision) & (
        Q(parent_consent_required=False) | _given(parent_decision)
    )


def consent_missing_filter(young_person_decision: str, parent_decision: str) -> Q:
    """The young people `consent_given_filter` leaves out: a refusal, a withdrawal or no
    decision by a party who must consent."""
    return _not_given(young_person_decision) | (
        Q(parent_consent_required=True) & _not_given(parent_decision)
    )


# --- Dates --------------------------------------------------------------------------------------


def _day(value: date | datetime) -> date:
    """The calendar day of a date, or of a moment in the service's time zone."""
    return timezone.localtime(value).date() if isinstance(value, datetime) else value


def shown(value: date) -> str:
    """A date inside a message, as users type it."""
    return value.strftime("%d/%m/%Y")


def not_in_future(value: date | datetime | None, label, *, today: date) -> str | None:
    if value is not None and _day(value) > today:
        return _("%(label)s must be today or in the past") % {"label": label}
    return None


def not_before_birth(
    value: date | datetime | None, date_of_birth: date | None, label
) -> str | None:
    if value is not None and date_of_birth is not None and _day(value) < date_of_birth:
        return _("%(label)s cannot be before the young person's date of birth (%(dob)s)") % {
            "label": label,
            "dob": shown(date_of_birth),
        }
    return None


def end_not_before_start(start: date | None, end: date | None) -> str | None:
    """An order, a custody episode or the ECM pathway ends on or after the day it starts."""
    if start is not None and end is not None and end < start:
        return _("End date must be the same as or after the start date")
    return None


# --- Young person -------------------------------------------------------------------------------


def date_of_birth_invalid(
    date_of_birth: date | None, referral_date: date | None, *, today: date
) -> str | None:
    """In the past, and old enough for criminal responsibility on the referral date."""
    if date_of_birth is None:
        return None
    if date_of_birth >= today:
        return _("Date of birth must be in the past")
    if referral_date is not None and age_on(date_of_birth, referral_date) < MINIMUM_AGE_AT_REFERRAL:
        return _(
            "The young person must be at least %(age)d on the referral date (the age of "
            "criminal responsibility)"
        ) % {"age": MINIMUM_AGE_AT_REFERRAL}
    return None


def ecm_start_before_referral(
    ecm_start_date: date | None, referral_date: date | None
) -> str | None:
    if ecm_start_date is not None and referral_date is not None and ecm_start_date < referral_date:
        return _("ECM start date cannot be before the referral date")
    return None


def ecm_end_without_start(ecm_start_date: date | None, ecm_end_date: date | None) -> str | None:
    if ecm_end_date and not ecm_start_date:
        return _("ECM cannot end before it has started")
    return None


def end_reason_missing(ecm_end_date: date | None, end_reason: str) -> str | None:
    if ecm_end_date and not end_reason:
        return _("Select why ECM ended")
    return None


# --- Records about a young person ---------------------------------------------------------------


#: The scales a record's scores are on (inclusive): offence gravity (GRAVITY_MIN, least serious,
#: to GRAVITY_MAX) and appointment engagement (ENGAGEMENT_MIN, not engaged, to ENGAGEMENT_MAX).
GRAVITY_SCALE = range(GRAVITY_MIN, GRAVITY_MAX + 1)
ENGAGEMENT_SCALE = range(ENGAGEMENT_MIN, ENGAGEMENT_MAX + 1)


def gravity_message() -> str:
    """What is wrong with a gravity score off the scale (or not a whole number)."""
    return _("Gravity score must be a whole number from %(min)d to %(max)d") % {
        "min": GRAVITY_MIN,
        "max": GRAVITY_MAX,
    }


def gravity_invalid(gravity: int | None) -> str | None:
    if gravity is None or gravity not in GRAVITY_SCALE:
        return gravity_message()
    return None


def proven_before_committed(committed_on: date | None, proven_on: date | None) -> str | None:
    if committed_on is not None and proven_on is not None and proven_on < committed_on:
        return _("Date proven cannot be before the date committed")
    return None


def breach_before_order(breach_date: date | None, order_start: date | None) -> str | None:
    if breach_date is not None and order_start is not None and breach_date < order_start:
        return _("A breach cannot be before the order started")
    return None


def consent_before_referral(decided_on: date | None, referral_date: date | None) -> str | None:
    if decided_on is not None and referral_date is not None and decided_on < referral_date:
        return _("Consent cannot be dated before the referral (%(date)s)") % {
            "date": shown(referral_date)
        }
    return None


def withdrawal_without_note(
    decision: str | None, note: str | None, own_words: str | None = ""
) -> str | None:
    """A withdrawal keeps what was said: the young person's own words or a note will do."""
    said = (note or "").strip() or (own_words or "").strip()
    if decision == ConsentDecision.WITHDRAWN and not said:
        return _(
            "Record what the young person or family said when withdrawing consent, in the "
            "young person's own words or in the note"
        )
    return None


#: The consent decisions that record the young person's reason (issue 15, "Reasons, coded").
DECISIONS_WITH_A_REASON = (ConsentDecision.REFUSED, ConsentDecision.WITHDRAWN)


def consent_reason_missing(decision: str | None, has_reason: bool) -> str | None:
    if decision in DECISIONS_WITH_A_REASON and not has_reason:
        return _("Select the reason given for refusing or withdrawing consent")
    return None


def consent_reason_not_wanted(
    decision: str | None, has_reason: bool, own_words: str | None
) -> str | None:
    if decision not in DECISIONS_WITH_A_REASON and (has_reason or (own_words or "").strip()):
        return _(
            "A reason and the young person's words are recorded only when consent is refused "
            "or withdrawn"
        )
    return None


def withdrawal_reason_missing(end_reason: str | None, has_reason: bool) -> str | None:
    if end_reason == EndReason.WITHDRAWN and not has_reason:
        return _("Select the reason the young person gave for withdrawing")
    return None


def withdrawal_reason_not_wanted(end_reason: str | None, has_reason: bool) -> str | None:
    if end_reason != EndReason.WITHDRAWN and has_reason:
        return _("A reason for withdrawing is recorded only when ECM ended as withdrawn")
    return None


def trm_rationale_missing(rationale: str | None) -> str | None:
    if not (rationale or "").strip():
        return _("Explain why the young person is at this stage")
    return None


def appointment_purpose_missing(purpose_category) -> str | None:
    """Every appointment has a purpose from the vocabulary; the detail is optional."""
    if purpose_category is None:
        return _("Select the purpose of the appointment")
    return None


#: How long each kind of appointment lasts unless the practitioner says otherwise, in minutes
#: (the form shows it filled in; issue 15).
DEFAULT_DURATION_MINUTES = {
    AppointmentKind.ONE_TO_ONE: 60,
    AppointmentKind.HOME_VISIT: 60,
    AppointmentKind.PHONE: 15,
    AppointmentKind.GROUP: 90,
    AppointmentKind.AGENCY_SESSION: 60,
    AppointmentKind.OTHER: 30,
}


def default_duration(kind: str | None) -> int | None:
    """The usual length of an appointment of this kind, in minutes."""
    return DEFAULT_DURATION_MINUTES.get(kind)


def duration_invalid(minutes: int | None) -> str | None:
    """A duration is a whole number of minutes, at least 1 and at most 12 hours. Shared by
    appointments and formulation meetings."""
    if minutes is None:
        return None
    if minutes < 1:
        return _("The duration must be at least 1 minute")
    if minutes > DURATION_MAX_MINUTES:
        return _("The duration must be %(max)d minutes (12 hours) or less") % {
            "max": DURATION_MAX_MINUTES
        }
    return None


#: Outcomes that say how far an appointment achieved its purpose: only an attended one can.
ACHIEVEMENT_OUTCOMES = (
    AppointmentOutcome.ACHIEVED,
    AppointmentOutcome.PARTLY_ACHIEVED,
    AppointmentOutcome.NOT_ACHIEVED,
)


#: Outcomes that count as the purpose achieved, wholly or in part (the evaluation's measure
#: share_attended_achieved).
ACHIEVED_OUTCOMES = (AppointmentOutcome.ACHIEVED, AppointmentOutcome.PARTLY_ACHIEVED)


def outcome_without_attendance(attendance: str | None, outcome_code: str | None) -> str | None:
    """A missed, cancelled or unrecorded appointment achieved nothing: its outcome is "not
    applicable" or empty."""
    if outcome_code not in ACHIEVEMENT_OUTCOMES or attendance == Attendance.ATTENDED:
        return None
    if attendance:
        return _(
            "The young person did not attend, so the outcome can only be “Not applicable” "
            "or left empty"
        )
    return _("Record that the young person attended before choosing how far it was achieved")


def appointment_started(starts_at: datetime | None, *, now: datetime) -> bool:
    """Whether an appointment has begun, so that how it went (attendance, engagement and
    outcome) can be recorded; until then only its plan can change."""
    return starts_at is not None and starts_at <= now


def attendance_before_start(
    starts_at: datetime | None, attendance: str | None, *, now: datetime
) -> str | None:
    """Attendance is a fact about an appointment that has begun; a planned one has none."""
    if starts_at is not None and attendance and not appointment_started(starts_at, now=now):
        return _("Attendance can only be recorded once the appointment has started")
    return None


def outcome_before_start(
    starts_at: datetime | None, outcome: str | None, *, now: datetime
) -> str | None:
    """Like attendance, an outcome (coded, or a note) is about an appointment that has begun."""
    if (
        starts_at is not None
        and (outcome or "").strip()
        and not appointment_started(starts_at, now=now)
    ):
        return _("The outcome can only be recorded once the appointment has started")
    return None


def outcome_missing(attendance: str | None, outcome_code: str | None) -> str | None:
    """Every contact that was held has a coded outcome (DESIGN.md: purpose and outcome of every
    contact; issue 15: as data). The note is optional; a missed or cancelled one may have a
    note of what was done, but need not."""
    if attendance == Attendance.ATTENDED and not outcome_code:
        return _("Select the outcome: achieved, partly achieved, not achieved or not applicable")
    return None


def engagement_without_attendance(engagement: int | None, attendance: str | None) -> str | None:
    if engagement is not None and attendance != Attendance.ATTENDED:
        return _("Only rate engagement when the young person attended")
    return None


def engagement_message() -> str:
    """What is wrong with an engagement rating off the scale."""
    return _("Engagement must be a whole number from %(min)d to %(max)d") % {
        "min": ENGAGEMENT_MIN,
        "max": ENGAGEMENT_MAX,
    }


def engagement_invalid(engagement: int | None) -> str | None:
    if engagement is not None and engagement not in ENGAGEMENT_SCALE:
        return engagement_message()
    return None


# --- Compliance with an order ---------------------------------------------------------------

#: A missed appointment: the young person did not come (a cancellation is not non-compliance).
MISSED_ATTENDANCE = frozenset({Attendance.DID_NOT_ATTEND})
#: Decisions that treat an absence as unacceptable (the others accept it, or its reasons).
UNACCEPTABLE_DECISIONS = frozenset(
    {ComplianceDecisionKind.WARNING, ComplianceDecisionKind.BREACH_PROCEEDINGS}
)
#: A second unacceptable absence within this many months asks for the manager's agreement.
AGREEMENT_WINDOW_MONTHS = 12


def is_missed(attendance: str | None) -> bool:
    return attendance in MISSED_ATTENDANCE


def compliance_decision_on_unmissed(attendance: str | None) -> str | None:
    """A compliance decision is about a missed appointment, never one attended (or to come)."""
    if attendance == Attendance.ATTENDED:
        return _("The young person attended this appointment: there is no absence to decide on")
    if not is_missed(attendance):
        return _("Only a missed appointment (did not attend) gets a compliance decision")
    return None


def compliance_reason_missing(reason: str | None) -> str | None:
    if not (reason or "").strip():
        return _("Give the reason for the decision")
    return None


def compliance_decided_before_appointment(decided_on: date | None, missed_on: date) -> str | None:
    if decided_on is not None and decided_on < missed_on:
        return _("The decision cannot be dated before the missed appointment (%(date)s)") % {
            "date": shown(missed_on)
        }
    return None


def agreement_window_start(missed_on: date) -> date:
    """The earliest day an earlier unacceptable absence counts towards the manager's check."""
    return missed_on - relativedelta(months=AGREEMENT_WINDOW_MONTHS)


def compliance_needs_agreement(
    decision: str, *, on_statutory_order: bool, earlier_unacceptable: int
) -> bool:
    """On a statutory order, a decision short of breach proceedings after a second
    unacceptable absence within 12 months (an earlier one already judged unacceptable)
    needs the manager's agreement."""
    return (
        on_statutory_order
        and decision != ComplianceDecisionKind.BREACH_PROCEEDINGS
        and earlier_unacceptable >= 1
    )


def agreeing_own_decision(manager_id: int | None, decided_by_id: int | None) -> str | None:
    if manager_id is not None and manager_id == decided_by_id:
        return _(
            "You made this decision, so you cannot agree or disagree with it: another manager "
            "of the team must"
        )
    return None


def agreement_reason_missing(reason: str | None) -> str | None:
    if not (reason or "").strip():
        return _("Give the reason you agree or disagree")
    return None
