"""The demonstration's teams, partner agencies and one account per role.

Written with `update_or_create`/`get_or_create`, so a second run updates what is there
instead of adding duplicates. The scale data reuses the agencies.
"""

from accounts.demo import DEMO_PASSWORD
from accounts.models import Agency, Membership, Role, Team, User

#: code, English name, Welsh name
TEAMS = [
    ("flintshire", "Flintshire", "Sir y Fflint"),
    ("blaenau-gwent-caerphilly", "Blaenau Gwent and Caerphilly", "Blaenau Gwent a Chaerffili"),
    ("carmarthenshire", "Carmarthenshire", "Sir Gaerfyrddin"),
]

#: code, English name, Welsh name
AGENCIES = [
    (
        "facts",
        "FACTS (Forensic Adolescent Consultation and Treatment Service)",
        "FACTS (Gwasanaeth Ymgynghori a Thriniaeth Fforensig i'r Glasoed)",
    ),
    ("police", "Police", "Heddlu"),
    ("education", "Education", "Addysg"),
    ("health", "Health / CAMHS", "Iechyd / CAMHS"),
    ("childrens_services", "Children's services", "Gwasanaethau plant"),
    ("substance_misuse", "Substance misuse service", "Gwasanaeth camddefnyddio sylweddau"),
    ("housing", "Housing", "Tai"),
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
        [(Role.PSYCHOLOGIST, code) for code, *_names in TEAMS],
    ),
    ("evaluator", "Tomos", "Jenkins", None, [(Role.EVALUATOR, None)]),
    # Further practitioners, so every team has casework and cases can be reallocated.
    ("practitioner3", "Dafydd", "Owen", None, [(Role.PRACTITIONER, "flintshire")]),
    ("practitioner4", "Bethan", "Rees", None, [(Role.PRACTITIONER, "blaenau-gwent-caerphilly")]),
    ("admin", "Elin", "Roberts", None, [(Role.ADMIN, None)]),
    # Partner agency workers (issue 18): an agency, no team.
    ("partner-education", "Catrin", "Lloyd", "education", [(Role.PARTNER, None)]),
    ("partner-camhs", "Owain", "Bowen", "health", [(Role.PARTNER, None)]),
]


def seed_teams() -> dict[str, Team]:
    return {
        code: Team.objects.update_or_create(code=code, defaults={"name": name, "name_cy": name_cy})[
            0
        ]
        for code, name, name_cy in TEAMS
    }


def seed_agencies() -> dict[str, Agency]:
    return {
        code: Agency.objects.update_or_create(
            code=code, defaults={"name": name, "name_cy": name_cy}
        )[0]
        for code, name, name_cy in AGENCIES
    }


def seed_accounts(teams: dict[str, Team], agencies: dict[str, Agency]) -> int:
    """Every demonstration account, active and with the published password; returns how many."""
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
