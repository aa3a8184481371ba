from functools import wraps

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts import policy


class ECMAdminSite(admin.AdminSite):
    """Open only to holders of the admin role; signing in goes through the service's page."""

    site_header = _("ECM case management – administration")
    site_title = _("ECM administration")
    index_title = _("Users, teams and reference data")

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_authenticated and policy.may(user, "admin.site")

    def admin_view(self, view, cacheable=False):
        """Anonymous users go to the service's sign-in; signed-in non-admins get a 403."""
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return guarded

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            # Signed in without the admin role: refuse rather than loop back to sign-in.
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next") or request.get_full_path())
