"""Demonstration data: three Welsh YOTs, partner agencies and one account per role.

Idempotent: running it again updates what is there instead of adding duplicates. Refuses to
run outside a demonstration (ECM_DEMO) or debug mode unless forced.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.management.base import AccessLoggedCommand
from accounts.models import User
from cases.models import AppointmentPurpose, DisengagementReason, NeedCategory, TRMStage
from cases.reference_data import (
    ensure_appointment_purposes,
    ensure_defaults,
    ensure_disengagement_reasons,
)
from formulation.models import DistanceDomain
from formulation.reference_data import ensure_distance_domains
from seed.demo.comparison import seed_comparison_group
from seed.demo.formulation import seed_formulation_and_supervision
from seed.demo.governance import seed_retention
from seed.demo.organisations import seed_accounts, seed_agencies, seed_teams
from seed.demo.partners import seed_partner_work
from seed.demo.service import seed_lockout, seed_report_run, seed_targets
from seed.demo.workforce import seed_workforce
from seed.demo.young_people import seed_young_people
from work import reminders


class Command(AccessLoggedCommand):
    help = "Load demonstration teams, agencies and accounts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though neither ECM_DEMO nor DJANGO_DEBUG is on (not for real data).",
        )

    def handle(self, *args, force=False, **options):
        # The demo (`make run`) runs with DEBUG off, so ECM_DEMO is what allows it.
        if not (settings.ECM_DEMO or settings.DEBUG or force):
            raise CommandError(
                "seed_demo adds demonstration accounts with a published password; it refuses "
                "to run unless ECM_DEMO or DJANGO_DEBUG is true. Use --force only on a "
                "throwaway database."
            )
        with transaction.atomic():
            teams = seed_teams()
            agencies = seed_agencies()
            accounts = seed_accounts(teams, agencies)
            ensure_defaults(NeedCategory, TRMStage)
            ensure_appointment_purposes(AppointmentPurpose)
            ensure_disengagement_reasons(DisengagementReason)
            ensure_distance_domains(DistanceDomain)
            new_people = seed_young_people()
            new_people += seed_comparison_group()
            meetings, sessions = seed_formulation_and_supervision()
            seed_partner_work()
            seed_workforce(timezone.localdate())
            seed_lockout()
            seed_targets(User.objects.get(username="admin"))
            new_people += seed_retention(
                practitioner=User.objects.get(username="practitioner"),
                manager=User.objects.get(username="manager"),
            )
        # This morning's reminders, as beat would have sent them before the demo opened.
        reminded = sum(reminders.run()["notifications"].values())
        # The evaluator's first report, run in this process as a worker would have.
        reported = seed_report_run(User.objects.get(username="evaluator"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(teams)} teams, {len(agencies)} agencies, "
                f"{accounts} accounts (password: {DEMO_PASSWORD}), "
                f"{new_people} young people, {meetings} formulation meetings and {sessions} "
                f"supervision sessions added; {reminded} reminders sent today"
                + ("; the evaluator's first report is ready." if reported else ".")
            )
        )
