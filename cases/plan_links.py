"""Which intervention-plan item an appointment delivered, chosen on the appointment form.

The plan lives in `formulation`, above `cases`. It registers here, from its AppConfig.ready(),
how to list a young person's plan items, which one an appointment delivered, and how to
record the link (its service refuses an item of another young person), so that the
appointment pages can ask without `cases` importing it.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PlanLinks:
    #: young person → [(item id, title)], in plan order
    items_of: Callable
    #: appointment → the id of the item it delivered, or None
    linked_item_id: Callable
    #: (*, by, appointment, item_id) → None; item_id None unlinks; raises ValidationError
    link: Callable


_registered: list[PlanLinks] = []


def register(links: PlanLinks) -> None:
    _registered[:] = [links]


def registered() -> PlanLinks | None:
    return _registered[0] if _registered else None
