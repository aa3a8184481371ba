"""The retention reviews: built each night from the due list, approved by an administrator,
carried out as a run.

Nothing is removed when a review is built. Approval (`review_approve`) takes the review's
young people, leaves out anyone put on legal hold since (or anonymised meanwhile), and calls
the anonymiser in the same transaction; the `RetentionRun` records who approved, when, how
many and under which rules — never the values removed.
"""

from collections import Counter
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from cases.models import CaseEvent

from . import due, schedules
from .models import (
    RetentionReview,
    RetentionReviewItem,
    RetentionRun,
    RetentionRunItem,
    ReviewStatus,
)

ANONYMISED_EVENT = "retention.anonymised"


@transaction.atomic
def review_build(*, on: date | None = None) -> RetentionReview:
    """The review of who is due on `on` (today): built once a day, replacing any earlier
    pending review, whose list is out of date. Building it again the same day returns the
    same review (the nightly task may run twice)."""
    on = on or timezone.localdate()
    pending = RetentionReview.objects.select_for_update().filter(status=ReviewStatus.PENDING)
    existing = pending.filter(as_of=on).first()
    if existing is not None:
        return existing
    pending.update(status=ReviewStatus.SUPERSEDED)
    review = RetentionReview.objects.create(as_of=on)
    RetentionReviewItem.objects.bulk_create(
        RetentionReviewItem(
            review=review,
            young_person_id=item.young_person_id,
            rule=item.rule,
            case_kind=item.case_kind,
            counted_from_date=item.counted_from_date,
            due_on=item.due_on,
        )
        for item in due.due_young_people(on)
    )
    return review


def pending_reviews():
    return RetentionReview.objects.filter(status=ReviewStatus.PENDING)


def review_items(review):
    """The review's young people (reference and team only), each marked `on_hold` if a legal
    hold was placed since the review was built (fixed number of queries)."""
    return (
        RetentionReviewItem.objects.filter(review=review)
        .select_related("young_person__team", "rule__team")
        .annotate(on_hold=~due.not_on_hold("young_person"))
        .order_by("due_on", "young_person__reference")
    )


def _rules_applied(items) -> list[dict]:
    counts = Counter(item.rule_id for item in items)
    rules = {item.rule_id: item.rule for item in items}
    return [
        {
            "id": rule.pk,
            "version": rule.version,
            "case_kind": rule.case_kind,
            "years": rule.years,
            "counted_from": rule.counted_from,
            "team": rule.team.code if rule.team_id else None,
            "count": counts[rule.pk],
        }
        for rule in sorted(rules.values(), key=lambda rule: rule.pk)
    ]


@transaction.atomic
def review_approve(*, review: RetentionReview, by) -> RetentionRun:
    """Anonymise the review's young people (except those on legal hold now) and record the run.

    Refused, with nothing changed, for a review already approved or replaced, and for one
    that leaves nobody to anonymise."""
    policy.require(by, schedules.REVIEW_CAPABILITY)
    review = RetentionReview.objects.select_for_update().get(pk=review.pk)
    if review.status == ReviewStatus.APPROVED:
        raise ValidationError(_("This review was approved already. Nothing was changed."))
    if review.status == ReviewStatus.SUPERSEDED:
        raise ValidationError(
            _(
                "A newer review has replaced this one, so its list may be out of date. "
                "Approve the newest review instead. Nothing was changed."
            )
        )
    items = list(
        RetentionReviewItem.objects.filter(review=review)
        .select_related("rule__team")
        .annotate(
            on_hold=~due.not_on_hold("young_person"), done=~due.not_anonymised("young_person")
        )
    )
    to_anonymise = [item for item in items if not item.on_hold and not item.done]
    if not to_anonymise:
        raise ValidationError(
            _(
                "There is nobody to anonymise in this review: it lists no young people due, "
                "or everyone it lists is now on legal hold. Nothing was changed."
            )
        )
    # The anonymiser lands beside this module (issue 17, contract in its docstring).
    from .anonymise import anonymise_young_people

    ids = [item.young_person_id for item in to_anonymise]
    rows_changed = anonymise_young_people(ids)
    run = RetentionRun.objects.create(
        review=review,
        approved_by=by,
        anonymised=len(to_anonymise),
        skipped_on_hold=sum(1 for item in items if item.on_hold and not item.done),
        rules=_rules_applied(to_anonymise),
        rows_changed=dict(rows_changed or {}),
    )
    RetentionRunItem.objects.bulk_create(
        RetentionRunItem(run=run, young_person_id=item.young_person_id, rule_id=item.rule_id)
        for item in to_anonymise
    )
    CaseEvent.objects.bulk_create(
        CaseEvent(
            young_person_id=item.young_person_id,
            action=ANONYMISED_EVENT,
            actor=by,
            data={"run": run.pk, "rule": item.rule_id},
        )
        for item in to_anonymise
    )
    review.status = ReviewStatus.APPROVED
    review.save(update_fields=["status"])
    return run


def runs():
    return RetentionRun.objects.select_related("approved_by", "review").order_by(
        "-approved_at", "-id"
    )
