from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Case records")

    def ready(self):
        from accounts import navigation, policy
        from accounts.access_log import register_action_labels
        from accounts.models import Role

        from . import panels
        from .change_history import EVENT_DETAILS
        from .services import register_event_details, register_event_labels
        from .views.compliance import ACTION_LABELS as COMPLIANCE_ACTIONS
        from .views.compliance import EVENT_DETAILS as COMPLIANCE_DETAILS
        from .views.compliance import EVENT_LABELS as COMPLIANCE_EVENTS
        from .views.compliance import panel_context as compliance_panel
        from .views.young_people import ACTION_LABELS, EVENT_LABELS
        from .warnings import register_summary

        register_event_labels(EVENT_LABELS)
        register_event_details(EVENT_DETAILS)
        register_event_labels(COMPLIANCE_EVENTS)
        register_event_details(COMPLIANCE_DETAILS)
        # A manager agrees (or not) with a practitioner's lenient decision on a second
        # unacceptable absence (cases.compliance).
        policy.register("compliance.agree", {Role.MANAGER: policy.TEAMS})
        panels.register(
            panels.CasePanel(
                code="compliance",
                template="cases/_compliance_panel.html",
                context=compliance_panel,
                order=60,
            )
        )
        register_summary()

        # Transfer between YOTs (issue 17): the managers of both teams.
        from . import transfers
        from .selectors import register_timeline_kind
        from .views.transfers import ACTION_LABELS as TRANSFER_ACTIONS
        from .views.transfers import EVENT_DETAILS as TRANSFER_DETAILS
        from .views.transfers import EVENT_LABELS as TRANSFER_EVENTS

        policy.register(transfers.CAPABILITY, {Role.MANAGER: policy.TEAMS})
        register_event_labels(TRANSFER_EVENTS)
        register_event_details(TRANSFER_DETAILS)
        register_timeline_kind(transfers.TIMELINE)
        navigation.register(
            label=_("Transfers"),
            url_name="cases:casetransfer-list",
            capability=transfers.CAPABILITY,
            order=35,
        )

        register_action_labels(
            {
                **ACTION_LABELS,
                **COMPLIANCE_ACTIONS,
                **TRANSFER_ACTIONS,
                "case.change": _("Opened or saved a record form"),
                "caseload.list": _("Viewed their own caseload"),
                "appointment.list": _("Viewed their own appointments"),
                "team.view": _("Viewed the team's caseloads"),
                "team.reallocate": _("Opened or used reallocation"),
                "appointment.view": _("Opened an appointment"),
            }
        )

        # "Add a referral" is a button on the caseload page, not a navigation entry.
        navigation.register(
            label=_("My caseload"), url_name="cases:caseload", capability="case.edit", order=10
        )
        navigation.register(
            label=_("Appointments"),
            url_name="cases:appointment-list",
            capability="case.edit",
            order=20,
        )
        # Managers see the teams they manage, psychologists the teams they serve and
        # practitioners their own team.
        navigation.register(
            label=_("Teams"), url_name="cases:team-list", capability="case.read", order=30
        )
