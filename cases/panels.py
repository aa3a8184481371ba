"""Sections that higher apps add to the young person's record page (a registry, STYLE.md).

`cases` cannot import `eligibility`, `formulation` or `supervision`, yet the record page
must show their parts (the eligibility decision, the formulation, supervision actions).
Each registers a panel from its `AppConfig.ready()`: a template and a function returning
that template's context. A panel's context function must use a fixed number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CasePanel:
    code: str
    template: str
    context: Callable  # (request, young_person) -> dict, or None to hide the panel
    order: int = 100


_PANELS: dict[str, CasePanel] = {}


def register(panel: CasePanel) -> None:
    _PANELS[panel.code] = panel


def panels_for(request, young_person) -> list[dict]:
    """[{"template": ..., "context": {...}}] for the panels that apply, in order."""
    rendered = []
    for panel in sorted(_PANELS.values(), key=lambda panel: panel.order):
        context = panel.context(request, young_person)
        if context is not None:
            rendered.append({"code": panel.code, "template": panel.template, "context": context})
    return rendered
