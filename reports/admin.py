"""Administrators set the measures' targets here, like the other reference data; the rules
and the versioning are the service's (`reports.targets`)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import AdminRoleOnly

from . import targets
from .models import MeasureTarget


class MeasureTargetForm(forms.ModelForm):
    class Meta:
        model = MeasureTarget
        fields = targets.FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure_id"] = forms.ChoiceField(
            label=MeasureTarget._meta.get_field("measure_id").verbose_name,
            choices=[("", "---------")]
            + [(measure.id, measure.label) for measure in targets.targetable_measures()],
            help_text=_(
                "Only a measure that is a single number (a count, rate, mean or median) can "
                "have a target"
            ),
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            targets.target_validate(cleaned, exclude_pk=self.instance.pk)
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                self.add_error(field if field in self.fields else None, field_errors)
        return cleaned


@admin.register(MeasureTarget)
class MeasureTargetAdmin(AdminRoleOnly, SimpleHistoryAdmin):
    form = MeasureTargetForm
    list_display = [
        "measure_label",
        "team",
        "direction",
        "value",
        "period_start",
        "period_end",
        "version",
    ]
    list_filter = ["team", "direction"]
    readonly_fields = ["version"]

    @admin.display(description=MeasureTarget._meta.get_field("measure_id").verbose_name)
    def measure_label(self, obj):
        measure = targets.REGISTRY.get(obj.measure_id)
        return measure.label if measure else obj.measure_id

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("team")

    def save_model(self, request, obj, form, change):
        existing = MeasureTarget.objects.get(pk=obj.pk) if change else None
        values = {field: form.cleaned_data[field] for field in targets.FIELDS}
        saved = targets.target_save(values=values, by=request.user, existing=existing)
        obj.pk, obj.version = saved.pk, saved.version
