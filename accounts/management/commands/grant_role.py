"""Give a user a role: how the first administrator of a new installation is made.

The role is given through accounts.services, so the separation-of-duties rule applies (an
administrator never holds a case role) and the access log names the person at the keyboard
as "<os user> (command line)".
"""

from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import TEAM_ROLES, Membership, Role, Team, User


class Command(BaseCommand):
    help = "Give USERNAME the ROLE (in team CODE for practitioner, manager, psychologist)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("--team", help="team code, for team roles")

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
        held = Membership.objects.filter(user=user, role=role, team=team_obj).exists()
        try:
            services.membership_grant(
                user=user, role=role, team=team_obj, actor=services.command_line_actor()
            )
        except services.MembershipRefused as refused:
            raise CommandError(" ".join(refused.messages)) from None
        where = f" in {team_obj}" if team_obj else ""
        verb = "already held" if held else "now holds"
        self.stdout.write(self.style.SUCCESS(f"{username} {verb} the {role} role{where}."))
