from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Records governance")

    def ready(self):
        from accounts import navigation, policy
        from accounts.access_log import register_action_labels
        from accounts.models import Role
        from cases import panels
        from cases.services import EventDetail, register_event_details, register_event_labels

        from . import holds, retention, schedules, tasks  # noqa: F401
        from .views import hold_panel

        # Approving a retention review (and editing the rules) is the administrator's: they
        # see references and dates, never the records (DESIGN.md section 6).
        policy.register(schedules.REVIEW_CAPABILITY, {Role.ADMIN: policy.ALL})
        # A legal hold: the managers of the case's team, and administrators.
        policy.register(holds.HOLD_CAPABILITY, {Role.MANAGER: policy.TEAMS, Role.ADMIN: policy.ALL})
        navigation.register(
            label=_("Retention"),
            url_name="governance:retentionreview-list",
            capability=schedules.REVIEW_CAPABILITY,
            order=92,
        )
        navigation.register(
            label=_("Legal holds"),
            url_name="governance:legalhold-list",
            capability=holds.HOLD_CAPABILITY,
            order=93,
        )
        # The record page shows the managers whether the case is on legal hold.
        panels.register(
            panels.CasePanel(
                code="legal_hold",
                template="governance/_legalhold_panel.html",
                context=hold_panel,
                order=200,
            )
        )
        register_action_labels(
            {
                "retention.review": _("Viewed the retention review"),
                "retention.approve": _("Approved a retention review"),
                "retention.runs": _("Viewed the retention runs"),
                "retention.hold": _("Viewed, placed or released a legal hold"),
            }
        )
        register_event_labels(
            {
                holds.PLACED_EVENT: _("Put on legal hold"),
                holds.RELEASED_EVENT: _("Legal hold released"),
                retention.ANONYMISED_EVENT: _("Anonymised under the retention schedule"),
            }
        )
        register_event_details(
            {
                "hold": EventDetail(_("Legal hold"), "hidden"),
                "release_reason": EventDetail(_("Reason for the release")),
                "run": EventDetail(_("Retention run"), "hidden"),
                "rule": EventDetail(_("Retention rule"), "hidden"),
            }
        )
