from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partner agencies")

    def ready(self):
        from accounts import navigation, policy
        from accounts.access_log import register_action_labels
        from accounts.models import Role
        from cases import panels
        from cases.selectors import register_timeline_kind
        from cases.services import EventDetail, register_event_details, register_event_labels
        from formulation.models import InterventionStatus

        from . import timeline
        from .models import InvitationAnswer
        from .views import panel_context

        # Partners act service-wide in the policy's terms; which young people they reach is
        # their agency's work, worked out per request by `selectors.young_people_for_partner`.
        policy.register("partner.work", {Role.PARTNER: policy.ALL})
        # Handing plan items over after the order: the young person's practitioner and
        # their team's manager (DESIGN.md section 6: the roles that edit the case).
        policy.register(
            "partner.handover", {Role.PRACTITIONER: policy.TEAMS, Role.MANAGER: policy.TEAMS}
        )
        navigation.register(
            label=_("Your young people"),
            url_name="partners:home",
            capability="partner.work",
            order=1,
        )
        register_action_labels(
            {
                "partner.home": _("Partner agency: viewed their young people"),
                "partner.youngperson.view": _("Partner agency: viewed a young person"),
                "partner.item.view": _("Partner agency: opened a plan item"),
                "partner.action.view": _("Partner agency: opened an agreed action"),
                "partner.contact.view": _("Partner agency: opened the contact form"),
                "partner.invitation.view": _("Partner agency: opened a meeting invitation"),
                "partner.handover": _("Opened or saved a handover to a partner agency"),
            }
        )
        register_event_labels(
            {
                "partner.item_updated": _("Partner agency updated a plan item"),
                "partner.action_done": _("Partner agency marked an agreed action done"),
                "partner.contact_recorded": _("Partner agency recorded a contact"),
                "partner.invitation_answered": _("Partner agency answered a meeting invitation"),
                "partner.item_handed_over": _("Plan item handed over to a partner agency"),
                "partner.handover_ended": _("Handover to a partner agency ended early"),
            }
        )
        register_event_details(
            {
                "partner_agency": EventDetail(_("Agency")),
                "item_title": EventDetail(_("Plan item")),
                "plan_status": EventDetail(_("Status"), InterventionStatus),
                "previous_status": EventDetail(_("Status before"), InterventionStatus),
                "action_description": EventDetail(_("Agreed action")),
                "invitation_answer": EventDetail(_("Answer"), InvitationAnswer),
                "handed_over_until": EventDetail(_("Handed over until"), "date"),
                "handover_reason": EventDetail(_("Reason")),
                "partner_contact": EventDetail("", "hidden"),
                "agreed_action": EventDetail("", "hidden"),
                "invitation": EventDetail("", "hidden"),
            }
        )
        register_timeline_kind(timeline.CONTACT)
        register_timeline_kind(timeline.UPDATE)
        panels.register(
            panels.CasePanel(
                code="partners",
                template="partners/panel.html",
                context=panel_context,
                order=25,
            )
        )
