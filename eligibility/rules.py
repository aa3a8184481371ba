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

from accounts import dates
from cases.models import OrderType

#: Order types by code, named in the active language when shown.
ORDER_LABELS = dict(OrderType.choices)

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
    """One criterion's result and what it was decided from.

    `values` is what a decision stores (plain JSON: numbers, codes and ISO dates), so that
    the sentence explaining it (`describe`) is written in whoever reads it's language.
    `need_labels` names the need codes for `evidence` on a result that was never stored.
    """

    code: str
    met: bool
    values: dict
    need_labels: dict = field(default_factory=dict, compare=False)

    @property
    def evidence(self) -> str:
        return describe(self.code, self.values, self.need_labels)

    def stored(self) -> dict:
        return {"code": self.code, "met": self.met, "values": self.values}


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
        return Criterion(OFFENCES, True, {"minimum": 0})
    start = window_start(facts.referral_date, policy.window_months)
    count = sum(1 for day in facts.offence_dates if start <= day <= facts.referral_date)
    values = {
        "count": count,
        "start": start.isoformat(),
        "end": facts.referral_date.isoformat(),
        "minimum": policy.minimum_offences,
    }
    return Criterion(OFFENCES, count >= policy.minimum_offences, values)


def _needs(policy, facts) -> Criterion:
    labels: dict[str, str] = {}
    for code, label, recorded_on in facts.needs:
        if recorded_on <= facts.referral_date:
            labels.setdefault(code, label)
    values = {
        "count": len(labels),
        "date": facts.referral_date.isoformat(),
        "codes": sorted(labels),
        "minimum": policy.minimum_need_categories,
    }
    return Criterion(NEEDS, len(labels) >= policy.minimum_need_categories, values, labels)


def _in_force(order: OrderFact, day: date) -> bool:
    return order.start_date <= day and (order.end_date is None or day <= order.end_date)


def _order(policy, facts) -> Criterion:
    if not policy.statutory_order_required:
        return Criterion(ORDER, True, {"outcome": "not_required"})
    for order in sorted(facts.orders, key=lambda order: order.start_date):
        if order.statutory and _in_force(order, facts.referral_date):
            values = {
                "outcome": "on_order",
                "order_type": order.order_type,
                "start": order.start_date.isoformat(),
                "end": order.end_date.isoformat() if order.end_date else None,
            }
            return Criterion(ORDER, True, values)
    if policy.voluntary_participation_allowed and facts.voluntary_participation:
        return Criterion(ORDER, True, {"outcome": "voluntary"})
    outcome = "not_voluntary" if policy.voluntary_participation_allowed else "no_order"
    return Criterion(ORDER, False, {"outcome": outcome, "date": facts.referral_date.isoformat()})


# --- The evidence as a sentence, in the reader's language ---------------------------------------


def _day(iso: str) -> str:
    return dates.in_words(date.fromisoformat(iso))


def _describe_offences(values: dict, need_labels) -> str:
    if values["minimum"] <= 0:
        return _("No minimum number of offences")
    return ngettext(
        "%(count)d offence between %(start)s and %(end)s (at least %(minimum)d needed)",
        "%(count)d offences between %(start)s and %(end)s (at least %(minimum)d needed)",
        values["count"],
    ) % {
        "count": values["count"],
        "start": _day(values["start"]),
        "end": _day(values["end"]),
        "minimum": values["minimum"],
    }


def _describe_needs(values: dict, need_labels) -> str:
    text = ngettext(
        "%(count)d need category recorded by %(date)s",
        "%(count)d need categories recorded by %(date)s",
        values["count"],
    ) % {"count": values["count"], "date": _day(values["date"])}
    names = sorted(need_labels.get(code, code) for code in values["codes"])
    if names:
        text = f"{text}: {', '.join(names)}"
    if values["minimum"] > 0:
        text += " " + _("(at least %(minimum)d needed)") % {"minimum": values["minimum"]}
    return text


def _describe_order(values: dict, need_labels) -> str:
    outcome = values["outcome"]
    if outcome == "not_required":
        return _("No statutory order required")
    if outcome == "voluntary":
        return _("Voluntary participation")
    if outcome == "on_order":
        order_type = values["order_type"]
        label = ORDER_LABELS.get(order_type, order_type)
        words = {"order": str(label).lower(), "start": _day(values["start"])}
        if not values["end"]:
            return _("On a %(order)s from %(start)s, with no end date") % words
        return _("On a %(order)s from %(start)s to %(end)s") % {**words, "end": _day(values["end"])}
    if outcome == "not_voluntary":
        return _("Not on a statutory order on %(date)s and not taking part voluntarily") % {
            "date": _day(values["date"])
        }
    return _("Not on a statutory order on %(date)s") % {"date": _day(values["date"])}


_DESCRIBERS = {OFFENCES: _describe_offences, NEEDS: _describe_needs, ORDER: _describe_order}


def describe(code: str, values: dict, need_labels=None) -> str:
    """The evidence of a criterion as a sentence in the active language.

    `need_labels` maps need category codes to their names (a code without one is shown as
    it is). Reads only `values`, so a decision stored years ago reads in today's language.
    """
    return _DESCRIBERS[code](values, need_labels or {})
