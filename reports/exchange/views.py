"""The administrator's import page for the exchange format (DESIGN.md section 8).

The upload is checked (and imported) by a Celery task (`reports.exchange.jobs`); the page
the administrator is sent to follows it and then shows what was done or what is wrong.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from accounts import policy
from accounts.access_log import record_access

from ..models import ExchangeImport
from . import jobs
from .forms import ExchangeUploadForm

#: The upload page lists this many of the latest imports.
RECENT = 10


def _require_administrator(request, action: str, pk=None) -> None:
    if not policy.may(request.user, "admin.site"):
        record_access(
            request,
            action=action,
            allowed=False,
            object_type="reports.exchangeimport" if pk else "",
            object_id=str(pk or ""),
            detail="not an administrator",
        )
        raise PermissionDenied


@login_required
def exchange_import(request):
    _require_administrator(request, "exchange.import")
    if request.method == "POST":
        form = ExchangeUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            job = jobs.exchange_import_request(by=request.user, upload=upload, dry_run=form.dry_run)
            record_access(
                request,
                action="exchange.import",
                obj=job,
                detail=f"{'check' if job.dry_run else 'import'} requested: {job.file_name}",
            )
            return redirect("reports:exchange-import-detail", pk=job.pk)
    else:
        form = ExchangeUploadForm()
    recent = ExchangeImport.objects.select_related("requested_by")[:RECENT]
    return render(request, "reports/exchange_import.html", {"form": form, "recent": recent})


def _job_for(request, pk: int, action: str) -> ExchangeImport:
    _require_administrator(request, action, pk)
    return get_object_or_404(ExchangeImport.objects.select_related("requested_by"), pk=pk)


@login_required
@require_GET
def exchange_import_detail(request, pk):
    """One upload: its progress while it is checked, then what was done or what is wrong."""
    job = _job_for(request, pk, "exchange.import.view")
    if not job.is_active:
        record_access(request, action="exchange.import.view", obj=job, detail=job.status)
    summary = dict(job.summary, file=job.file_name) if job.summary else None
    return render(
        request,
        "reports/exchange_import_detail.html",
        {
            "job": job,
            "summary": summary,
            "retention_days": settings.ECM_REPORT_RETENTION_DAYS,
        },
    )


@login_required
@require_GET
def exchange_import_status(request, pk):
    """The upload's state as JSON, for the page's script to poll (no percentage: the check
    reads the whole file before it can count anything)."""
    job = _job_for(request, pk, "exchange.import.view")
    return JsonResponse(
        {
            "status": job.status,
            "status_label": str(job.get_status_display()),
            "progress": None,
            "progress_text": job.progress_text,
            "finished": not job.is_active,
        }
    )
