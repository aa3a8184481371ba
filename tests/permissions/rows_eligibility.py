"""Permission-matrix rows for eligibility/views.py (see matrix.py)."""

ROWS: list = []
