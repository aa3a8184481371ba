"""Administration of users, teams and agencies. Case data is never registered here."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static import admin as _otp_static_admin  # noqa: F401 - see below
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from . import policy, services
from .access_log import action_label
from .models import (
    Agency,
    DedicatedRole,
    Membership,
    Team,
    TrainingAttendance,
    TrainingCourse,
    UnitCost,
    User,
)
from .rules import membership_refusal


class AdminRoleOnly:
    """Every admin permission comes from the service's admin role, not Django's flags.

    An id that is malformed or names nothing is a 404 on every page of the object (change,
    delete, history), never an error page and never a redirect that hides the mistake.
    """

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

    def _pk_or_404(self, object_id):
        try:
            return self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            raise Http404 from None

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404

    def _exists_or_404(self, request, object_id):
        if object_id is not None and self.get_object(request, unquote(object_id)) is None:
            raise Http404  # before any permission check: a 403 would say nothing, a 500 worse

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._exists_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._exists_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._pk_or_404(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._pk_or_404(object_id)
        if not str(version_id).isdigit():
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Team)
class TeamAdmin(AdminRoleOnly, SimpleHistoryAdmin):
    list_display = ["code", "name", "name_cy"]
    search_fields = ["code", "name", "name_cy"]


@admin.register(Agency)
class AgencyAdmin(AdminRoleOnly, SimpleHistoryAdmin):
    list_display = ["code", "name", "name_cy"]
    search_fields = ["code", "name", "name_cy"]


class TrainingRegisterAdmin(AdminRoleOnly, SimpleHistoryAdmin):
    """The training register's records are saved through accounts.services."""

    def save_model(self, request, obj, form, change):
        services.workforce_record_save(record=obj, by=request.user)


@admin.register(TrainingCourse)
class TrainingCourseAdmin(TrainingRegisterAdmin):
    list_display = ["code", "name", "name_cy", "ecm", "active"]
    list_filter = ["ecm", "active"]
    search_fields = ["code", "name", "name_cy"]


@admin.register(TrainingAttendance)
class TrainingAttendanceAdmin(TrainingRegisterAdmin):
    list_display = ["user", "course", "attended_on"]
    list_filter = ["course"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    date_hierarchy = "attended_on"
    autocomplete_fields = ["user"]
    list_select_related = ["user", "course"]


@admin.register(DedicatedRole)
class DedicatedRoleAdmin(TrainingRegisterAdmin):
    list_display = ["user", "kind", "team", "held_from", "held_to"]
    list_filter = ["kind", "team"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "team"]
    list_select_related = ["user", "team"]


@admin.register(UnitCost)
class UnitCostAdmin(AdminRoleOnly, SimpleHistoryAdmin):
    """Costs are added, never changed: a changed cost is a new one from a later date, so a
    report that used the old one still says so."""

    list_display = ["role", "hourly_cost", "valid_from", "created_at"]
    list_filter = ["role"]
    fields = ["role", "hourly_cost", "valid_from"]

    def has_change_permission(self, request, obj=None):
        return obj is None and self._is_admin(request)

    def save_model(self, request, obj, form, change):
        saved = services.unit_cost_add(
            role=obj.role, hourly_cost=obj.hourly_cost, valid_from=obj.valid_from, by=request.user
        )
        obj.pk = saved.pk


class MembershipFormSet(BaseInlineFormSet):
    """The user's roles as they will be once saved, checked against the separation rule."""

    request = None  # set by MembershipInline.get_formset

    def kept_forms(self):
        return [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and form.cleaned_data.get("role")
            and not self._should_delete_form(form)
        ]

    def final_roles(self, *, besides=None) -> set[str]:
        return {form.cleaned_data["role"] for form in self.kept_forms() if form is not besides}

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        for form in self.kept_forms():
            if form.instance.pk is not None and "role" not in form.changed_data:
                continue
            role = form.cleaned_data["role"]
            reason = membership_refusal(
                self.instance, role, by=self.request.user, held=self.final_roles(besides=form)
            )
            if reason:
                form.add_error("role", reason)
                services.membership_refusal_record(
                    user=self.instance,
                    role=role,
                    team=form.cleaned_data.get("team"),
                    reason=reason,
                    by=self.request.user,
                    request=self.request,
                )


class MembershipInline(AdminRoleOnly, admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 1
    autocomplete_fields = ["team"]

    def has_delete_permission(self, request, obj=None):
        return self._is_admin(request)  # ending a role is removing its membership

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset


@admin.register(User)
class UserAdmin(AdminRoleOnly, DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_active", "staff_ref"]
    list_filter = ["is_active", "memberships__role", "memberships__team"]
    search_fields = ["username", "first_name", "last_name", "email", "staff_ref"]
    inlines = [MembershipInline]
    object_history_template = "admin/accounts/user/object_history.html"
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

    def save_formset(self, request, form, formset, change):
        """Memberships are written through accounts.services (rule checked, access logged)."""
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        user = formset.instance
        by = {"by": request.user, "request": request}
        for membership in formset.deleted_objects:
            services.membership_revoke(membership=membership, **by)
        for membership, _fields in formset.changed_objects:
            services.membership_change(
                membership=membership,
                role=membership.role,
                team=membership.team,
                held=formset.final_roles(),
                **by,
            )
        for membership in formset.new_objects:
            services.membership_grant(
                user=user,
                role=membership.role,
                team=membership.team,
                held=formset.final_roles(),
                **by,
            )

    def history_view(self, request, object_id, extra_context=None):
        user_id = self._pk_or_404(object_id)
        changes = list(services.role_changes(user_id))
        for entry in changes:
            entry.label = action_label(entry.action)
        context = {**(extra_context or {}), "role_changes": changes}
        return super().history_view(request, object_id, context)


class TwoFactorDeviceAdmin(AdminRoleOnly, TOTPDeviceAdmin):
    """Authenticator apps: an administrator may see that one exists and delete it (so a user
    who lost a phone can enrol again), but never sees or sets its secret key."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self._is_admin(request)

    def config_view(self, request, pk):
        raise Http404  # the key and its QR code are the user's alone

    def qrcode_view(self, request, pk):
        raise Http404


class LockoutAdmin(AdminRoleOnly, AccessAttemptAdmin):
    """Unlocking a user is deleting the lockout record: an administrator's job."""

    def has_delete_permission(self, request, obj=None):
        return self._is_admin(request)


def _register(model, admin_class):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, admin_class)


_register(TOTPDevice, TwoFactorDeviceAdmin)
_register(AccessAttempt, LockoutAdmin)

# Not offered to administrators: Django's groups (permissions come from the service's roles,
# never from groups), backup codes (the service enrols authenticator apps only; the static
# device plugin is imported above so that its registration has happened before it is undone)
# and django-axes' sign-in logs (failed sign-ins are in the service's own access log). None
# was usable by an administrator anyway: they answered 403 for want of Django permission flags.
for _model in (Group, StaticDevice, AccessLog, AccessFailureLog):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
