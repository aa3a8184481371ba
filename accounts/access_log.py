"""Writing the access log: every view of a case record, every list of young people, every
export, every management command run on the data, and every denied attempt."""

import datetime
import getpass

from django.conf import settings
from django.db import models
from django.http import Http404

from .models import AccessLogEntry


def client_ip(request) -> str | None:
    """The caller's address; behind a trusted TLS proxy, the address the proxy saw."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def record_access(
    request,
    *,
    action: str,
    obj=None,
    allowed: bool = True,
    detail: str = "",
    object_type: str = "",
    object_id: str = "",
) -> AccessLogEntry:
    """Append one row to the access log for this request."""
    user = (
        request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    )
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AccessLogEntry.objects.create(
        user=user,
        username=user.get_username() if user else "",
        action=action,
        object_type=object_type[:64],
        object_id=str(object_id)[:64],
        path=request.get_full_path()[:500],
        ip_address=client_ip(request),
        allowed=allowed,
        detail=detail[:500],
    )


def entries_about(obj):
    """Every access-log row about `obj` (views and denied attempts), newest first."""
    return AccessLogEntry.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("-at", "-id")


def find_visible_or_404(request, queryset, *, action: str, **lookup):
    """The object from a user-scoped queryset; else a logged denial and 404.

    The caller writes the row for a successful view itself: a list page about the object
    (a team's cases) writes one row saying what it showed (`record_list_view`).
    A record outside the user's scope answers exactly like one that does not exist, so its
    existence does not leak.
    """
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        record_access(
            request,
            action=action,
            allowed=False,
            object_type=queryset.model._meta.label_lower,
            object_id=",".join(str(value) for value in lookup.values()),
            detail="not found or outside the user's scope",
        )
        raise Http404 from None


def get_visible_or_404(request, queryset, *, action: str, **lookup):
    """The object from a user-scoped queryset, logged as viewed; else a logged denial and 404."""
    obj = find_visible_or_404(request, queryset, action=action, **lookup)
    record_access(request, action=action, obj=obj)
    return obj


def _filter_value(value) -> str:
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _applied(value) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, str | list | tuple | set | dict):
        return bool(value)
    return True


def describe_filters(filters: dict | None) -> str:
    """``search='jo', status='open'`` from the filters that narrow the list (empty ones left
    out); a record (a team, a policy) is named by its id."""
    applied = [
        f"{name}={_filter_value(value)}"
        for name, value in sorted((filters or {}).items())
        if _applied(value)
    ]
    return ", ".join(applied) if applied else "none"


def record_list_view(
    request,
    *,
    action: str,
    count: int,
    what: str = "young people",
    total: int | None = None,
    young_people: int | None = None,
    filters: dict | None = None,
    obj=None,
) -> AccessLogEntry:
    """The one row a page that lists identifiable young people writes for each request.

    It says what was shown: `count` rows of `what` on this page (of `total`, when the list
    is paginated), how many distinct `young_people` they name when the rows are not young
    people themselves (appointments, supervision sessions), and the `filters` applied. `obj`
    is what the list belongs to, if anything (the team of the team view).
    """
    shown = f"{what} shown: {count}"
    if total is not None:
        shown += f" of {total}"
    if young_people is not None:
        shown += f"; young people named: {young_people}"
    return record_access(
        request,
        action=action,
        obj=obj,
        object_type="" if obj is not None else "list",
        detail=f"{shown}; filters: {describe_filters(filters)}",
    )


#: The access-log action of a management command run on the service's data.
COMMAND_ACTION = "command.run"


def record_command(name: str, arguments: list[str]) -> AccessLogEntry:
    """A management command about to run: the operating-system user, the command, its arguments.

    There is no request and no signed-in user: `username` is the account the command runs
    under on the server, and `path` the command line as typed (after ``manage.py``).
    """
    try:
        os_user = getpass.getuser()
    except (KeyError, OSError):  # no login name and no password-database entry (containers)
        os_user = "unknown"
    command_line = " ".join([name, *arguments])
    return AccessLogEntry.objects.create(
        user=None,
        username=os_user[:150],
        action=COMMAND_ACTION,
        object_type="management_command",
        object_id=name[:64],
        path=command_line[:500],
        ip_address=None,
        allowed=True,
        detail=f"operating-system user {os_user} ran manage.py {command_line}"[:500],
    )


_ACTION_LABELS: dict[str, object] = {}


def register_action_labels(labels: dict) -> None:
    """Readable names for access-log actions; each app registers its own in ready()."""
    _ACTION_LABELS.update(labels)


def action_label(action: str):
    return _ACTION_LABELS.get(action, action)
