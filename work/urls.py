from django.urls import path

from . import views

app_name = "work"

urlpatterns = [
    path("tasks/", views.task_list, name="task-list"),
    path("tasks/follow-ups/<int:pk>/done/", views.follow_up_complete, name="follow-up-complete"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read/", views.notification_read_all, name="notification-read-all"),
    path("notifications/settings/", views.notification_settings, name="notification-settings"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
]
