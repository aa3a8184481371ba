from django.urls import path

from .exchange import views as exchange_views

app_name = "reports"

urlpatterns = [
    path("exchange/import/", exchange_views.exchange_import, name="exchange-import"),
    path(
        "exchange/import/<int:pk>/",
        exchange_views.exchange_import_detail,
        name="exchange-import-detail",
    ),
    path(
        "exchange/import/<int:pk>/status/",
        exchange_views.exchange_import_status,
        name="exchange-import-status",
    ),
]

# Measures, report runs and the managers' action lists (reports/views.py).
from . import views  # noqa: E402

urlpatterns += [
    path("measures/", views.measure_list, name="measure-list"),
    path("runs/", views.run_list, name="run-list"),
    path("runs/new/", views.run_create, name="run-create"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("runs/<int:pk>/status/", views.run_status, name="run-status"),
    path("runs/<int:pk>/files/<slug:kind>/", views.run_download, name="run-download"),
    path("action-lists/", views.action_list, name="action-list"),
    path("subject-access/<int:pk>/", views.subject_access, name="subject-access"),
]
