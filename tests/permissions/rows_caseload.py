"""Permission-matrix rows for cases/views/caseload.py (see matrix.py).

Decisions:
* My caseload and my appointments need ``case.edit``: practitioners and managers (a manager
  with no cases allocated sees an empty list); psychologists, evaluators and administrators
  are refused (403: a list page they have no capability for).
* The team list and team page need ``case.read``. Practitioners may open their own team's
  page too (read only): they may read every case of their team anyway, and seeing the
  team's caseloads helps them cover for colleagues. Evaluators and administrators hold
  ``case.read`` in no team, so a team page is a 404 for them, as is another team's page for
  everyone.
* Reallocation needs ``case.allocate`` (managers): 403 for the other roles in the team, 404
  outside it.
"""

from .matrix import FORBIDDEN, NOT_FOUND, OK, Row, only, signed_in, team_kwargs

EDITORS = ("practitioner", "manager")
READERS = ("practitioner", "manager", "psychologist")

ROWS = [
    Row("cases:caseload", only(OK, EDITORS), shows_young_people=True),
    Row("cases:appointment-list", only(OK, EDITORS), shows_young_people=True),
    # The lists the home page's counts link to: filtered, the same decisions.
    Row(
        "cases:caseload",
        only(OK, EDITORS),
        data={"warning": "no_recent_contact"},
        shows_young_people=True,
    ),
    Row(
        "cases:appointment-list",
        only(OK, EDITORS),
        data={"when": "unrecorded"},
        shows_young_people=True,
    ),
    Row("cases:team-list", only(OK, READERS)),
    Row(
        "cases:team-detail",
        only(OK, READERS, otherwise=NOT_FOUND),
        other_team=signed_in(NOT_FOUND),
        kwargs=team_kwargs,
        shows_young_people=True,
    ),
    Row(
        "cases:team-detail",
        only(OK, READERS, otherwise=NOT_FOUND),
        other_team=signed_in(NOT_FOUND),
        kwargs=team_kwargs,
        data={"warning": "formulation_review_overdue"},
        shows_young_people=True,
    ),
    Row(
        "cases:team-reallocate",
        signed_in(NOT_FOUND, manager=OK, practitioner=FORBIDDEN, psychologist=FORBIDDEN),
        other_team=signed_in(NOT_FOUND),
        kwargs=team_kwargs,
        shows_young_people=True,
    ),
    # Posting nothing: the manager sees the form again with its errors; nothing is moved.
    Row(
        "cases:team-reallocate",
        signed_in(NOT_FOUND, manager=OK, practitioner=FORBIDDEN, psychologist=FORBIDDEN),
        other_team=signed_in(NOT_FOUND),
        kwargs=team_kwargs,
        method="post",
    ),
]
