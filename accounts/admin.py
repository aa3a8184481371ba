"""Administration of users, teams and agencies. Case data is never registered here."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from . import policy
from .models import Agency, Membership, Team, User


class AdminRoleOnly:
    """Every admin permission comes from the service's admin role, not Django's flags."""

    def _is_admin(self, request):
        return policy.may(request.user, "admin.site")

    def has_module_permission(self, request):
        return self._is_admin(request)

    def has_view_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_add_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_change_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return False  # archive (deactivate) instead; nothing is lost


@admin.register(Team)
class TeamAdmin(AdminRoleOnly, SimpleHistoryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Agency)
class AgencyAdmin(AdminRoleOnly, SimpleHistoryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class MembershipInline(AdminRoleOnly, admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["team"]

    def has_delete_permission(self, request, obj=None):
        return self._is_admin(request)  # ending a role is removing its membership


@admin.register(User)
class UserAdmin(AdminRoleOnly, DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_active", "staff_ref"]
    list_filter = ["is_active", "memberships__role", "memberships__team"]
    search_fields = ["username", "first_name", "last_name", "email", "staff_ref"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Personal details"),
            {"fields": ("first_name", "last_name", "email", "staff_ref", "agency")},
        ),
        (
            _("Status"),
            {
                "fields": ("is_active",),
                "description": _("Staff created by import cannot sign in until activated here."),
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]


def _reregister_for_admin_role(model, admin_class, *, may_delete):
    """Third-party admins (two-factor devices, lockouts) follow the admin role too."""
    attrs = {}
    if may_delete:
        attrs["has_delete_permission"] = lambda self, request, obj=None: self._is_admin(request)
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(
        model, type(f"AdminRole{admin_class.__name__}", (AdminRoleOnly, admin_class), attrs)
    )


# Resetting a lost authenticator is deleting its device; unlocking a user is deleting the
# lockout record. Both are administrators' jobs.
_reregister_for_admin_role(TOTPDevice, TOTPDeviceAdmin, may_delete=True)
_reregister_for_admin_role(AccessAttempt, AccessAttemptAdmin, may_delete=True)
