from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self):
        from accounts import navigation, policy
        from accounts.access_log import register_action_labels
        from accounts.models import Role
        from cases import panels
        from cases.services import EventDetail, register_event_details, register_event_labels

        # DESIGN.md section 6: "management oversight entries — write, own teams" (managers);
        # everyone who may read the case record reads them.
        policy.register("oversight.write", {Role.MANAGER: policy.TEAMS})
        register_action_labels(
            {
                "oversight.create": _("Opened or saved management oversight of a case"),
                "oversight.edit": _("Opened or saved a change to management oversight"),
                "oversight.action_complete": _("Marked an oversight action done"),
                "oversight.history": _("Viewed the management oversight history of a case"),
                "supervision.list": _("Viewed the list of supervision sessions"),
                "supervision.view": _("Viewed a supervision session"),
                "supervision.edit": _("Opened or saved a supervision session"),
            }
        )
        register_event_labels(
            {
                "supervision.discussed": _("Discussed in clinical supervision"),
                "oversight.recorded": _("Management oversight recorded"),
            }
        )
        register_event_details(
            {
                "held_on": EventDetail(_("Date held"), "date"),
                "session": EventDetail("", "hidden"),
                "reviewed_on": EventDetail(_("Date of the oversight"), "date"),
            }
        )

        from cases.selectors import register_timeline_kind

        from . import case_counts, timeline, warnings
        from .views import oversight_panel_context, panel_context

        # How many cases each session discussed, for each case's share of its time.
        case_counts.connect()
        register_timeline_kind(timeline.NOTE)
        register_timeline_kind(timeline.ACTION)
        register_timeline_kind(timeline.OVERSIGHT)
        warnings.register_all()
        from cases.transfers import register_open_tasks

        from .models import OversightAction, SupervisionAction

        register_open_tasks(
            lambda young_person: SupervisionAction.objects.filter(
                young_person=young_person, done_on__isnull=True
            )
        )
        register_open_tasks(
            lambda young_person: OversightAction.objects.filter(
                entry__young_person=young_person, done_on__isnull=True
            )
        )

        navigation.register(
            label=_("Supervision"),
            url_name="supervision:session-list",
            capability="supervision.actions.read",
            order=50,
        )
        # The record page shows when the case was discussed and the actions agreed, never
        # the notes (an evaluation recommendation: supervision must reach the case record).
        panels.register(
            panels.CasePanel(
                code="supervision",
                template="supervision/panel.html",
                context=panel_context,
                order=30,
            )
        )
        panels.register(
            panels.CasePanel(
                code="oversight",
                template="supervision/oversight_panel.html",
                context=oversight_panel_context,
                order=31,
            )
        )
