"""The trial's two policies and the evaluators' suggested widening (DESIGN.md section 5)."""

from datetime import date

POLICIES = [
    {
        "name": "ECM 2015",
        "status": "active",
        "minimum_offences": 5,
        "window_months": 12,
        "minimum_need_categories": 3,
        "statutory_order_required": True,
        "voluntary_participation_allowed": False,
        "effective_from": date(2015, 4, 1),
        "effective_to": date(2016, 1, 31),
    },
    {
        "name": "ECM 2016 revised",
        "status": "active",
        "minimum_offences": 5,
        "window_months": 24,
        "minimum_need_categories": 3,
        "statutory_order_required": True,
        "voluntary_participation_allowed": True,
        "effective_from": date(2016, 2, 1),
        "effective_to": None,
    },
    {
        "name": "Widened",
        "status": "draft",
        "minimum_offences": 0,
        "window_months": 12,
        "minimum_need_categories": 3,
        "statutory_order_required": False,
        "voluntary_participation_allowed": True,
        "effective_from": date(2027, 4, 1),
        "effective_to": None,
    },
]


def ensure_default_policies(policy_model) -> None:
    """Create any of the three default policies that is missing (version 1 of each)."""
    for fields in POLICIES:
        policy_model.objects.get_or_create(name=fields["name"], version=1, defaults=fields)
