"""The access policy: who may do what, and in which teams (DESIGN.md section 6).

Permissions are data. Each capability maps roles to a scope:

* ``TEAMS`` — only in the teams where the user holds that role ("own teams" for
  practitioners and managers, "teams served" for psychologists);
* ``ALL`` — in every team (the evaluator's aggregate reports, the administrator's tools).

Anything not granted here is denied. Later apps add capabilities with :func:`register`
from their ``AppConfig.ready()``; object-level rules (for example "own supervision
sessions") live beside the selectors that apply them and start from these grants.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from .models import AGENCY_ROLES, TEAM_ROLES, Role, Team

TEAMS = "teams"
ALL = "all"

_GRANTS: dict[str, dict[str, str]] = {}


def register(capability: str, grants: dict[str, str]) -> None:
    """Declare who holds `capability`: ``{role: TEAMS | ALL}``."""
    for role, scope in grants.items():
        if role not in Role.values:
            raise ValueError(f"{capability}: unknown role {role!r}")
        if scope not in (TEAMS, ALL):
            raise ValueError(f"{capability}: unknown scope {scope!r}")
        if scope == TEAMS and role not in TEAM_ROLES:
            raise ValueError(f"{capability}: {role} has no teams; grant ALL instead")
    _GRANTS[capability] = dict(grants)


def capabilities() -> dict[str, dict[str, str]]:
    """Every registered capability with its grants (read-only copy, for tests and docs)."""
    return {name: dict(grants) for name, grants in _GRANTS.items()}


@dataclass(frozen=True)
class _Holding:
    role: str
    team_id: int | None


def _holdings(user) -> frozenset[_Holding]:
    """The user's roles, read once per request and cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_ecm_holdings", None)
    if cached is None:
        cached = frozenset(
            _Holding(role, team_id)
            for role, team_id in user.memberships.values_list("role", "team_id")
        )
        if any(holding.role == Role.ADMIN for holding in cached):
            # Separation of duties (accounts.rules): an administrator never reads case
            # records, even if a case role reached the database some other way.
            cached = frozenset(holding for holding in cached if holding.role not in TEAM_ROLES)
        if any(holding.role in AGENCY_ROLES for holding in cached):
            # A partner agency worker holds nothing else (accounts.rules); should another
            # role reach the database, it never widens what their agency's work lets them see.
            cached = frozenset(holding for holding in cached if holding.role in AGENCY_ROLES)
        user._ecm_holdings = cached
    return cached


def forget(user) -> None:
    """Drop the cached roles (after memberships change)."""
    user.__dict__.pop("_ecm_holdings", None)


def roles(user) -> set[str]:
    return {holding.role for holding in _holdings(user)}


def team_ids_for(user, capability: str) -> set[int] | None:
    """Team ids where the user holds `capability`; ``None`` means every team."""
    grants = _grants_for(capability)
    team_ids: set[int] = set()
    for holding in _holdings(user):
        scope = grants.get(holding.role)
        if scope == ALL:
            return None
        if scope == TEAMS and holding.team_id is not None:
            team_ids.add(holding.team_id)
    return team_ids


def teams_for(user, capability: str):
    """The teams (queryset) in which the user holds `capability`."""
    team_ids = team_ids_for(user, capability)
    if team_ids is None:
        return Team.objects.all()
    return Team.objects.filter(pk__in=team_ids)


def may(user, capability: str, team=None) -> bool:
    """May `user` use `capability` — in `team` if given, otherwise anywhere at all?"""
    team_ids = team_ids_for(user, capability)
    if team_ids is None:
        return bool(_holdings(user))
    if team is None:
        return bool(team_ids)
    team_id = team if isinstance(team, int) else team.pk
    return team_id in team_ids


def require(user, capability: str, team=None) -> None:
    """Refuse with 403 unless :func:`may` allows it: the guard every view and service calls."""
    if not may(user, capability, team):
        raise PermissionDenied


def _grants_for(capability: str) -> dict[str, str]:
    try:
        return _GRANTS[capability]
    except KeyError:
        raise KeyError(f"Unknown capability {capability!r}: register it in the policy") from None


# --- The capabilities of DESIGN.md section 6 ----------------------------------------------

PRACTITIONER, MANAGER, PSYCHOLOGIST = Role.PRACTITIONER, Role.MANAGER, Role.PSYCHOLOGIST
EVALUATOR, ADMIN, PARTNER = Role.EVALUATOR, Role.ADMIN, Role.PARTNER

register("case.read", {PRACTITIONER: TEAMS, MANAGER: TEAMS, PSYCHOLOGIST: TEAMS})
register("case.edit", {PRACTITIONER: TEAMS, MANAGER: TEAMS})
register("case.trm.edit", {PRACTITIONER: TEAMS, MANAGER: TEAMS, PSYCHOLOGIST: TEAMS})
register("case.allocate", {MANAGER: TEAMS})
register("case.history.read", {MANAGER: TEAMS})
register("case.access_log.read", {MANAGER: TEAMS})
register("eligibility.check", {PRACTITIONER: TEAMS, MANAGER: TEAMS})
register("eligibility.override", {MANAGER: TEAMS})
register("formulation.read", {PRACTITIONER: TEAMS, MANAGER: TEAMS, PSYCHOLOGIST: TEAMS})
register("formulation.write", {PSYCHOLOGIST: TEAMS})
register("plan.write", {PRACTITIONER: TEAMS, MANAGER: TEAMS, PSYCHOLOGIST: TEAMS})
register("supervision.create", {PSYCHOLOGIST: TEAMS})
register("supervision.actions.read", {PRACTITIONER: TEAMS, MANAGER: TEAMS, PSYCHOLOGIST: TEAMS})
register("supervision.private_notes.read", {PRACTITIONER: TEAMS, PSYCHOLOGIST: TEAMS})
# Managers see that their team's sessions happened and the actions agreed, never the notes.
register("supervision.team_sessions.read", {MANAGER: TEAMS})
register("reports.management", {MANAGER: TEAMS})
register("reports.evaluation", {EVALUATOR: ALL})
register("admin.site", {ADMIN: ALL})
