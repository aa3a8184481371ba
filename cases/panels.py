"""Sections that higher apps add to the young person's record page and to a team's page (a
registry, STYLE.md).

`cases` cannot import `eligibility`, `formulation` or `supervision`, yet the record page
must show their parts (the eligibility decision, the formulation, supervision actions).
Each registers a panel from its `AppConfig.ready()`: a template and a function returning
that template's context. A panel's context function must use a fixed number of queries.
A team page's panels (`TeamPanel`, for example the reports' measures against their targets)
work the same way, given the team.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CasePanel:
    code: str
    template: str
    context: Callable  # (request, young_person) -> dict, or None to hide the panel
    order: int = 100


@dataclass(frozen=True)
class TeamPanel:
    code: str
    template: str
    context: Callable  # (request, team) -> dict, or None to hide the panel
    order: int = 100


_PANELS: dict[str, CasePanel] = {}
_TEAM_PANELS: dict[str, TeamPanel] = {}


def register(panel: CasePanel | TeamPanel) -> None:
    registry = _TEAM_PANELS if isinstance(panel, TeamPanel) else _PANELS
    registry[panel.code] = panel


def panels_for(request, young_person) -> list[dict]:
    """[{"template": ..., "context": {...}}] for the panels that apply, in order."""
    return _rendered(_PANELS, request, young_person)


def team_panels_for(request, team) -> list[dict]:
    """The same for a team's page."""
    return _rendered(_TEAM_PANELS, request, team)


def _rendered(registry, request, subject) -> list[dict]:
    rendered = []
    for panel in sorted(registry.values(), key=lambda panel: panel.order):
        context = panel.context(request, subject)
        if context is not None:
            rendered.append({"code": panel.code, "template": panel.template, "context": context})
    return rendered
