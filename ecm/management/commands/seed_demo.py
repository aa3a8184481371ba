"""Demonstration data: three Welsh YOTs, partner agencies and one account per role.

Idempotent: running it again updates what is there instead of adding duplicates. Refuses to
run outside a demonstration (ECM_DEMO) or debug mode unless forced.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction

from accounts.demo import DEMO_PASSWORD
from accounts.management.base import AccessLoggedCommand
from accounts.models import Agency, Membership, Role, Team, User
from cases.models import NeedCategory, TRMStage
from cases.reference_data import ensure_defaults
from ecm.demo_cases import seed_formulation_and_supervision, seed_young_people

TEAMS = [
    ("flintshire", "Flintshire"),
    ("blaenau-gwent-caerphilly", "Blaenau Gwent and Caerphilly"),
    ("carmarthenshire", "Carmarthenshire"),
]

AGENCIES = [
    ("facts", "FACTS (Forensic Adolescent Consultation and Treatment Service)"),
    ("police", "Police"),
    ("education", "Education"),
    ("health", "Health / CAMHS"),
    ("childrens_services", "Children's services"),
    ("substance_misuse", "Substance misuse service"),
    ("housing", "Housing"),
]

#: username, first name, last name, agency code, [(role, team code or None)]
ACCOUNTS = [
    ("practitioner", "Rhian", "Evans", None, [(Role.PRACTITIONER, "flintshire")]),
    ("practitioner2", "Gareth", "Price", None, [(Role.PRACTITIONER, "carmarthenshire")]),
    ("manager", "Sioned", "Hughes", None, [(Role.MANAGER, "flintshire")]),
    (
        "psychologist",
        "Dr Alys",
        "Morgan",
        "facts",
        [(Role.PSYCHOLOGIST, code) for code, _name in TEAMS],
    ),
    ("evaluator", "Tomos", "Jenkins", None, [(Role.EVALUATOR, None)]),
    # Further practitioners, so every team has casework and cases can be reallocated.
    ("practitioner3", "Dafydd", "Owen", None, [(Role.PRACTITIONER, "flintshire")]),
    ("practitioner4", "Bethan", "Rees", None, [(Role.PRACTITIONER, "blaenau-gwent-caerphilly")]),
    ("admin", "Elin", "Roberts", None, [(Role.ADMIN, None)]),
]


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
            teams = self._teams()
            agencies = self._agencies()
            accounts = self._accounts(teams, agencies)
            ensure_defaults(NeedCategory, TRMStage)
            new_people = seed_young_people()
            meetings, sessions = seed_formulation_and_supervision()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(teams)} teams, {len(agencies)} agencies, "
                f"{accounts} accounts (password: {DEMO_PASSWORD}), "
                f"{new_people} young people, {meetings} formulation meetings and {sessions} "
                "supervision sessions added."
            )
        )

    def _teams(self):
        return {
            code: Team.objects.update_or_create(code=code, defaults={"name": name})[0]
            for code, name in TEAMS
        }

    def _agencies(self):
        return {
            code: Agency.objects.update_or_create(code=code, defaults={"name": name})[0]
            for code, name in AGENCIES
        }

    def _accounts(self, teams, agencies):
        for username, first_name, last_name, agency_code, roles in ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first_name,
                    "last_name": last_name,
                    "email": f"{username}@example.org",
                    "staff_ref": f"demo-{username}",
                },
            )
            user.agency = agencies.get(agency_code)
            user.is_active = True
            if created or not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
            user.save()
            for role, team_code in roles:
                Membership.objects.get_or_create(
                    user=user, role=role, team=teams[team_code] if team_code else None
                )
        return len(ACCOUNTS)
