"""The page a case URL shows once its record was anonymised under the retention schedule
(issue 17): what happened, when and under which rule, instead of "[removed]" fields dressed
up as a record, and no way to change it."""

from django.shortcuts import render

from cases.selectors import RecordAnonymised

from .models import RetentionRunItem

#: The record is gone for good: 410 for reading, and the same page refusing any change.
GONE = 410


def anonymised_record_page(request, young_person):
    item = (
        RetentionRunItem.objects.filter(young_person=young_person)
        .select_related("rule__team")
        .first()
    )
    return render(
        request,
        "governance/youngperson_anonymised.html",
        {
            "young_person": young_person,
            "rule": item.rule if item is not None else None,
            "refused_change": request.method not in ("GET", "HEAD"),
        },
        status=GONE,
    )


class AnonymisedRecordMiddleware:
    """Turns `RecordAnonymised`, raised by the one lookup behind every case page
    (`cases.selectors.young_person_for`), into the anonymised record page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RecordAnonymised):
            return anonymised_record_page(request, exception.young_person)
        return None
