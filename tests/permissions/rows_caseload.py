"""Permission-matrix rows for cases/views/caseload.py (see matrix.py)."""

ROWS: list = []
