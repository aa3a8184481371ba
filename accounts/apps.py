from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and teams")

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers
        from .access_log import COMMAND_ACTION, register_action_labels
        from .services import CHANGED, GRANTED, REFUSED, REVOKED

        register_action_labels(
            {
                COMMAND_ACTION: _("Ran a management command on the server"),
                GRANTED: _("Role given"),
                CHANGED: _("Role changed"),
                REVOKED: _("Role removed"),
                REFUSED: _("Role refused"),
            }
        )
