"""Permission-matrix rows for the training register and unit costs (see matrix.py).

Courses, who attended them, dedicated ECM roles and hourly unit costs are reference data an
administrator keeps in the admin, as the other vocabularies are; every other role is
refused, and nobody is offered a unit cost to change (a new cost is a new version).
"""

from .matrix import OK, Row, only

ADMIN_ONLY = only(OK, ("admin",))

ROWS: list = [
    Row(f"admin:accounts_{model}_{page}", ADMIN_ONLY)
    for model in ("trainingcourse", "trainingattendance", "dedicatedrole", "unitcost")
    for page in ("changelist", "add")
]
