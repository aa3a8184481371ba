"""Permission-matrix rows for governance/views.py (see matrix.py): retention and legal holds.

Decisions:
* The retention review, approving it and the runs are the administrator's
  (``retention.review``); every other role gets 403. Reviews are service-wide, so there is no
  other-team case. Approving an empty review (the matrix's world has nobody due) shows the
  confirmation page again with the message, and changes nothing.
* Legal holds are the managers' of the case's team and the administrator's
  (``retention.hold``). A hold on another team's case is 404 for a manager (logged), and
  open for the administrator, who sees references only, never the record. Releasing one
  takes a reason: posting none shows the form again with its error.
"""

from governance import retention
from governance.models import LegalHold

from .matrix import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Row, only, signed_in

ADMIN_ONLY = only(OK, ("admin",))
HOLDERS = only(OK, ("manager", "admin"))


def review(world, own: bool) -> dict:
    return {"review_pk": retention.review_build().pk}


def hold(world, own: bool) -> dict:
    young_person = world["own_case" if own else "other_case"]
    placed = LegalHold.objects.create(
        young_person=young_person,
        reason="A claim against the council",
        placed_by=world["users"]["admin"],
    )
    return {"hold_pk": placed.pk}


ROWS = [
    Row("governance:retentionreview-list", ADMIN_ONLY, shows_young_people=True),
    Row("governance:retentionreview-approve", ADMIN_ONLY, kwargs=review),
    Row("governance:retentionreview-approve", ADMIN_ONLY, kwargs=review, method="post"),
    Row("governance:retentionrun-list", ADMIN_ONLY),
    Row("governance:legalhold-list", HOLDERS, shows_young_people=True),
    Row("governance:legalhold-create", HOLDERS),
    # Posting nothing: the form again with its errors.
    Row("governance:legalhold-create", HOLDERS, method="post"),
    Row(
        "governance:legalhold-release",
        HOLDERS,
        other_team=signed_in(FORBIDDEN, manager=NOT_FOUND, admin=OK),
        kwargs=hold,
        shows_young_people=True,
    ),
    Row(
        "governance:legalhold-release",
        only(REDIRECT, ("manager", "admin")),
        other_team=signed_in(FORBIDDEN, manager=NOT_FOUND, admin=REDIRECT),
        kwargs=hold,
        method="post",
        data={"reason": "The claim was settled"},
    ),
    # Releasing without a reason: the form again with its error, the hold still in force.
    Row(
        "governance:legalhold-release",
        HOLDERS,
        other_team=signed_in(FORBIDDEN, manager=NOT_FOUND, admin=OK),
        kwargs=hold,
        method="post",
    ),
]
