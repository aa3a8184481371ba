from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:pk>/", views.young_person_detail, name="youngperson-detail"),
    path("<int:pk>/plan/<int:item_pk>/", views.item_update, name="interventionitem-update"),
    path(
        "<int:pk>/actions/<int:action_pk>/done/",
        views.action_complete,
        name="agreedaction-complete",
    ),
    path("<int:pk>/contacts/new/", views.contact_create, name="partnercontact-create"),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/",
        views.invitation_answer,
        name="invitation-answer",
    ),
    # The YOT's pages for continuity after the order.
    path("young-people/<int:pk>/handover/", views.handover_create, name="itemhandover-create"),
    path(
        "young-people/<int:pk>/handover/<int:handover_pk>/end/",
        views.handover_end,
        name="itemhandover-end",
    ),
]
