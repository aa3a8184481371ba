from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("language/", set_language, name="set_language"),
    path("account/", include("accounts.urls")),
    path("", include("cases.urls")),
    path("formulation/", include("formulation.urls")),
    path("supervision/", include("supervision.urls")),
    path("eligibility/", include("eligibility.urls")),
    path("reports/", include("reports.urls")),
    path("", include("work.urls")),
    path("retention/", include("governance.urls")),
    path("partners/", include("partners.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "ecm.views.permission_denied"
handler404 = "ecm.views.page_not_found"
handler500 = "ecm.views.server_error"
