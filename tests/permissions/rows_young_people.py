"""Permission-matrix rows for cases/views/young_people.py (see matrix.py).

Pages about one young person answer 404 to everyone signed in when the young person is in
another team, and to evaluators and administrators always (they read no case records). In
the user's own team, a role that may read the case but not do the page's action gets 403:
the record's existence is already known to them (cases/views/young_people.py).
"""

from .matrix import FORBIDDEN, NOT_FOUND, OK, Row, case_kwargs, only, signed_in

#: Readers of a case in their own team: practitioners, managers and psychologists.
READ = signed_in(OK, evaluator=NOT_FOUND, admin=NOT_FOUND)
#: Practitioners and managers change cases; a psychologist reads them only.
EDIT = signed_in(OK, psychologist=FORBIDDEN, evaluator=NOT_FOUND, admin=NOT_FOUND)
#: Only managers see a case's change history and access log.
MANAGERS = signed_in(FORBIDDEN, manager=OK, evaluator=NOT_FOUND, admin=NOT_FOUND)
#: Any page about a young person in another team.
OTHER_TEAM = signed_in(NOT_FOUND)

ROWS = [
    Row("cases:youngperson-create", only(OK, ("practitioner", "manager"))),
    Row(
        "cases:youngperson-detail",
        READ,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row(
        "cases:youngperson-edit",
        EDIT,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row(
        "cases:youngperson-archive",
        EDIT,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row(
        "cases:youngperson-timeline",
        READ,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row(
        "cases:youngperson-summary",
        READ,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row(
        "cases:youngperson-pdf",
        READ,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row(
        "cases:trm-chart", READ, other_team=OTHER_TEAM, kwargs=case_kwargs, shows_young_people=True
    ),
    Row(
        "cases:youngperson-history",
        MANAGERS,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row(
        "cases:youngperson-access-log",
        MANAGERS,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
]
