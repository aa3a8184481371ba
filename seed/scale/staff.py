"""Teams and their staff: practitioners (about one per 15 young people), one or two managers
and a psychologist for every three teams, active but unable to sign in until an
administrator sets a password."""

import math
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from accounts.models import Membership, Role, Team, User
from seed.demo.vocabulary import FAMILY_NAMES
from seed.scale.vocabulary import (
    FEMALE_NAMES,
    MALE_NAMES,
    PEOPLE_PER_PRACTITIONER,
    STAFF_PREFIX,
    TEAM_CODE,
    TEAMS_PER_PSYCHOLOGIST,
    team_name,
    team_name_cy,
)
from seed.scale.writing import Table


@dataclass
class Staff:
    """One team's staff, by user id."""

    practitioners: list  # [(user id, username)]
    managers: list  # [user id]
    psychologist: int


def ensure_teams(generator, count: int) -> tuple[dict[int, Team], int]:
    codes = {index: TEAM_CODE.format(index) for index in range(1, count + 1)}
    existing = set(Team.objects.filter(code__in=codes.values()).values_list("code", flat=True))
    missing = [
        Team(code=code, name=team_name(index), name_cy=team_name_cy(index))
        for index, code in codes.items()
        if code not in existing
    ]
    generator.writer.create(missing)
    teams = {team.code: team for team in Team.objects.filter(code__in=codes.values())}
    return {index: teams[code] for index, code in codes.items()}, len(missing)


def ensure_staff(generator, teams: dict[int, Team], people_per_team: dict[int, int]):
    """Practitioners, managers and psychologists for every team; returns (staff, created)."""
    plan, wanted = _staffing_plan(generator, teams, people_per_team)
    new_users = _users_missing(wanted)
    generator.writer.create(new_users)
    ids = dict(User.objects.filter(username__startswith=STAFF_PREFIX).values_list("username", "id"))
    held = set(
        Membership.objects.filter(user__username__startswith=STAFF_PREFIX).values_list(
            "user_id", "role", "team_id"
        )
    )
    memberships = [
        (ids[username], role, team_id)
        for username, (_agency, roles) in wanted.items()
        for role, team_id in roles
        if (ids[username], role, team_id) not in held
    ]
    generator.writer.insert(
        Table(Membership, ["user_id", "role", "team_id"], resolve=0), memberships
    )
    staff = {
        index: Staff(
            practitioners=[(ids[name], name) for name in practitioners],
            managers=[ids[name] for name in managers],
            psychologist=ids[psychologist],
        )
        for index, (practitioners, managers, psychologist) in plan.items()
    }
    return staff, len(new_users)


def _staffing_plan(generator, teams: dict[int, Team], people_per_team: dict[int, int]):
    """The usernames each team needs; returns (team index -> (practitioners, managers,
    psychologist), username -> (agency id, [(role, team id)]))."""
    wanted = {}
    facts = generator.agencies.get("facts")
    plan: dict[int, tuple[list, list, str]] = {}
    for index, team in teams.items():
        practitioners = [
            f"{STAFF_PREFIX}t{index:03d}-practitioner-{number:02d}"
            for number in range(
                1,
                max(1, math.ceil(people_per_team.get(index, 0) / PEOPLE_PER_PRACTITIONER)) + 1,
            )
        ]
        managers = [
            f"{STAFF_PREFIX}t{index:03d}-manager-{number}"
            for number in range(1, (2 if len(practitioners) >= 8 else 1) + 1)
        ]
        group = (index - 1) // TEAMS_PER_PSYCHOLOGIST + 1
        psychologist = f"{STAFF_PREFIX}psychologist-{group:03d}"
        plan[index] = (practitioners, managers, psychologist)
        for username in practitioners:
            wanted[username] = (None, [(Role.PRACTITIONER, team.pk)])
        for username in managers:
            wanted[username] = (None, [(Role.MANAGER, team.pk)])
        entry = wanted.setdefault(psychologist, (facts.pk if facts else None, []))
        entry[1].append((Role.PSYCHOLOGIST, team.pk))
    return plan, wanted


def _users_missing(wanted: dict) -> list[User]:
    """Unsaved users for the usernames not there yet: named from their username, so the same
    every run, with an unusable password."""
    existing = dict(
        User.objects.filter(username__startswith=STAFF_PREFIX).values_list("username", "id")
    )
    password = make_password(None)  # unusable, hashed once for everyone
    new_users = []
    for username, (agency_id, _roles) in wanted.items():
        if username in existing:
            continue
        names = random.Random(username)  # noqa: S311 - fiction, the same every run
        given = names.choice(MALE_NAMES + FEMALE_NAMES)
        new_users.append(
            User(
                username=username,
                first_name=("Dr " + given) if "psychologist" in username else given,
                last_name=names.choice(FAMILY_NAMES),
                email=f"{username}@example.org",
                password=password,
                staff_ref=username,
                agency_id=agency_id,
                is_active=True,
            )
        )
    return new_users
