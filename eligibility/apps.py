from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EligibilityConfig(AppConfig):
    name = "eligibility"
    verbose_name = _("Eligibility")

    def ready(self):
        from accounts import navigation
        from accounts.access_log import register_action_labels
        from cases import panels
        from cases.models import EndReason
        from cases.services import EventDetail, register_event_details, register_event_labels

        register_event_labels(
            {
                "eligibility.checked": _("Eligibility checked"),
                "eligibility.override": _("Eligibility decision overridden"),
                "ecm.started": _("ECM started"),
                "ecm.ended": _("ECM ended"),
            }
        )

        register_event_details(
            {
                "policy": EventDetail(_("Eligibility policy")),
                "eligible": EventDetail(_("Eligible"), "yes_no"),
                "decision": EventDetail("", "hidden"),
                "start_date": EventDetail(_("Start date"), "date"),
                "end_date": EventDetail(_("End date"), "date"),
                "end_reason": EventDetail(_("Reason for ending"), EndReason),
                "young_persons_reasons": EventDetail(_("The young person's reasons")),
            }
        )

        register_action_labels(
            {
                "eligibility.decisions": _("Viewed the eligibility decisions"),
                "eligibility.check": _("Opened or ran an eligibility check"),
                "eligibility.override": _("Opened or made an eligibility override"),
                "ecm.start": _("Opened or used Start ECM"),
                "ecm.end": _("Opened or used End ECM"),
                "eligibility.what_if": _("Viewed the policy what-if"),
            }
        )

        from .views import panel_context

        navigation.register(
            label=_("Referral funnel"),
            url_name="eligibility:funnel",
            capability="reports.management",
            order=40,
        )
        navigation.register(
            label=_("Policy what-if"),
            url_name="eligibility:what-if",
            capability="reports.management",
            order=41,
        )
        # The record page (owned by `cases`) shows the latest decision and the next step.
        panels.register(
            panels.CasePanel(
                code="eligibility",
                template="eligibility/panel.html",
                context=panel_context,
                order=10,
            )
        )
