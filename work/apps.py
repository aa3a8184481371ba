from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "work"
    verbose_name = _("Tasks and reminders")

    def ready(self):
        from django.db.models.signals import post_save

        from accounts import navigation, policy
        from accounts.access_log import register_action_labels
        from accounts.backends import register_user_fact
        from accounts.models import Role
        from cases import signals as case_signals
        from cases.models import Appointment, ComplianceDecision

        from . import selectors, signals, tasks  # noqa: F401 - tasks registers the Celery task

        register_user_fact("unread_notifications", selectors.unread_expression)
        from cases.transfers import register_open_tasks

        from .models import FollowUp

        register_open_tasks(
            lambda young_person: FollowUp.objects.filter(
                young_person=young_person, done_on__isnull=True
            )
        )

        post_save.connect(
            signals.attendance_recorded, sender=Appointment, dispatch_uid="work-follow-ups"
        )
        post_save.connect(
            signals.missed_appointment, sender=Appointment, dispatch_uid="work-missed-appointment"
        )
        case_signals.appointments_imported.connect(
            signals.missed_appointments_imported, dispatch_uid="work-missed-imported"
        )
        post_save.connect(
            signals.compliance_decided,
            sender=ComplianceDecision,
            dispatch_uid="work-compliance-decided",
        )

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
