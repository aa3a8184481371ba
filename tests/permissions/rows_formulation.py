"""Permission-matrix rows for formulation/views.py (see matrix.py)."""

ROWS: list = []
