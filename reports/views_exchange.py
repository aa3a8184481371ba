"""The administrator's import page for the exchange format (DESIGN.md section 8)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import policy
from accounts.access_log import record_access

from .exchange.importer import import_exchange, summary_notes
from .exchange.source import from_zip
from .forms_exchange import ExchangeUploadForm

#: The summary of the last import, shown once after the redirect (post/redirect/get).
SUMMARY_KEY = "reports.exchange.summary"
#: A browser page lists at most this many problems (the command line lists them all).
PROBLEMS_SHOWN = 1000


@login_required
def exchange_import(request):
    if not policy.may(request.user, "admin.site"):
        record_access(
            request, action="exchange.import", allowed=False, detail="not an administrator"
        )
        raise PermissionDenied
    result = None
    summary = None
    if request.method == "POST":
        form = ExchangeUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            result = import_exchange(
                from_zip(upload, name=upload.name), by=request.user, dry_run=form.dry_run
            )
            record_access(
                request,
                action="exchange.import",
                object_type="exchange",
                object_id=upload.name,
                detail=_log_detail(result),
            )
            if result.written:
                request.session[SUMMARY_KEY] = _summary(upload.name, result)
                messages.success(
                    request,
                    _("%(file)s imported: %(created)d rows created, %(updated)d updated")
                    % {"file": upload.name, "created": result.created, "updated": result.updated},
                )
                return redirect("reports:exchange-import")
    else:
        form = ExchangeUploadForm()
        summary = request.session.pop(SUMMARY_KEY, None)
    problems = [str(problem) for problem in result.problems] if result else []
    return render(
        request,
        "reports/exchange_import.html",
        {
            "form": form,
            "result": result,
            "summary": summary,
            "problems": problems[:PROBLEMS_SHOWN],
            "problem_count": len(problems),
            "problems_hidden": max(0, len(problems) - PROBLEMS_SHOWN),
            "checked": _summary(result.source, result) if result and result.ok else None,
        },
    )


def _log_detail(result) -> str:
    mode = "check" if result.dry_run else "import"
    if not result.ok:
        return f"{mode}: {len(result.problems)} problems, nothing written"
    return f"{mode}: {result.rows} rows, {result.created} created, {result.updated} updated"


def _summary(file_name: str, result) -> dict:
    """What the page shows about a successful check or import (kept in the session for PRG)."""
    return {
        "file": file_name,
        "files": [
            [count.name, count.rows, count.created, count.updated, count.unchanged]
            for count in result.file_counts
        ],
        "notes": [str(note) for note in summary_notes(result)],
    }
