from django.urls import path

from . import views

app_name = "governance"

urlpatterns = [
    path("", views.review_list, name="retentionreview-list"),
    path(
        "reviews/<int:review_pk>/approve/",
        views.review_approve,
        name="retentionreview-approve",
    ),
    path("runs/", views.run_list, name="retentionrun-list"),
    path("holds/", views.hold_list, name="legalhold-list"),
    path("holds/new/", views.hold_create, name="legalhold-create"),
    path("holds/<int:hold_pk>/release/", views.hold_release, name="legalhold-release"),
]
