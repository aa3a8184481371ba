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


# --- Distance travelled (issue 15) --------------------------------------------------------------


def rating_off_scale(rating, domain_label: str, rater_label: str) -> str | None:
    """A distance-travelled rating is a whole number from 1 to 5 (1 a real difficulty, 5 a
    real strength)."""
    from .models import RATING_MAX, RATING_MIN

    if rating is None:
        return None
    if (
        isinstance(rating, bool)
        or not isinstance(rating, int)
        or not (RATING_MIN <= rating <= RATING_MAX)
    ):
        return _("%(domain)s: %(rater)s must be a whole number from 1 to 5") % {
            "domain": domain_label,
            "rater": rater_label,
        }
    return None


def rating_half_given(own, practitioner, domain_label: str) -> str | None:
    """A domain is rated by both the young person and the practitioner, or not at all, so
    that their views can be compared over time."""
    if (own is None) != (practitioner is None):
        missing = (
            _("the practitioner's rating")
            if own is not None
            else _("the young person's own rating")
        )
        return _("%(domain)s: enter %(missing)s too, or leave both empty") % {
            "domain": domain_label,
            "missing": missing,
        }
    return None
