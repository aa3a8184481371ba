from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "work"
    verbose_name = _("Tasks and reminders")

    def ready(self):
        from accounts import navigation, policy
        from accounts.access_log import register_action_labels
        from accounts.models import Role

        from . import tasks  # noqa: F401 - registers the Celery task

        policy.register(
            "tasks.read",
            {
                Role.PRACTITIONER: policy.TEAMS,
                Role.MANAGER: policy.TEAMS,
                Role.PSYCHOLOGIST: policy.TEAMS,
            },
        )
        navigation.register(
            label=_("My tasks"), url_name="work:task-list", capability="tasks.read", order=5
        )
        register_action_labels(
            {
                "tasks.list": _("Viewed their own tasks"),
                "tasks.complete": _("Marked a task done"),
                "notifications.list": _("Viewed their notifications"),
            }
        )
