"""The manager's team page: the team's key measures (those with a target in force) for the
last twelve months' referrals, each against its target (a panel of the team page,
cases.panels.TeamPanel). Worked out in the database like a report, in the same number of
queries whatever the size of the team."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from accounts import policy

from . import targets
from .measures import REGISTRY, Scope, compute_all

CAPABILITY = "reports.management"


def team_panel(request, team) -> dict | None:
    """The panel's context for a manager of `team`; hidden from everyone else."""
    if not policy.may(request.user, CAPABILITY, team):
        return None
    today = timezone.localdate()
    start = today - relativedelta(years=1) + timedelta(days=1)
    in_force = targets.targets_in_force(start, today, [team.code])
    context = {"period_start": start, "period_end": today, "rows": []}
    if not in_force:
        return context
    scope = Scope(
        date_from=start,
        date_to=today,
        team_ids=(team.pk,),
        as_of=today,
        fidelity_window_days=settings.ECM_FORMULATION_WINDOW_DAYS,
    )
    targeted = {measure_id for measure_id, _scope in in_force}
    # Only the measures with a target (and those they are worked out from).
    results = compute_all(scope, only=sorted(targeted & set(REGISTRY)))
    values = {
        measure_id: result.by_team.get(team.code)
        for measure_id, result in results.items()
        if measure_id in targeted
    }
    assessed = targets.evaluate({}, {team.code: values}, in_force)["by_team"][team.code]
    context["rows"] = targets.table_rows([(team.label, values, assessed)], {team.code: team.label})
    return context
