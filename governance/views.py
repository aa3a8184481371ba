"""Retention pages (issue 17): the review waiting for approval, approving it (after a
confirmation), the runs carried out, and legal holds.

Who gets what (tests/permissions/rows_retention.py): reviews and runs are the
administrator's (`retention.review`); holds are the managers' of the case's team and the
administrator's (`retention.hold`). Pages name young people by reference only, and each
request that shows them writes an access-log row.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts import policy
from accounts.access_log import get_visible_or_404, record_access, record_list_view

from . import holds, retention, schedules
from .forms import LegalHoldForm, LegalHoldReleaseForm
from .models import RetentionReview

PER_PAGE = 50


def _page(request, rows):
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _later_page(page):
    """The page number, as the access log names it (none for the first page)."""
    return page.number if page is not None and page.number > 1 else None


@login_required
@require_GET
def review_list(request):
    """The newest review waiting for approval: who is due, under which rule, since when."""
    policy.require(request.user, schedules.REVIEW_CAPABILITY)
    pending = list(retention.pending_reviews()[:5])
    review = pending[0] if pending else None
    page = _page(request, retention.review_items(review)) if review else None
    items = list(page.object_list) if page else []
    open_holds = list(holds.holds_visible_to(request.user).filter(released_at__isnull=True)[:50])
    record_list_view(
        request,
        action="retention.review",
        count=len(items),
        what="young people due (references)",
        total=page.paginator.count if page else 0,
        young_people=len(
            {row.young_person_id for row in items} | {h.young_person_id for h in open_holds}
        ),
        filters={
            "review": review.pk if review else None,
            "page": page.number if page and page.number > 1 else None,
        },
    )
    return render(
        request,
        "governance/retentionreview_list.html",
        {"review": review, "page": page, "items": items, "open_holds": open_holds},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_approve(request, review_pk):
    """Are you sure? Then anonymise the review's young people (except those on hold now)."""
    policy.require(request.user, schedules.REVIEW_CAPABILITY)
    review = get_object_or_404(RetentionReview, pk=review_pk)
    error = None
    if request.method == "POST":
        try:
            run = retention.review_approve(review=review, by=request.user)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            record_access(
                request,
                action="retention.approve",
                obj=run,
                detail=f"young people anonymised: {run.anonymised}",
            )
            messages.success(
                request,
                _("%(count)s young people anonymised. The run is recorded below.")
                % {"count": run.anonymised},
            )
            return redirect("governance:retentionrun-list")
    items = list(retention.review_items(review).values_list("on_hold", flat=True))
    return render(
        request,
        "governance/retentionreview_approve.html",
        {
            "review": review,
            "error": error,
            "to_anonymise": sum(1 for on_hold in items if not on_hold),
            "on_hold": sum(1 for on_hold in items if on_hold),
        },
    )


@login_required
@require_GET
def run_list(request):
    """The runs carried out: who approved, when, how many, under which rules."""
    policy.require(request.user, schedules.REVIEW_CAPABILITY)
    page = _page(request, retention.runs())
    return render(request, "governance/retentionrun_list.html", {"page": page})


@login_required
@require_GET
def hold_list(request):
    policy.require(request.user, holds.HOLD_CAPABILITY)
    page = _page(request, holds.holds_visible_to(request.user))
    rows = list(page.object_list)
    record_list_view(
        request,
        action="retention.hold",
        count=len(rows),
        what="legal holds",
        total=page.paginator.count,
        young_people=len({row.young_person_id for row in rows}),
        filters={"page": _later_page(page)},
    )
    return render(request, "governance/legalhold_list.html", {"page": page, "holds": rows})


@login_required
@require_http_methods(["GET", "POST"])
def hold_create(request):
    """Put a young person, found by reference, on legal hold with a reason."""
    policy.require(request.user, holds.HOLD_CAPABILITY)
    form = LegalHoldForm(
        request.POST if request.method == "POST" else None,
        initial={"reference": request.GET.get("reference", "")},
    )
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["reference"]
        young_person = holds.holdable_young_people(request.user).filter(reference=reference).first()
        if young_person is None:
            record_access(
                request,
                action="retention.hold",
                allowed=False,
                object_type="cases.youngperson",
                object_id=reference,
                detail="reference not found or outside the user's scope",
            )
            form.add_error(
                "reference",
                _("There is no young person with the reference “%(reference)s” in your teams")
                % {"reference": reference},
            )
        else:
            try:
                holds.hold_place(
                    young_person=young_person, reason=form.cleaned_data["reason"], by=request.user
                )
            except ValidationError as error:
                for field, field_errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_errors)
            else:
                record_access(request, action="retention.hold", obj=young_person, detail="placed")
                messages.success(
                    request,
                    _(
                        "%(reference)s is on legal hold: retention will skip them until the "
                        "hold is released."
                    )
                    % {"reference": young_person.reference},
                )
                return redirect("governance:legalhold-list")
    return render(request, "governance/legalhold_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def hold_release(request, hold_pk):
    """Are you sure? Then release the hold."""
    policy.require(request.user, holds.HOLD_CAPABILITY)
    hold = get_visible_or_404(
        request, holds.holds_visible_to(request.user), action="retention.hold", pk=hold_pk
    )
    # Bound on every post, so that posting nothing is told what is missing.
    form = LegalHoldReleaseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            holds.hold_release(hold=hold, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # released already: nothing left to do here
                messages.info(request, " ".join(error.messages))
                return redirect("governance:legalhold-list")
            for field, field_errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_errors)
        else:
            messages.success(
                request,
                _("The legal hold on %(reference)s is released.")
                % {"reference": hold.young_person.reference},
            )
            return redirect("governance:legalhold-list")
    return render(request, "governance/legalhold_release.html", {"hold": hold, "form": form})


def hold_panel(request, young_person) -> dict | None:
    """The record page's legal-hold panel, for those who may place a hold on this case (one
    query): whether the record is on hold, since when and why, and the way to change it."""
    if not policy.may(request.user, holds.HOLD_CAPABILITY, young_person.team_id):
        return None
    return {"young_person": young_person, "hold": holds.open_hold_of(young_person)}
