"""URLs of clinical supervision (`supervision:`)."""

from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("sessions/", views.session_list, name="session-list"),
    path("sessions/new/", views.session_create, name="session-create"),
    path("sessions/<int:session_pk>/", views.session_detail, name="session-detail"),
    path("sessions/<int:session_pk>/edit/", views.session_edit, name="session-edit"),
    path("actions/<int:action_pk>/done/", views.action_complete, name="action-complete"),
    path("young-people/<int:pk>/oversight/", views.oversight_history, name="oversight-history"),
    path("young-people/<int:pk>/oversight/new/", views.oversight_create, name="oversight-create"),
    path("oversight/<int:entry_pk>/edit/", views.oversight_edit, name="oversight-edit"),
    path(
        "oversight/actions/<int:action_pk>/done/",
        views.oversight_action_complete,
        name="oversight-action-complete",
    ),
]
