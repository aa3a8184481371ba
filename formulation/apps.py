from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormulationConfig(AppConfig):
    name = "formulation"
    verbose_name = _("Formulation")

    def ready(self):
        from .warnings import register_all

        register_all()
