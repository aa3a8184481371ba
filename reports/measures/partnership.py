"""Partnership measures (issue 18): how much partner agencies (education, health, children's
services, police …) work with the cohort, during ECM and after it ended.

Partner agencies record their own contacts with a young person (the `partners` app), and a
plan item may name the agency responsible for it (`formulation`). A plan item is
*partner-owned* when it has a responsible agency. Every measure here is an aggregate of the
per-young-person facts (reports.facts), overall and per team, except the breakdown by
agency, which reads the contacts once in one grouped query.
"""

from collections import defaultdict

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from partners.models import PartnerContact

from ..facts import COHORT, during_ecm
from .aggregations import CountOf, Grouped, MeanOf, MedianOf, RateOf, Run
from .base import Result, as_recorded, measure

GROUP = "partnership"

#: Cohort members whose ECM ended on or before the as-of date.
ENDED = COHORT & Q(ended=1)


def contacts_by_agency(run: Run) -> Result:
    """{agency code: contacts} per team, over the same contacts as "partner_contacts" (each
    cohort member's, dated during their ECM), in one grouped pass."""
    scope = run.scope
    rows = (
        PartnerContact.objects.filter(
            scope.cohort_filter("young_person__"), during_ecm("contact_on", scope)
        )
        .order_by()
        .values("agency__code", team_code=scope.team_code_at_end("young_person__"))
        .annotate(n=Count("pk"))
    )
    by_team = {code: defaultdict(int) for code in scope.team_codes}
    overall = defaultdict(int)
    for row in rows:
        by_team.setdefault(row["team_code"], defaultdict(int))[row["agency__code"]] += row["n"]
        overall[row["agency__code"]] += row["n"]
    return Result(
        dict(sorted(overall.items())),
        {code: dict(sorted(by_team[code].items())) for code in scope.team_codes},
    )


measure(
    "partner_contacts",
    group=GROUP,
    kind="count",
    label=_("Partner agency contacts"),
    definition=_(
        "Contacts with cohort members that partner agencies recorded, dated from the ECM "
        "start to its end (or to the as-of date, for a case still open then)."
    ),
    value=CountOf(COHORT, total="partner_contacts"),
)
measure(
    "partner_contacts_by_agency",
    group=GROUP,
    kind="distribution",
    category_kind="count",
    category_label=as_recorded,
    adds_up_to="partner_contacts",
    label=_("Partner agency contacts by agency"),
    definition=_(
        "The contacts counted in “Partner agency contacts”, by the agency that recorded them."
    ),
    value=Grouped(contacts_by_agency, reads=frozenset()),
)
measure(
    "partner_contacts_per_case",
    group=GROUP,
    kind="mean",
    base="cohort_size",
    mean_of="partner_contacts_by_agency",
    label=_("Partner agency contacts per case"),
    definition=_(
        "The partner agency contacts (as above) per cohort member, those with none "
        "included, to 2 decimal places."
    ),
    value=MeanOf(Sum("partner_contacts", filter=COHORT), Count("pk", filter=COHORT)),
)
measure(
    "median_partner_contacts_per_case",
    group=GROUP,
    kind="median",
    base="cohort_size",
    label=_("Median partner agency contacts per case"),
    definition=_(
        "The median number of partner agency contacts (as above) of a cohort member, those "
        "with none included."
    ),
    value=MedianOf(F("partner_contacts"), COHORT),
)
measure(
    "share_with_partner_contact",
    group=GROUP,
    kind="rate",
    base="cohort_size",
    label=_("Share of cases with a partner agency contact"),
    definition=_(
        "Cohort members with at least one partner agency contact (as above), divided by the "
        "cohort size."
    ),
    value=RateOf(
        Count("pk", filter=COHORT & Q(partner_contacts__gt=0)), Count("pk", filter=COHORT)
    ),
)
measure(
    "partner_plan_items",
    group=GROUP,
    kind="count",
    label=_("Partner-owned plan items"),
    definition=_(
        "Items of cohort members' intervention plans with a responsible agency recorded, "
        "whatever their status."
    ),
    value=CountOf(COHORT, total="partner_plan_items"),
)
measure(
    "partner_plan_items_done",
    group=GROUP,
    kind="count",
    label=_("Partner-owned plan items completed"),
    definition=_("Of the partner-owned plan items, those whose status is Done."),
    value=CountOf(COHORT, total="partner_plan_items_done"),
)
measure(
    "partner_plan_items_done_rate",
    group=GROUP,
    kind="rate",
    base="cohort_size",
    label=_("Share of partner-owned plan items completed"),
    definition=_(
        "Partner-owned plan items whose status is Done, divided by all partner-owned plan "
        "items (planned, active, done or stopped)."
    ),
    value=RateOf(
        Sum("partner_plan_items_done", filter=COHORT), Sum("partner_plan_items", filter=COHORT)
    ),
)
measure(
    "ended_cases",
    group=GROUP,
    kind="count",
    label=_("Cases ended"),
    definition=_(
        "Cohort members whose ECM ended (for whatever reason) on or before the as-of date."
    ),
    value=CountOf(ENDED),
)
measure(
    "mean_agencies_active_after_end",
    group=GROUP,
    kind="mean",
    base="ended_cases",
    label=_("Agencies active per case after ECM ended"),
    definition=_(
        "For each case ended, the number of different partner agencies that recorded a "
        "contact with the young person after the ECM end date, up to the follow-up months "
        "after it (and not after the as-of date), averaged over the cases ended, to 2 "
        "decimal places."
    ),
    value=MeanOf(Sum("partner_agencies_after_end", filter=ENDED), Count("pk", filter=ENDED)),
)
measure(
    "share_with_agency_active_after_end",
    group=GROUP,
    kind="rate",
    base="ended_cases",
    label=_("Share of cases ended with a partner agency still active"),
    definition=_(
        "Cases ended in which at least one partner agency recorded a contact after the ECM "
        "end date (in the same months as above), divided by the cases ended."
    ),
    value=RateOf(
        Count("pk", filter=ENDED & Q(partner_agencies_after_end__gt=0)),
        Count("pk", filter=ENDED),
    ),
)
