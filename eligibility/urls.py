"""URLs of eligibility and the ECM pathway. Names follow `eligibility:<thing>-<action>`."""

from django.urls import path

from . import views

app_name = "eligibility"

urlpatterns = [
    path("young-people/<int:pk>/", views.decision_list, name="decision-list"),
    path("young-people/<int:pk>/check/", views.decision_create, name="decision-create"),
    path("decisions/<int:decision_pk>/override/", views.override_create, name="override-create"),
    path("young-people/<int:pk>/start/", views.ecm_start, name="start"),
    path("young-people/<int:pk>/end/", views.ecm_end, name="end"),
    path("what-if/", views.what_if, name="what-if"),
    path("funnel/", views.funnel, name="funnel"),
]
