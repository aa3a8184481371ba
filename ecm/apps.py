from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class ECMConfig(AppConfig):
    name = "ecm"
    verbose_name = _("ECM case management")

    def ready(self):
        from accounts import navigation
        from accounts.access_log import register_action_labels

        register_action_labels({"home.view": _("Viewed their home page")})
        navigation.register(label=_("Home"), url_name="home", capability=None, order=0)
        navigation.register(
            label=_("Administration"), url_name="admin:index", capability="admin.site", order=90
        )


class ECMAdminConfig(AdminConfig):
    """The Django admin, for administrators only: users, teams and reference data."""

    default_site = "ecm.admin_site.ECMAdminSite"
