"""Writing the access log: every view of a case record, every export, every denied attempt."""

from django.conf import settings
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


def get_visible_or_404(request, queryset, *, action: str, **lookup):
    """The object from a user-scoped queryset, logged as viewed; else a logged denial and 404.

    A record outside the user's scope answers exactly like one that does not exist, so its
    existence does not leak.
    """
    try:
        obj = queryset.get(**lookup)
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
    record_access(request, action=action, obj=obj)
    return obj


_ACTION_LABELS: dict[str, object] = {}


def register_action_labels(labels: dict) -> None:
    """Readable names for access-log actions; each app registers its own in ready()."""
    _ACTION_LABELS.update(labels)


def action_label(action: str):
    return _ACTION_LABELS.get(action, action)
