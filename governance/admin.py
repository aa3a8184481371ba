"""Administrators edit the retention rules here, like the other reference data; the rules
and the versioning are the service's (`governance.schedules`)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import AdminRoleOnly

from . import schedules
from .models import RetentionRule


class RetentionRuleForm(forms.ModelForm):
    class Meta:
        model = RetentionRule
        fields = schedules.FIELDS

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            schedules.rule_validate(cleaned, exclude_pk=self.instance.pk)
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                self.add_error(field if field in self.fields else None, field_errors)
        return cleaned


@admin.register(RetentionRule)
class RetentionRuleAdmin(AdminRoleOnly, SimpleHistoryAdmin):
    form = RetentionRuleForm
    list_display = [
        "case_kind",
        "team",
        "years",
        "counted_from",
        "in_force_from",
        "in_force_until",
        "version",
    ]
    list_filter = ["case_kind", "team"]
    readonly_fields = ["version"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("team")

    def save_model(self, request, obj, form, change):
        existing = RetentionRule.objects.get(pk=obj.pk) if change else None
        values = {field: form.cleaned_data[field] for field in schedules.FIELDS}
        saved = schedules.rule_save(values=values, by=request.user, existing=existing)
        obj.pk, obj.version = saved.pk, saved.version
