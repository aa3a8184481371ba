from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _sqlite_functions(sender, connection, **kwargs):
    """Give SQLite the calendar-month arithmetic that PostgreSQL has built in."""
    if connection.vendor == "sqlite":
        from .scope import sqlite_add_months

        connection.connection.create_function(
            "ecm_add_months", 2, sqlite_add_months, deterministic=True
        )


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        connection_created.connect(_sqlite_functions, dispatch_uid="ecm_sqlite_functions")

        # Registers the Celery tasks in every process (the web one too), since the services
        # queue them by name (`reports.queue`).
        from accounts import navigation, policy
        from accounts.models import Role

        from . import tasks  # noqa: F401

        # Requesting report runs: evaluators on every team (aggregates and the pseudonymised
        # dataset), managers on their own teams (aggregates). The dataset itself still needs
        # `reports.evaluation`, the managers' action lists `reports.management`.
        policy.register("reports.run", {Role.EVALUATOR: policy.ALL, Role.MANAGER: policy.TEAMS})
        # Targets for the measures are reference data: administrators set them (issue 16).
        policy.register("reports.targets.edit", {Role.ADMIN: policy.ALL})
        # A young person's subject access bundle: the managers of the case's team (issue 17).
        policy.register("subject_access.request", {Role.MANAGER: policy.TEAMS})

        from cases import panels, summary
        from cases.models import Appointment, Breach, Consent, CustodyEpisode, Need, Offence
        from eligibility.models import EligibilityDecision, EligibilityOverride
        from formulation.models import FormulationMeeting, InterventionItem, MeetingAttendance

        from .comparison import build as comparison
        from .facts import (
            APPOINTMENT_FACTS,
            MEETING_FACTS,
            STANDING_FACTS,
            stored_appointment_facts,
            stored_meeting_facts,
            stored_purpose_counts,
            stored_standing_facts,
        )
        from .measures.meetings import stored_agency_attendance, stored_meeting_numbers
        from .models import (
            AgencyAttendanceFacts,
            AppointmentFacts,
            AppointmentPurposeFacts,
            ComparisonFacts,
            MeetingFacts,
            MeetingNumberFacts,
            StandingFacts,
        )
        from .team_targets import team_panel

        def person_of(record):
            return record.young_person_id

        def person_of_override(override):
            return override.decision.young_person_id

        def person_of_attendance(attendance):
            return attendance.meeting.young_person_id

        # Each young person's appointment facts from the ECM start, kept true on every write
        # of an appointment or of the young person (their start date) for the runs to read.
        summary.register(
            summary.SummaryTable(
                model=AppointmentFacts,
                columns=dict.fromkeys([*APPOINTMENT_FACTS, "latest_day"]),
                sources=(summary.Source(Appointment, person_of),),
                compute=stored_appointment_facts,
                follows_young_person=True,
            )
        )
        # The same appointments counted by purpose: a row per young person and purpose.
        summary.register(
            summary.SummaryTable(
                model=AppointmentPurposeFacts,
                columns=dict.fromkeys(["purpose_id", "appointments"]),
                sources=(summary.Source(Appointment, person_of),),
                compute=stored_purpose_counts,
                follows_young_person=True,
                many=True,
            )
        )

        # The facts no run parameter changes (eligibility, consent, needs and the plan) and
        # those only the follow-up months change (offences, breaches, custody).
        summary.register(
            summary.SummaryTable(
                model=StandingFacts,
                columns=dict.fromkeys(STANDING_FACTS),
                sources=(
                    summary.Source(EligibilityDecision, person_of),
                    summary.Source(EligibilityOverride, person_of_override),
                    summary.Source(Consent, person_of),
                    summary.Source(Need, person_of),
                    summary.Source(InterventionItem, person_of),
                    summary.Source(Offence, person_of),
                    summary.Source(Breach, person_of),
                    summary.Source(CustodyEpisode, person_of),
                ),
                compute=stored_standing_facts,
                follows_young_person=True,
            )
        )

        # The formulation meetings' facts with no as-of date, at the default window for the
        # first formulation; an agency's attendance changes the agency minutes.
        summary.register(
            summary.SummaryTable(
                model=MeetingFacts,
                columns=dict.fromkeys([*MEETING_FACTS, "window_days", "latest_costed_on"]),
                sources=(
                    summary.Source(FormulationMeeting, person_of),
                    summary.Source(MeetingAttendance, person_of_attendance),
                ),
                compute=stored_meeting_facts,
                follows_young_person=True,
            )
        )
        # The meetings held numbered, with the agencies that came; and each agency's
        # invitations and attendance: a row per meeting, and per agency invited.
        for model, columns, compute in (
            (MeetingNumberFacts, ["number", "agencies_attended"], stored_meeting_numbers),
            (AgencyAttendanceFacts, ["agency_id", "invited", "attended"], stored_agency_attendance),
        ):
            summary.register(
                summary.SummaryTable(
                    model=model,
                    columns=dict.fromkeys(columns),
                    sources=(
                        summary.Source(FormulationMeeting, person_of),
                        summary.Source(MeetingAttendance, person_of_attendance),
                    ),
                    compute=compute,
                    many=True,
                )
            )

        # The comparison report's index dates and what is counted around them, at its
        # default follow-up months; the index date is the ECM start, if any.
        summary.register(
            summary.SummaryTable(
                model=ComparisonFacts,
                columns=dict.fromkeys(["index_on", *comparison.STORED]),
                sources=(
                    summary.Source(EligibilityDecision, person_of),
                    summary.Source(EligibilityOverride, person_of_override),
                    summary.Source(Offence, person_of),
                    summary.Source(Breach, person_of),
                    summary.Source(Need, person_of),
                ),
                compute=comparison.stored_comparison_facts,
                follows_young_person=True,
            )
        )

        panels.register(
            panels.TeamPanel(
                code="measure_targets", template="reports/_team_targets.html", context=team_panel
            )
        )
        navigation.register(
            label=_("Reports"), url_name="reports:run-list", capability="reports.run", order=60
        )
        navigation.register(
            label=_("Action lists"),
            url_name="reports:action-list",
            capability="reports.management",
            order=61,
        )
        navigation.register(
            label=_("Import data"),
            url_name="reports:exchange-import",
            capability="admin.site",
            order=91,
        )

        from django.utils.text import format_lazy

        from accounts.access_log import register_action_labels
        from cases.services import EventDetail, register_event_details, register_event_labels

        from .exchange import ACCESS_LOG_LABELS, EVENT_LABELS, schema

        register_event_labels(EVENT_LABELS)
        # An import's "updated" event counts the rows it took from each file.
        register_event_details(
            {
                spec.name: EventDetail(format_lazy(_("Rows taken from {file}"), file=spec.name))
                for spec in schema.FILES
            }
        )
        register_action_labels(
            {
                **ACCESS_LOG_LABELS,
                "report.view": _("Viewed a report"),
                "report.download": _("Downloaded a report file"),
                "report.action_list": _("Viewed the action lists"),
                "subject_access.request": _("Requested a subject access bundle"),
                "subject_access.download": _("Downloaded a subject access bundle"),
            }
        )
