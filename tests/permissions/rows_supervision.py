"""Permission-matrix rows for supervision/views.py (see matrix.py)."""

ROWS: list = []
