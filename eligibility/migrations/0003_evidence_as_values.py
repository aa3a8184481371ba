"""Decisions keep what their evidence was decided from, not an English sentence.

Earlier decisions stored each criterion's evidence as a sentence written once, in the
language of whoever ran the check. This rewrites the English sentences the rules wrote as the
values they were made from, so the page writes them in the reader's language. A sentence that
does not read as the rules wrote it (in Welsh, or naming a need category no longer called
that) is kept as it is, and still shown as written.
"""

import re

from django.db import migrations

ISO = r"(\d{4}-\d{2}-\d{2})"

#: The order types as the rules named them in English (cases.models.OrderType, lower case).
ORDER_TYPES = {
    "referral order": "referral_order",
    "youth rehabilitation order": "youth_rehabilitation_order",
    "detention and training order": "detention_training_order",
    "reparation order": "reparation_order",
    "youth conditional caution": "youth_conditional_caution",
    "youth caution": "youth_caution",
    "community resolution": "community_resolution",
    "other": "other",
}

OFFENCES = re.compile(rf"^(\d+) offences? between {ISO} and {ISO} \(at least (\d+) needed\)$")
NEEDS = re.compile(
    rf"^(\d+) need categor(?:y|ies) recorded by {ISO}(?:: (.*?))?(?: \(at least (\d+) needed\))?$"
)
ON_ORDER = re.compile(rf"^On a (.+) {ISO} to (?:{ISO}|no end date)$")
NOT_VOLUNTARY = re.compile(rf"^Not on a statutory order on {ISO} and not taking part voluntarily$")
NO_ORDER = re.compile(rf"^Not on a statutory order on {ISO}$")


def _offences(text, need_codes):
    if text == "No minimum number of offences":
        return {"minimum": 0}
    if match := OFFENCES.match(text):
        count, start, end, minimum = match.groups()
        return {"count": int(count), "start": start, "end": end, "minimum": int(minimum)}
    return None


def _needs(text, need_codes):
    match = NEEDS.match(text)
    if not match:
        return None
    count, on, names, minimum = match.groups()
    codes = []
    for name in names.split(", ") if names else ():
        if name not in need_codes:
            return None
        codes.append(need_codes[name])
    if len(codes) != int(count):
        return None
    return {"count": int(count), "date": on, "codes": sorted(codes), "minimum": int(minimum or 0)}


def _order(text, need_codes):
    if text == "No statutory order required":
        return {"outcome": "not_required"}
    if text == "Voluntary participation":
        return {"outcome": "voluntary"}
    if match := ON_ORDER.match(text):
        label, start, end = match.groups()
        if label not in ORDER_TYPES:
            return None
        return {"outcome": "on_order", "order_type": ORDER_TYPES[label], "start": start, "end": end}
    if match := NOT_VOLUNTARY.match(text):
        return {"outcome": "not_voluntary", "date": match.group(1)}
    if match := NO_ORDER.match(text):
        return {"outcome": "no_order", "date": match.group(1)}
    return None


PARSERS = {"offences": _offences, "needs": _needs, "order": _order}


def as_values(criterion: dict, need_codes: dict) -> dict:
    """The criterion with `values` instead of `evidence`, or unchanged if it cannot be read."""
    if "values" in criterion or criterion.get("code") not in PARSERS:
        return criterion
    values = PARSERS[criterion["code"]](criterion.get("evidence", ""), need_codes)
    if values is None:
        return criterion
    return {"code": criterion["code"], "met": criterion.get("met"), "values": values}


def forwards(apps, schema_editor):
    NeedCategory = apps.get_model("cases", "NeedCategory")
    EligibilityDecision = apps.get_model("eligibility", "EligibilityDecision")
    need_codes = dict(NeedCategory.objects.values_list("name", "code"))
    changed = []
    for decision in EligibilityDecision.objects.only("id", "criteria").iterator(chunk_size=2000):
        criteria = [as_values(criterion, need_codes) for criterion in decision.criteria]
        if criteria != decision.criteria:
            decision.criteria = criteria
            changed.append(decision)
        if len(changed) >= 2000:
            EligibilityDecision.objects.bulk_update(changed, ["criteria"])
            changed = []
    EligibilityDecision.objects.bulk_update(changed, ["criteria"])


class Migration(migrations.Migration):
    dependencies = [
        ("eligibility", "0002_seed_policies"),
        ("cases", "0002_reference_data"),
    ]
    # Going back leaves the values: the pages of that version show no evidence for them.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
