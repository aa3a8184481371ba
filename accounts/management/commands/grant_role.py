"""Give a user a role: how the first administrator of a new installation is made."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import TEAM_ROLES, Membership, Role, Team, User


class Command(BaseCommand):
    help = "Give USERNAME the ROLE (in team CODE for practitioner, manager, psychologist)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("--team", help="team code, for team roles")

    @transaction.atomic
    def handle(self, *args, username, role, team=None, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user with username {username!r}.") from None
        if role in TEAM_ROLES and not team:
            raise CommandError(f"A {role} needs --team CODE.")
        if role not in TEAM_ROLES and team:
            raise CommandError(f"A {role} works across all teams; leave out --team.")
        team_obj = None
        if team:
            try:
                team_obj = Team.objects.get(code=team)
            except Team.DoesNotExist:
                raise CommandError(f"No team with code {team!r}.") from None
        _membership, created = Membership.objects.get_or_create(user=user, role=role, team=team_obj)
        where = f" in {team_obj}" if team_obj else ""
        verb = "now holds" if created else "already held"
        self.stdout.write(self.style.SUCCESS(f"{username} {verb} the {role} role{where}."))
