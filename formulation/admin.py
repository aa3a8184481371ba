"""Reference data only: the distance-travelled domains. Formulations are never here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import AdminRoleOnly

from .models import DistanceDomain


@admin.register(DistanceDomain)
class DistanceDomainAdmin(AdminRoleOnly, SimpleHistoryAdmin):
    list_display = ["code", "name", "name_cy", "order", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name", "name_cy"]
