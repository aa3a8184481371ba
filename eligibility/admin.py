"""Administrators edit eligibility policies here; decisions (case data) are never shown."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import AdminRoleOnly

from . import services
from .models import EligibilityPolicy


class EligibilityPolicyForm(forms.ModelForm):
    class Meta:
        model = EligibilityPolicy
        fields = services.POLICY_FIELDS

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        values = {field: cleaned.get(field) for field in services.POLICY_FIELDS}
        existing = self.instance if self.instance.pk else None
        used = existing is not None and services.policy_is_used(existing)
        try:
            services.policy_validate(
                values,
                exclude_pk=None if used else getattr(existing, "pk", None),
                superseded_pk=existing.pk if used else None,
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                self.add_error(field if field in self.fields else None, field_errors)
        return cleaned


@admin.register(EligibilityPolicy)
class EligibilityPolicyAdmin(AdminRoleOnly, SimpleHistoryAdmin):
    form = EligibilityPolicyForm
    list_display = [
        "name",
        "version",
        "status",
        "effective_from",
        "effective_to",
        "minimum_offences",
        "window_months",
        "minimum_need_categories",
        "statutory_order_required",
        "voluntary_participation_allowed",
    ]
    list_filter = ["status"]
    readonly_fields = ["version", "supersedes", "created_at"]

    def save_model(self, request, obj, form, change):
        original = EligibilityPolicy.objects.get(pk=obj.pk) if change else None
        values = {field: form.cleaned_data[field] for field in services.POLICY_FIELDS}
        saved = services.policy_save(values=values, existing=original)
        if original is not None and saved.pk != original.pk:
            messages.info(
                request,
                _(
                    "%(old)s has been used by eligibility decisions, so your changes were saved as "
                    "a new version, %(new)s."
                )
                % {"old": original, "new": saved},
            )
        request._saved_policy = saved
        obj.pk = saved.pk

    def response_change(self, request, obj):
        saved = getattr(request, "_saved_policy", None)
        if saved is not None and "_continue" in request.POST:
            return redirect("admin:eligibility_eligibilitypolicy_change", saved.pk)
        return super().response_change(request, obj)
