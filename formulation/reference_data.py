"""Default reference data of formulation: the distance-travelled domains (issue 15).

Administrators edit them in the admin; a migration loads these defaults once.
"""

from accounts.models import ensure_vocabulary

#: code, English name, Welsh name, in the order the page shows them
DISTANCE_DOMAINS = [
    (
        "family_chaos_resilience",
        "Resilience to chaotic family life",
        "Gwydnwch yn wyneb bywyd teuluol anhrefnus",
    ),
    ("self_confidence", "Self-confidence", "Hunanhyder"),
    ("anger_management", "Anger management", "Rheoli dicter"),
    ("emotional_resilience", "Emotional resilience", "Gwydnwch emosiynol"),
]


def ensure_distance_domains(domain_model) -> None:
    """Create any default domain that is missing (edits are kept)."""
    ensure_vocabulary(domain_model, DISTANCE_DOMAINS, order_field="order")
