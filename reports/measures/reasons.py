"""The reasons young people give for refusing or withdrawing (issue 15, "Reasons, coded";
the evaluation's question 2.1 on "reasons for engagement, non-engagement or early
withdrawal"). Counted over everyone referred in the period, like the funnel."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from cases.models import Consent, ConsentPurpose, EndReason, YoungPerson
from cases.rules import DECISIONS_WITH_A_REASON

from .aggregations import Grouped, Run
from .base import Result, as_recorded, measure

GROUP = "funnel"

#: The category of a withdrawal recorded before reasons were coded, so that the categories
#: add up to the "withdrawn" count.
NOT_RECORDED = "not_recorded"


def _counted(run: Run, rows, team_key: str, reason_key: str) -> Result:
    by_team = {code: {} for code in run.scope.team_codes}
    overall = {}
    for row in rows:
        code, reason = row[team_key], row[reason_key] or NOT_RECORDED
        by_team[code][reason] = by_team[code].get(reason, 0) + row["people"]
        overall[reason] = overall.get(reason, 0) + row["people"]
    return Result(
        dict(sorted(overall.items())),
        {code: dict(sorted(values.items())) for code, values in by_team.items()},
    )


def refusal_reasons(run: Run) -> Result:
    """{reason code: referrals who refused or withdrew consent to take part giving it} per
    team, from one grouped pass over consent decisions."""
    rows = (
        Consent.objects.filter(
            run.scope.referral_filter("young_person__"),
            archived_at__isnull=True,
            purpose=ConsentPurpose.PARTICIPATION,
            decision__in=DECISIONS_WITH_A_REASON,
            reason__isnull=False,
            decided_on__lte=run.scope.as_of,
        )
        .order_by()
        .values("reason__code", team_code=run.scope.team_code_at_end("young_person__"))
        .annotate(people=Count("young_person", distinct=True))
    )
    return _counted(run, rows, "team_code", "reason__code")


def withdrawal_reasons(run: Run) -> Result:
    """{reason code: referrals whose ECM ended as withdrawn for it} per team ("not_recorded"
    for a withdrawal recorded without one), from one grouped query."""
    rows = (
        YoungPerson.objects.filter(run.scope.referral_filter(), end_reason=EndReason.WITHDRAWN)
        .order_by()
        .values("withdrawal_reason__code", team_code=run.scope.team_code_at_end())
        .annotate(people=Count("pk"))
    )
    return _counted(run, rows, "team_code", "withdrawal_reason__code")


measure(
    "consent_refusal_reasons",
    group=GROUP,
    kind="distribution",
    category_kind="count",
    category_label=as_recorded,
    label=_("Reasons for refusing or withdrawing consent"),
    definition=_(
        "For each reason code, the number of referrals who refused or withdrew their consent "
        "to take part in ECM giving that reason (the young person's or the parent or carer's "
        "decision). A young person who gave several reasons is counted under each."
    ),
    value=Grouped(refusal_reasons),
)
measure(
    "withdrawal_reasons",
    group=GROUP,
    kind="distribution",
    category_kind="count",
    category_label=as_recorded,
    adds_up_to="withdrawn",
    label=_("Reasons for withdrawing from ECM"),
    definition=_(
        "For each reason, the number of referrals whose ECM ended as withdrawn giving "
        "that reason; “Not recorded” for a withdrawal recorded before reasons were coded. "
        "The categories add up to the Withdrawn count."
    ),
    value=Grouped(withdrawal_reasons),
)
