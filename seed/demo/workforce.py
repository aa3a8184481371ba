"""The demonstration's training register, dedicated ECM roles and hourly unit costs.

Dates are counted from the first ECM start of the demonstration's young people, so that the
evaluation's training measures have both answers: Rhian and Bethan were trained before their
first ECM case, Dafydd only months after his, and Gareth has been on TRM awareness only
(which is not ECM training). Keyed on who and what, so a second run changes nothing.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Min

from accounts.models import (
    CostRole,
    DedicatedRole,
    DedicatedRoleKind,
    Team,
    TrainingAttendance,
    TrainingCourse,
    UnitCost,
    User,
)
from accounts.reference_data import ensure_training_courses
from cases.models import YoungPerson

#: username, course code, days from the first ECM start
ATTENDANCE = [
    ("practitioner", "trm_awareness", -120),
    ("practitioner", "ecm_practitioner", -60),
    ("practitioner3", "trm_awareness", -30),
    ("practitioner3", "ecm_practitioner", 150),
    ("practitioner4", "ecm_practitioner", -10),
    ("practitioner2", "trm_awareness", -45),
    ("manager", "ecm_manager", -90),
    ("manager", "ecm_refresher", 300),
]

#: username, team code, role, days from the first ECM start
DEDICATED_ROLES = [
    ("manager", "flintshire", DedicatedRoleKind.LEAD, -90),
    ("practitioner4", "blaenau-gwent-caerphilly", DedicatedRoleKind.CHAMPION, 0),
]

#: role, cost per hour (£), in force from: last year's costs and this year's rise
UNIT_COSTS = [
    (CostRole.PRACTITIONER, "36.00", date(2020, 4, 1)),
    (CostRole.PRACTITIONER, "38.50", date(2025, 4, 1)),
    (CostRole.MANAGER, "47.00", date(2020, 4, 1)),
    (CostRole.PSYCHOLOGIST, "72.00", date(2020, 4, 1)),
    (CostRole.PSYCHOLOGIST, "75.00", date(2025, 4, 1)),
    (CostRole.AGENCY, "35.00", date(2020, 4, 1)),
]


def seed_workforce(today: date) -> None:
    ensure_training_courses(TrainingCourse)
    first_start = YoungPerson.objects.aggregate(first=Min("ecm_start_date"))[
        "first"
    ] or today - timedelta(days=365)
    usernames = {row[0] for row in [*ATTENDANCE, *DEDICATED_ROLES]}
    users = User.objects.in_bulk(usernames, field_name="username")
    courses = TrainingCourse.objects.in_bulk(field_name="code")
    teams = Team.objects.in_bulk(field_name="code")
    for username, code, days in ATTENDANCE:
        TrainingAttendance.objects.get_or_create(
            user=users[username],
            course=courses[code],
            defaults={"attended_on": min(today, first_start + timedelta(days=days))},
        )
    for username, team_code, kind, days in DEDICATED_ROLES:
        DedicatedRole.objects.get_or_create(
            user=users[username],
            team=teams[team_code],
            kind=kind,
            defaults={"held_from": first_start + timedelta(days=days)},
        )
    for role, cost, valid_from in UNIT_COSTS:
        UnitCost.objects.get_or_create(
            role=role, valid_from=valid_from, defaults={"hourly_cost": Decimal(cost)}
        )
