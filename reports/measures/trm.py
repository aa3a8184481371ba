"""TRM measures: where the cohort started on the Trauma Recovery Model and where they are."""

from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..facts import COHORT
from .aggregations import BreakdownOf, CountOf
from .base import measure

GROUP = "trm"
#: Cohort members assessed at least twice: those who can have moved.
REASSESSED = COHORT & Q(trm_assessments__gte=2)


def stage_label(key: str) -> str:
    """A TRM stage number as the report and its chart show it ("Stage 3")."""
    return gettext("Stage %(number)s") % {"number": key} if key.isdigit() else key


measure(
    "trm_first_stage",
    group=GROUP,
    kind="distribution",
    category_kind="count",
    category_label=stage_label,
    adds_up_to="fidelity_trm_assessed",
    label=_("First TRM stage"),
    definition=_(
        "For each TRM stage, the number of cohort members whose first "
        "assessment placed them there (members with at least one assessment)."
    ),
    value=BreakdownOf("trm_first_stage", COHORT, order=int),
)
measure(
    "trm_latest_stage",
    group=GROUP,
    kind="distribution",
    category_kind="count",
    category_label=stage_label,
    adds_up_to="fidelity_trm_assessed",
    label=_("Latest TRM stage"),
    definition=_(
        "For each TRM stage, the number of cohort members whose latest "
        "assessment places them there."
    ),
    value=BreakdownOf("trm_latest_stage", COHORT, order=int),
)
measure(
    "trm_moved_up",
    group=GROUP,
    kind="count",
    label=_("Moved up the TRM stages"),
    definition=_(
        "Cohort members with two or more assessments whose latest stage is higher than their first."
    ),
    value=CountOf(REASSESSED & Q(trm_latest_stage__gt=F("trm_first_stage"))),
)
measure(
    "trm_same",
    group=GROUP,
    kind="count",
    label=_("Stayed at the same TRM stage"),
    definition=_(
        "Cohort members with two or more assessments whose latest stage equals their first."
    ),
    value=CountOf(REASSESSED & Q(trm_latest_stage=F("trm_first_stage"))),
)
measure(
    "trm_moved_down",
    group=GROUP,
    kind="count",
    label=_("Moved down the TRM stages"),
    definition=_(
        "Cohort members with two or more assessments whose latest stage is lower than their first."
    ),
    value=CountOf(REASSESSED & Q(trm_latest_stage__lt=F("trm_first_stage"))),
)
