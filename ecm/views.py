"""Pages that belong to the service as a whole: the home page, health check, error pages."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import policy
from accounts.access_log import record_list_view
from accounts.models import Role

from . import today
from .celery import app as celery_app

logger = logging.getLogger(__name__)


@login_required
@require_GET
def home(request):
    """Today's work, a section for each of the user's roles, then their roles and teams.

    It names young people (today's appointments, meetings this week), so each view is logged
    as the lists are. A partner agency worker's home is their agency's young people.
    """
    if policy.may(request.user, "partner.work"):
        return redirect("partners:home")
    memberships = request.user.memberships.select_related("team").order_by("role", "team__name")
    sections = today.sections_for(request.user)
    named = set().union(*(section.named for section in sections))
    record_list_view(
        request,
        action="home.view",
        count=len(named),
        filters={"roles": ",".join(section.role for section in sections) or None},
    )
    return render(
        request,
        "ecm/home.html",
        {
            "memberships": memberships,
            "sections": sections,
            "Role": Role,
        },
    )


def _broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as error:  # noqa: BLE001 - any failure means "unreachable" here
        logger.warning("healthz: broker unreachable: %s", error.__class__.__name__)
        return "unreachable"


@never_cache
@require_GET
def healthz(request):
    """Liveness for load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except DatabaseError as error:
        logger.error("healthz: database unreachable: %s", error.__class__.__name__)
        database = "unreachable"
    broker = _broker_status()
    healthy = database == "ok"
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors: whatever broke may be behind one of them.
    return HttpResponseServerError(loader.get_template("500.html").render())
