"""Permission-matrix rows for cases/views/records.py (see matrix.py)."""

ROWS: list = []
