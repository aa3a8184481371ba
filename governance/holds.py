"""Legal holds: a young person's record is kept whatever the retention schedule says (a claim,
an inquiry, a safeguarding review) until the hold is released.

Who: the managers of the case's team, and administrators (who find the case by its reference
only; they never read records). Placing and releasing each write an event on the case.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts import policy
from cases.models import YoungPerson
from cases.services import event_record

from .models import LegalHold

#: Who places and releases holds (registered in GovernanceConfig.ready).
HOLD_CAPABILITY = "retention.hold"

PLACED_EVENT, RELEASED_EVENT = "legal_hold.placed", "legal_hold.released"

REASON_MAX_LENGTH = 2000

#: Said when a hold is placed or released without a reason; a reason is too long.
PLACE_REASON_MISSING = _lazy("Give the reason for the legal hold")
RELEASE_REASON_MISSING = _lazy("Give the reason the legal hold can be released")
REASON_TOO_LONG = _lazy("Reason must be 2000 characters or fewer")
ANONYMISED_ALREADY = _lazy(
    "This young person's record was anonymised already: there is nothing left to keep"
)


def holdable_young_people(user):
    """The young people `user` may put on hold or release (by reference; no case data)."""
    team_ids = policy.team_ids_for(user, HOLD_CAPABILITY)
    rows = YoungPerson.objects.all()
    return rows if team_ids is None else rows.filter(team_id__in=team_ids)


def holds_visible_to(user):
    """Legal holds on the young people `user` may put on hold, open ones first."""
    team_ids = policy.team_ids_for(user, HOLD_CAPABILITY)
    rows = LegalHold.objects.select_related(
        "young_person__team", "placed_by", "released_by"
    ).order_by("-released_at", "-placed_at", "-id")
    if team_ids is not None:
        rows = rows.filter(young_person__team_id__in=team_ids)
    return rows


def open_hold_of(young_person) -> LegalHold | None:
    return LegalHold.objects.filter(young_person=young_person, released_at__isnull=True).first()


def hold_place(*, young_person, reason: str, by) -> LegalHold:
    """Put `young_person` on legal hold, for `reason` (required)."""
    policy.require(by, HOLD_CAPABILITY, young_person.team_id)
    if young_person.anonymised_at is not None:
        raise ValidationError({"reference": [str(ANONYMISED_ALREADY)]})
    reason = _checked_reason(reason, PLACE_REASON_MISSING)
    if open_hold_of(young_person) is not None:
        raise ValidationError({"reference": [_("This young person is already on legal hold")]})
    try:
        with transaction.atomic():
            hold = LegalHold.objects.create(young_person=young_person, reason=reason, placed_by=by)
            event_record(young_person=young_person, action=PLACED_EVENT, by=by, hold=hold.pk)
    except IntegrityError:  # placed at the same moment by someone else
        raise ValidationError(
            {"reference": [_("This young person is already on legal hold")]}
        ) from None
    return hold


def _checked_reason(reason: str, missing) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [str(missing)]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": [str(REASON_TOO_LONG)]})
    return reason


@transaction.atomic
def hold_release(*, hold: LegalHold, reason: str, by) -> LegalHold:
    """Release the hold, for `reason` (required; shown on the holds list and written on the
    case's history): the young person is due again when the schedule says so."""
    hold = LegalHold.objects.select_for_update().select_related("young_person").get(pk=hold.pk)
    policy.require(by, HOLD_CAPABILITY, hold.young_person.team_id)
    if not hold.is_open:
        raise ValidationError(_("This legal hold was released already."))
    reason = _checked_reason(reason, RELEASE_REASON_MISSING)
    hold.released_at = timezone.now()
    hold.released_by = by
    hold.release_reason = reason
    hold.save(update_fields=["released_at", "released_by", "release_reason"])
    event_record(
        young_person=hold.young_person,
        action=RELEASED_EVENT,
        by=by,
        hold=hold.pk,
        release_reason=reason,
    )
    return hold
