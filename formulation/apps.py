from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormulationConfig(AppConfig):
    name = "formulation"
    verbose_name = _("Formulation")

    def ready(self):
        from cases import panels

        from .views import panel_context
        from .warnings import register_all

        register_all()
        # The record page (owned by `cases`) shows the latest formulation's headline and
        # links to the meetings and the plan. No navigation entry: formulation is reached
        # from the record page.
        panels.register(
            panels.CasePanel(
                code="formulation",
                template="formulation/panel.html",
                context=panel_context,
                order=20,
            )
        )
