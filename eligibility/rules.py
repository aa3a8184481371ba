"""The eligibility criteria as one pure function of (policy parameters, facts).

No database, no clock: everything the decision depends on is in the arguments, so every
boundary can be tested directly and a decision can be explained from what it recorded.

Windows are calendar months (31 January + 1 month = 28/29 February), inclusive at both
ends: an offence committed exactly N months before the referral date counts, and so does
one committed on the referral date itself. An order that ends on the referral date was in
force on it. Needs recorded after the referral date do not count.
"""

from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

OFFENCES = "offences"
NEEDS = "needs"
ORDER = "order"


@dataclass(frozen=True)
class PolicyParameters:
    minimum_offences: int
    window_months: int
    minimum_need_categories: int
    statutory_order_required: bool
    voluntary_participation_allowed: bool


@dataclass(frozen=True)
class OrderFact:
    order_type: str
    label: str
    start_date: date
    end_date: date | None
    statutory: bool


@dataclass(frozen=True)
class Facts:
    referral_date: date
    offence_dates: tuple[date, ...] = ()
    #: (need code, label, date recorded)
    needs: tuple[tuple[str, str, date], ...] = ()
    orders: tuple[OrderFact, ...] = ()
    voluntary_participation: bool = False


@dataclass(frozen=True)
class Criterion:
    code: str
    met: bool
    evidence: str


@dataclass(frozen=True)
class Result:
    criteria: tuple[Criterion, ...] = field(default_factory=tuple)

    @property
    def eligible(self) -> bool:
        return all(criterion.met for criterion in self.criteria)


def window_start(referral_date: date, months: int) -> date:
    return referral_date - relativedelta(months=months)


def evaluate(policy: PolicyParameters, facts: Facts) -> Result:
    return Result((_offences(policy, facts), _needs(policy, facts), _order(policy, facts)))


def _offences(policy, facts) -> Criterion:
    if policy.minimum_offences <= 0:
        return Criterion(OFFENCES, True, _("No minimum number of offences"))
    start = window_start(facts.referral_date, policy.window_months)
    count = sum(1 for day in facts.offence_dates if start <= day <= facts.referral_date)
    evidence = ngettext(
        "%(count)d offence between %(start)s and %(end)s (at least %(minimum)d needed)",
        "%(count)d offences between %(start)s and %(end)s (at least %(minimum)d needed)",
        count,
    ) % {
        "count": count,
        "start": start.isoformat(),
        "end": facts.referral_date.isoformat(),
        "minimum": policy.minimum_offences,
    }
    return Criterion(OFFENCES, count >= policy.minimum_offences, evidence)


def _needs(policy, facts) -> Criterion:
    labels: dict[str, str] = {}
    for code, label, recorded_on in facts.needs:
        if recorded_on <= facts.referral_date:
            labels.setdefault(code, label)
    count = len(labels)
    names = ", ".join(labels[code] for code in sorted(labels))
    evidence = ngettext(
        "%(count)d need category recorded by %(date)s",
        "%(count)d need categories recorded by %(date)s",
        count,
    ) % {"count": count, "date": facts.referral_date.isoformat()}
    if names:
        evidence = f"{evidence}: {names}"
    if policy.minimum_need_categories > 0:
        evidence += " " + _("(at least %(minimum)d needed)") % {
            "minimum": policy.minimum_need_categories
        }
    return Criterion(NEEDS, count >= policy.minimum_need_categories, evidence)


def _in_force(order: OrderFact, day: date) -> bool:
    return order.start_date <= day and (order.end_date is None or day <= order.end_date)


def _order(policy, facts) -> Criterion:
    if not policy.statutory_order_required:
        return Criterion(ORDER, True, _("No statutory order required"))
    for order in sorted(facts.orders, key=lambda order: order.start_date):
        if order.statutory and _in_force(order, facts.referral_date):
            end = order.end_date.isoformat() if order.end_date else _("no end date")
            return Criterion(
                ORDER,
                True,
                _("On a %(order)s %(start)s to %(end)s")
                % {"order": order.label.lower(), "start": order.start_date.isoformat(), "end": end},
            )
    if policy.voluntary_participation_allowed and facts.voluntary_participation:
        return Criterion(ORDER, True, _("Voluntary participation"))
    if policy.voluntary_participation_allowed:
        return Criterion(
            ORDER,
            False,
            _("Not on a statutory order on %(date)s and not taking part voluntarily")
            % {"date": facts.referral_date.isoformat()},
        )
    return Criterion(
        ORDER,
        False,
        _("Not on a statutory order on %(date)s") % {"date": facts.referral_date.isoformat()},
    )
