"""Benchmarks at national scale (DESIGN.md section 9): `make bench`, `make loadtest`.

Each key page is timed against a *baseline* view that does the least work the page needs
(sign-in, one indexed query for the same rows, a plain template), in the same run, so the
figures are ratios that mean the same on any machine.
"""
