import datetime

from django.utils import translation

from accounts.dates import in_words, in_words_with_time


def test_a_date_reads_as_words_in_english_and_welsh():
    day = datetime.date(2026, 12, 3)
    assert in_words(day) == "3 December 2026"
    with translation.override("cy"):
        assert in_words(day) == "3 Rhagfyr 2026"


def test_a_moment_is_shown_on_its_local_day(settings):
    settings.TIME_ZONE = "Europe/London"
    # 23:30 in UTC on 30 June is already 1 July in British Summer Time.
    moment = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)
    assert in_words(moment) == "1 July 2026"
    assert in_words_with_time(moment) == "1 July 2026, 00:30"
