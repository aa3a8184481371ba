"""URLs of formulation meetings, formulations and the intervention plan (`formulation:`)."""

from django.urls import path

from . import views

app_name = "formulation"

urlpatterns = [
    # Meetings and formulations of one young person
    path("young-people/<int:pk>/", views.meeting_list, name="meeting-list"),
    path("young-people/<int:pk>/meetings/new/", views.meeting_create, name="meeting-create"),
    path("meetings/<int:meeting_pk>/attendance/", views.attendance_edit, name="attendance-edit"),
    path(
        "meetings/<int:meeting_pk>/formulation/",
        views.formulation_edit,
        name="formulation-edit",
    ),
    path(
        "meetings/<int:meeting_pk>/distance/",
        views.distance_edit,
        name="distance-edit",
    ),
    path(
        "meetings/<int:meeting_pk>/summary/",
        views.formulation_summary,
        name="formulation-summary",
    ),
    path("meetings/<int:meeting_pk>/summary.pdf", views.formulation_pdf, name="formulation-pdf"),
    path("actions/<int:action_pk>/done/", views.action_complete, name="action-complete"),
    # The intervention plan
    path("young-people/<int:pk>/plan/", views.plan, name="plan"),
    path("young-people/<int:pk>/plan/new/", views.item_create, name="item-create"),
    path("young-people/<int:pk>/plan/<int:item_pk>/edit/", views.item_edit, name="item-edit"),
    path(
        "young-people/<int:pk>/appointments/<int:appointment_pk>/intervention/",
        views.appointment_link,
        name="appointment-link",
    ),
]
