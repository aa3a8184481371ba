"""Permission-matrix rows for the reports app (see matrix.py)."""

from .matrix import FORBIDDEN, OK, Row, only

ROWS: list = [
    # Importing case data is an administrator's job; every other role is refused.
    Row("reports:exchange-import", only(OK, ("admin",), otherwise=FORBIDDEN)),
]
