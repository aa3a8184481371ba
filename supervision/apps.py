from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self):
        from accounts import navigation
        from cases import panels

        from .views import panel_context

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
