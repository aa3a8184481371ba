"""Fidelity measures: how many cohort cases had each element of the ECM model (each element
is a condition on the per-young-person facts, reports.facts.FIDELITY_ELEMENTS)."""

from django.utils.translation import gettext_lazy as _

from ..facts import COHORT, FIDELITY_ALL, FIDELITY_ELEMENTS
from .aggregations import CountOf
from .base import measure

GROUP = "fidelity"

measure(
    "fidelity_consent",
    group=GROUP,
    kind="count",
    label=_("Consent in place at start"),
    definition=_(
        "Cohort cases where, on the start date, the young person's consent to "
        "take part — and the parent or carer's where required — was given (the "
        "latest decision on or before that date)."
    ),
    value=CountOf(COHORT & FIDELITY_ELEMENTS["fidelity_consent"]),
)
measure(
    "fidelity_eligibility",
    group=GROUP,
    kind="count",
    label=_("Eligible at start"),
    definition=_(
        "Cohort cases whose latest eligibility decision dated on or before the "
        "start is eligible, counting overrides."
    ),
    value=CountOf(COHORT & FIDELITY_ELEMENTS["fidelity_eligibility"]),
)
measure(
    "fidelity_formulation_in_window",
    group=GROUP,
    kind="count",
    label=_("Initial formulation in time"),
    definition=_(
        "Cohort cases whose initial formulation meeting was held 0 to 56 days "
        "(the fidelity window) after the start."
    ),
    value=CountOf(COHORT & FIDELITY_ELEMENTS["fidelity_formulation_in_window"]),
)
measure(
    "fidelity_trm_assessed",
    group=GROUP,
    kind="count",
    label=_("TRM stage assessed"),
    definition=_("Cohort cases with at least one TRM assessment."),
    value=CountOf(COHORT & FIDELITY_ELEMENTS["fidelity_trm_assessed"]),
)
measure(
    "fidelity_plan",
    group=GROUP,
    kind="count",
    label=_("Intervention plan"),
    definition=_("Cohort cases with at least one planned intervention."),
    value=CountOf(COHORT & FIDELITY_ELEMENTS["fidelity_plan"]),
)
measure(
    "fidelity_supervised",
    group=GROUP,
    kind="count",
    same_as="cases_discussed_in_supervision",
    label=_("Discussed in supervision"),
    definition=_("Cohort cases discussed in clinical supervision."),
    value=CountOf(COHORT & FIDELITY_ELEMENTS["fidelity_supervised"]),
)
measure(
    "fidelity_all",
    group=GROUP,
    kind="count",
    label=_("Every element"),
    definition=_("Cohort cases with all six elements above."),
    value=CountOf(COHORT & FIDELITY_ALL),
)
