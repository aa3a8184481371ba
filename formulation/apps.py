from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormulationConfig(AppConfig):
    name = "formulation"
    verbose_name = _("Formulation")

    def ready(self):
        from accounts.access_log import register_action_labels
        from cases import panels
        from cases.services import EventDetail, register_event_details, register_event_labels

        from .models import MeetingKind
        from .views import panel_context
        from .warnings import register_all

        register_all()
        from cases import plan_links

        from .services import plan_links_for_cases

        plan_links.register(plan_links_for_cases())
        from cases.transfers import register_open_tasks

        from .models import AgreedAction

        register_open_tasks(
            lambda young_person: AgreedAction.objects.filter(
                formulation__meeting__young_person=young_person, done_on__isnull=True
            )
        )
        register_action_labels(
            {
                "formulation.view": _("Viewed the formulation"),
                "formulation.export": _("Downloaded the formulation summary"),
                "interventionitem.view": _("Opened an intervention"),
            }
        )
        register_event_details(
            {
                "kind": EventDetail(_("Kind of meeting"), MeetingKind),
                "held_on": EventDetail(_("Date held"), "date"),
                "agencies_attending": EventDetail(_("Agencies attending")),
                "trm_stage": EventDetail(_("TRM stage")),
                "domains_rated": EventDetail(_("Areas rated for distance travelled")),
                "meeting": EventDetail("", "hidden"),
                "item": EventDetail("", "hidden"),
            }
        )
        register_event_labels(
            {
                "formulation.meeting_scheduled": _("Formulation meeting scheduled"),
                "formulation.meeting_held": _("Formulation meeting attendance recorded"),
                "formulation.recorded": _("Formulation recorded"),
                "formulation.revised": _("Formulation revised"),
                "formulation.distance_rated": _("Distance travelled rated"),
                "plan.item_added": _("Intervention added to the plan"),
            }
        )
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
