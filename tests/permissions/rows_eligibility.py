"""Permission-matrix rows for eligibility/views.py (see matrix.py).

Pages about one young person need `case.read` in their team to be found at all: another team,
evaluators and administrators get a 404. Inside the team, someone who reads the case but may
not do the action gets a 403 (a psychologist running a check or starting ECM, a practitioner
overriding). The managers' reports need `reports.management`.
"""

from eligibility import services
from eligibility.models import EligibilityDecision, EligibilityPolicy
from eligibility.reference_data import ensure_default_policies

from .matrix import FORBIDDEN, NOT_FOUND, OK, Row, case_kwargs, only, signed_in

READERS = signed_in(OK, evaluator=NOT_FOUND, admin=NOT_FOUND)
EDITORS = signed_in(OK, psychologist=FORBIDDEN, evaluator=NOT_FOUND, admin=NOT_FOUND)
MANAGERS = signed_in(FORBIDDEN, manager=OK, evaluator=NOT_FOUND, admin=NOT_FOUND)
OTHER_TEAM = signed_in(NOT_FOUND)


def decision_kwargs(world, own: bool) -> dict:
    """The own/other case's latest decision, made here if the case has none (`world` makes
    no decisions). `by=None` makes it as the service would on import, without a user."""
    young_person = world["own_case" if own else "other_case"]
    decision = EligibilityDecision.objects.filter(young_person=young_person).first()
    if decision is None:
        ensure_default_policies(EligibilityPolicy)
        decision = services.eligibility_check(by=None, young_person=young_person)
    return {"decision_pk": decision.pk}


ROWS = [
    Row(
        "eligibility:decision-list",
        READERS,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row(
        "eligibility:decision-create",
        EDITORS,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row(
        "eligibility:override-create",
        MANAGERS,
        other_team=OTHER_TEAM,
        kwargs=decision_kwargs,
        shows_young_people=True,
    ),
    Row(
        "eligibility:start",
        EDITORS,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row(
        "eligibility:end",
        EDITORS,
        other_team=OTHER_TEAM,
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    Row("eligibility:what-if", only(OK, ("manager",)), shows_young_people=True),
    Row("eligibility:funnel", only(OK, ("manager",))),
]
