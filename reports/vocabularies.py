"""The names of the codes a report's measures are broken down by, in the reader's language.

A measure's categories are codes (need categories, agencies, appointment purposes, reasons for
refusing or withdrawing, distance-travelled domains); the page, the HTML and the PDF show
their names. One query per vocabulary, whatever the number of codes.
"""

from django.utils.translation import gettext

from accounts.models import Agency, labels_by_code
from cases.models import AppointmentPurpose, DisengagementReason, NeedCategory
from formulation.models import DistanceDomain

#: The vocabulary each measure's categories come from.
CATEGORY_VOCABULARY = {
    "need_counts": "need",
    "top_needs": "need",
    "attendance_rate_by_agency": "agency",
    "partner_contacts_by_agency": "agency",
    "appointments_by_purpose": "purpose",
    "consent_refusal_reasons": "reason",
    "withdrawal_reasons": "reason",
    "distance_change_self": "domain",
    "distance_change_practitioner": "domain",
}


def category_names() -> dict[str, dict[str, str]]:
    """{vocabulary: {code: name}} for every vocabulary in `CATEGORY_VOCABULARY`."""
    return {
        "need": labels_by_code(NeedCategory),
        "agency": labels_by_code(Agency),
        "purpose": labels_by_code(AppointmentPurpose),
        # A withdrawal recorded before reasons were coded is counted as "not_recorded".
        "reason": {
            **labels_by_code(DisengagementReason),
            "not_recorded": gettext("Not recorded"),
        },
        "domain": labels_by_code(DistanceDomain),
    }
