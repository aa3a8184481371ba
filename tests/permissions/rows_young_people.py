"""Permission-matrix rows for cases/views/young_people.py (see matrix.py)."""

ROWS: list = []
