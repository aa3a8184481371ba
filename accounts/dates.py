"""Dates as people read them on every page and message: "3 December 2026", in the active
language ("3 Rhagfyr 2026" in Welsh). Forms take dates as numbers; everything shown back to a
user goes through here, so the format is decided once.
"""

from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format


def in_words(value: date | datetime) -> str:
    """ "3 December 2026". A moment (an aware datetime) is shown on its local day."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, "j F Y")


def in_words_with_time(moment: datetime) -> str:
    """ "3 December 2026, 14:30", in local time."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "j F Y, H:i")


def month_in_words(value: date) -> str:
    """ "December 2026": the calendar month of a date."""
    return date_format(value, "F Y")
