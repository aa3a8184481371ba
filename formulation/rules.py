"""Formulation rules stated once (see `cases.rules` for the pattern): the services and the
exchange importer both ask them, and show their message as it is."""

from datetime import date

from django.utils.translation import gettext as _

from cases.rules import shown


def meeting_not_held_yet(held_on: date | None, *, today: date) -> str | None:
    """Who came to a meeting is known only once it has happened."""
    if held_on is not None and held_on > today:
        return _("A meeting on %(date)s has not happened yet, so it cannot be recorded as held") % {
            "date": shown(held_on)
        }
    return None
