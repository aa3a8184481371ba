"""Permission-matrix rows for cases/views/records.py (see matrix.py).

Recording about a young person needs `case.edit` in their team (TRM: `case.trm.edit`).
Whoever cannot read the case at all (another team, evaluators, administrators) gets a 404;
a psychologist, who reads the case but may only record TRM assessments, gets a 403.
"""

from .matrix import FORBIDDEN, NOT_FOUND, OK, Row, case_kwargs, record_kwargs, signed_in

EDITORS = signed_in(OK, psychologist=FORBIDDEN, evaluator=NOT_FOUND, admin=NOT_FOUND)
TRM_EDITORS = signed_in(OK, evaluator=NOT_FOUND, admin=NOT_FOUND)
OTHER_TEAM = signed_in(NOT_FOUND)


def archive_kwargs(kind: str):
    """URL arguments for archiving the own/other case's record of `kind`."""
    record = record_kwargs(kind)

    def build(world, own: bool) -> dict:
        return {**record(world, own), "kind": kind}

    return build


ROWS = [
    *(
        Row(url_name, EDITORS, other_team=OTHER_TEAM, kwargs=case_kwargs, shows_young_people=True)
        for url_name in (
            "cases:need-create",
            "cases:offence-create",
            "cases:order-create",
            "cases:breach-create",
            "cases:custody-create",
            "cases:consent-create",
            "cases:consent-parent-requirement",
            "cases:appointment-create",
        )
    ),
    Row(
        "cases:trmassessment-create",
        TRM_EDITORS,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row(
        "cases:appointment-edit",
        EDITORS,
        other_team=OTHER_TEAM,
        kwargs=record_kwargs("appointment", "appointment_pk"),
        shows_young_people=True,
    ),
    # A psychologist records TRM assessments but does not archive them.
    Row(
        "cases:record-archive",
        EDITORS,
        other_team=OTHER_TEAM,
        kwargs=archive_kwargs("trmassessment"),
        shows_young_people=True,
    ),
]
