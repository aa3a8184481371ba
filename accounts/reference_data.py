"""Default reference data of accounts: the training courses of the training register.

Administrators edit them in the admin; a migration loads these defaults once.
"""

#: code, English name, Welsh name, whether it counts as ECM training
TRAINING_COURSES = [
    ("ecm_practitioner", "ECM practitioner training", "Hyfforddiant ECM i ymarferwyr", True),
    ("ecm_manager", "ECM manager training", "Hyfforddiant ECM i reolwyr", True),
    (
        "trm_awareness",
        "Trauma Recovery Model awareness",
        "Ymwybyddiaeth o'r Model Adfer ar ôl Trawma",
        False,
    ),
    ("ecm_refresher", "ECM refresher", "Hyfforddiant gloywi ECM", True),
]


def ensure_training_courses(course_model) -> None:
    """Create any default training course that is missing (edits are kept)."""
    for code, name, name_cy, ecm in TRAINING_COURSES:
        course_model.objects.get_or_create(
            code=code, defaults={"name": name, "name_cy": name_cy, "ecm": ecm}
        )
