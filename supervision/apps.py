from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self):
        from accounts import navigation
        from accounts.access_log import register_action_labels
        from cases import panels
        from cases.services import EventDetail, register_event_details, register_event_labels

        register_action_labels(
            {
                "supervision.list": _("Viewed the list of supervision sessions"),
                "supervision.view": _("Viewed a supervision session"),
                "supervision.edit": _("Opened or saved a supervision session"),
            }
        )
        register_event_labels({"supervision.discussed": _("Discussed in clinical supervision")})
        register_event_details(
            {"held_on": EventDetail(_("Date held"), "date"), "session": EventDetail("", "hidden")}
        )

        from cases.selectors import register_timeline_kind

        from . import timeline
        from .views import panel_context

        register_timeline_kind(timeline.NOTE)
        register_timeline_kind(timeline.ACTION)

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
