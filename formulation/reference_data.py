"""Default reference data of formulation: the distance-travelled domains (issue 15).

Administrators edit them in the admin; a migration loads these defaults once.
"""

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
    for order, (code, name, name_cy) in enumerate(DISTANCE_DOMAINS, start=1):
        domain_model.objects.get_or_create(
            code=code, defaults={"name": name, "name_cy": name_cy, "order": order}
        )
