"""Permission-matrix rows for cases/views/records.py (see matrix.py).

Recording about a young person needs `case.edit` in their team (TRM: `case.trm.edit`).
Whoever cannot read the case at all (another team, evaluators, administrators) gets a 404;
a psychologist, who reads the case but may only record TRM assessments, gets a 403.
"""

from .matrix import FORBIDDEN, NOT_FOUND, OK, Row, case_kwargs, record_kwargs, signed_in

EDITORS = signed_in(OK, psychologist=FORBIDDEN, evaluator=NOT_FOUND, admin=NOT_FOUND)
TRM_EDITORS = signed_in(OK, evaluator=NOT_FOUND, admin=NOT_FOUND)
OTHER_TEAM = signed_in(NOT_FOUND)


def decision_kwargs(world, own: bool) -> dict:
    """URL arguments for the compliance decision page of the own/other case's missed
    appointment."""
    decision = world["own_records" if own else "other_records"]["compliancedecision"]
    return {"pk": decision.young_person_id, "appointment_pk": decision.appointment_id}


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
    Row(
        "cases:compliancedecision-edit",
        EDITORS,
        other_team=OTHER_TEAM,
        kwargs=decision_kwargs,
        shows_young_people=True,
    ),
    # Only a manager agrees or disagrees with a compliance decision.
    Row(
        "cases:compliancedecision-agree",
        signed_in(FORBIDDEN, manager=OK, evaluator=NOT_FOUND, admin=NOT_FOUND),
        other_team=OTHER_TEAM,
        kwargs=record_kwargs("compliancedecision", "decision_pk"),
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
