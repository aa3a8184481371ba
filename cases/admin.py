"""Reference data only: the needs and appointment-purpose vocabularies, the reasons for refusing
or withdrawing, and the TRM stages. Case records are never here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import AdminRoleOnly

from .models import AppointmentPurpose, DisengagementReason, NeedCategory, TRMStage


@admin.register(NeedCategory)
class NeedCategoryAdmin(AdminRoleOnly, SimpleHistoryAdmin):
    list_display = ["code", "name", "name_cy", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "name_cy"]


@admin.register(DisengagementReason)
class DisengagementReasonAdmin(AdminRoleOnly, SimpleHistoryAdmin):
    list_display = ["code", "name", "name_cy", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "name_cy"]


@admin.register(TRMStage)
class TRMStageAdmin(AdminRoleOnly, SimpleHistoryAdmin):
    list_display = ["number", "name", "name_cy"]
    fieldsets = [
        (None, {"fields": ["number", "name", "name_cy"]}),
        (_("In English"), {"fields": ["presenting_behaviour", "underlying_need", "interventions"]}),
        (
            _("In Welsh"),
            {"fields": ["presenting_behaviour_cy", "underlying_need_cy", "interventions_cy"]},
        ),
    ]


@admin.register(AppointmentPurpose)
class AppointmentPurposeAdmin(AdminRoleOnly, SimpleHistoryAdmin):
    list_display = ["code", "name", "name_cy", "sequence", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "name_cy"]
