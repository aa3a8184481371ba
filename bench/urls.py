"""The service's URLs, plus the baseline views the benchmarks compare the pages with."""

from django.urls import include, path

from ecm.urls import handler403, handler404, handler500  # noqa: F401
from ecm.urls import urlpatterns as service_urlpatterns

from . import views

baseline_patterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("appointments/", views.appointments, name="appointment-list"),
    path("teams/<slug:code>/", views.team, name="team-detail"),
    path("young-people/<int:pk>/", views.young_person, name="youngperson-detail"),
    path("young-people/<int:pk>/summary/", views.case_summary, name="youngperson-summary"),
    path("reports/new/", views.report_request, name="run-create"),
    path("tasks/", views.tasks, name="task-list"),
    path("notifications/", views.notifications, name="notification-list"),
    path("home/practitioner/", views.home_practitioner, name="home-practitioner"),
    path("home/manager/", views.home_manager, name="home-manager"),
    path(
        "young-people/<int:pk>/appointments/<int:appointment_pk>/compliance/",
        views.compliance_decision,
        name="compliancedecision-edit",
    ),
    path(
        "young-people/<int:pk>/compliance/<int:decision_pk>/agreement/",
        views.compliance_agreement,
        name="compliancedecision-agree",
    ),
    path("young-people/<int:pk>/oversight/", views.oversight_history, name="oversight-history"),
    path("young-people/<int:pk>/oversight/new/", views.oversight_form, name="oversight-create"),
    path("meetings/<int:meeting_pk>/distance/", views.distance, name="distance-edit"),
    path("retention/", views.retention_review, name="retentionreview-list"),
    path("partners/", views.partner_home, name="partner-home"),
    path("partners/<int:pk>/", views.partner_young_person, name="partner-youngperson-detail"),
]

urlpatterns = [
    *service_urlpatterns,
    path("bench/baseline/", include((baseline_patterns, "bench"), namespace="bench")),
]
