import pytest
from django.core.management import CommandError, call_command

from accounts import policy
from accounts.models import Agency, Membership, Team, User


def test_seed_demo_refuses_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run when DJANGO_DEBUG is false"):
        call_command("seed_demo")


def test_seed_demo_is_idempotent(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (
        Team.objects.count(),
        Agency.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    call_command("seed_demo")
    assert counts == (
        Team.objects.count(),
        Agency.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    assert counts[0] == 3


def test_demo_psychologist_serves_all_three_teams(db):
    call_command("seed_demo", "--force")
    psychologist = User.objects.get(username="psychologist")
    assert {team.name for team in policy.teams_for(psychologist, "case.read")} == {
        "Flintshire",
        "Blaenau Gwent and Caerphilly",
        "Carmarthenshire",
    }
    assert psychologist.check_password("demo-password-ecm")
