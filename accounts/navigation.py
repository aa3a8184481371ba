"""Service navigation as data: each app registers its entries with the capability they need.

The context processor shows a user only the entries their roles allow, so navigation and
the access policy cannot drift apart.
"""

from dataclasses import dataclass

from . import policy


@dataclass(frozen=True)
class NavEntry:
    label: str  # lazily translated
    url_name: str
    capability: str | None  # None: every signed-in user
    order: int


_ENTRIES: dict[str, NavEntry] = {}


def register(*, label, url_name: str, capability: str | None, order: int) -> None:
    _ENTRIES[url_name] = NavEntry(label, url_name, capability, order)


def entries_for(user) -> list[NavEntry]:
    return [
        entry
        for entry in sorted(_ENTRIES.values(), key=lambda entry: entry.order)
        if entry.capability is None or policy.may(user, entry.capability)
    ]
