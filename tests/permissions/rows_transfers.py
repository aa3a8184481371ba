"""Permission-matrix rows for cases/views/transfers.py (see matrix.py): transfer between YOTs.

Decisions:
* Only managers hold ``case.transfer``. The list page is theirs (403 for the other roles).
* Requesting a transfer is a page about one case: the sending team's manager gets it; the
  other roles in the team get 403 (they can see the case, so its existence is no secret);
  outside the team (another team, evaluators, administrators) it is 404.
* One transfer is found only from or into the user's teams: the managers of both teams
  open it; everyone else, including the manager of a team it does not involve, gets 404.
  The receiving manager decides (posting an empty form shows its errors); the sending
  manager may not (403) but may cancel (a post without the page's version goes back to the
  transfer with a message); the receiving manager may not cancel (403).
"""

from accounts.models import Team
from cases.models import CaseTransfer

from .matrix import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Row, case_kwargs, only, signed_in

MANAGERS_ONLY = signed_in(NOT_FOUND, manager=OK)


def _transfer(young_person, to_team) -> CaseTransfer:
    return CaseTransfer.objects.create(
        young_person=young_person,
        from_team=young_person.team,
        to_team=to_team,
        reason="The family moved",
        requested_by=young_person.practitioner,
    )


def _third_team() -> Team:
    return Team.objects.get_or_create(code="team-c", defaults={"name": "Team C"})[0]


def incoming(world, own: bool) -> dict:
    """Own: the other team's case, asked into the users' team. Other: between two other teams."""
    to_team = world["own_team"] if own else _third_team()
    return {"transfer_pk": _transfer(world["other_case"], to_team).pk}


def outgoing(world, own: bool) -> dict:
    """Own: the users' team's case, asked out to another team. Other: between two other teams."""
    if own:
        return {"transfer_pk": _transfer(world["own_case"], world["other_team"]).pk}
    return {"transfer_pk": _transfer(world["other_case"], _third_team()).pk}


ROWS = [
    Row("cases:casetransfer-list", only(OK, ("manager",)), shows_young_people=True),
    Row(
        "cases:casetransfer-create",
        signed_in(NOT_FOUND, manager=OK, practitioner=FORBIDDEN, psychologist=FORBIDDEN),
        other_team=signed_in(NOT_FOUND),
        kwargs=case_kwargs,
        shows_young_people=True,
    ),
    # Posting nothing: the sending manager sees the form again with its errors.
    Row(
        "cases:casetransfer-create",
        signed_in(NOT_FOUND, manager=OK, practitioner=FORBIDDEN, psychologist=FORBIDDEN),
        other_team=signed_in(NOT_FOUND),
        kwargs=case_kwargs,
        method="post",
    ),
    # The receiving manager, and the sending manager, open the transfer.
    Row(
        "cases:casetransfer-detail",
        MANAGERS_ONLY,
        other_team=signed_in(NOT_FOUND),
        kwargs=incoming,
        shows_young_people=True,
    ),
    Row(
        "cases:casetransfer-detail",
        MANAGERS_ONLY,
        other_team=signed_in(NOT_FOUND),
        kwargs=outgoing,
        shows_young_people=True,
    ),
    # Deciding: the receiving manager sees the form's errors; the sender may not decide.
    Row(
        "cases:casetransfer-detail",
        MANAGERS_ONLY,
        other_team=signed_in(NOT_FOUND),
        kwargs=incoming,
        method="post",
    ),
    Row(
        "cases:casetransfer-detail",
        signed_in(NOT_FOUND, manager=FORBIDDEN),
        other_team=signed_in(NOT_FOUND),
        kwargs=outgoing,
        method="post",
    ),
    # Cancelling: the sender only.
    Row(
        "cases:casetransfer-cancel",
        signed_in(NOT_FOUND, manager=REDIRECT),
        other_team=signed_in(NOT_FOUND),
        kwargs=outgoing,
        method="post",
    ),
    Row(
        "cases:casetransfer-cancel",
        signed_in(NOT_FOUND, manager=FORBIDDEN),
        other_team=signed_in(NOT_FOUND),
        kwargs=incoming,
        method="post",
    ),
]
