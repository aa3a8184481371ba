"""What every builder of the scale data shares: the seed, today, the reference data read once
(need categories, TRM stages, eligibility policies, agencies) and the running totals."""

from collections import defaultdict
from datetime import date, datetime
from datetime import time as clock

from django.utils import timezone

from accounts.models import Agency
from cases.models import AppointmentPurpose, NeedCategory, TRMStage
from cases.reference_data import ensure_appointment_purposes, ensure_defaults
from eligibility.models import EligibilityPolicy, PolicyStatus
from eligibility.reference_data import ensure_default_policies
from seed.demo.organisations import AGENCIES
from seed.demo.vocabulary import NEED_WEIGHTS
from seed.scale.vocabulary import MEAN_DAYS_ON_ECM


class Generator:
    """The state of one run that every builder reads (and the few totals they add to)."""

    def __init__(self, *, seed, appointments_per_person, writer):
        self.seed = seed
        self.writer = writer
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.tz = timezone.get_current_timezone()
        self.rate = appointments_per_person / MEAN_DAYS_ON_ECM
        self.appointments = 0
        #: practitioner id -> [(young person id, start, end)] for supervision
        self.caseloads: dict[int, list] = defaultdict(list)
        self.purpose_ids: dict[str, int] = {}

    def load_reference_data(self):
        ensure_defaults(NeedCategory, TRMStage)
        ensure_appointment_purposes(AppointmentPurpose)
        self.purpose_ids = dict(AppointmentPurpose.objects.values_list("code", "pk"))
        ensure_default_policies(EligibilityPolicy)
        existing = set(Agency.objects.values_list("code", flat=True))
        Agency.objects.bulk_create(
            [
                Agency(code=code, name=name, name_cy=name_cy)
                for code, name, name_cy in AGENCIES
                if code not in existing
            ]
        )
        self.agencies = {agency.code: agency for agency in Agency.objects.order_by("code")}
        categories = list(NeedCategory.objects.filter(active=True).order_by("code"))
        self.need_choices = (
            [(category.pk, category.code, str(category.label)) for category in categories],
            list(_running([NEED_WEIGHTS.get(category.code, 1) for category in categories])),
        )
        self.stages = {stage.number: stage.pk for stage in TRMStage.objects.all()}
        self.policies = list(
            EligibilityPolicy.objects.filter(status=PolicyStatus.ACTIVE).order_by(
                "-effective_from", "-version"
            )
        )
        self.parameters = {policy.pk: policy.parameters for policy in self.policies}
        invitable = [a.pk for code, a in self.agencies.items() if code != "facts"]
        self.invitable = invitable or [a.pk for a in self.agencies.values()]
        self.agency_names = {a.pk: a.name for a in self.agencies.values()}

    def at(self, day: date, when: clock = clock(16, 0)) -> datetime:
        """An aware moment on a day, never later than now."""
        moment = datetime.combine(day, when, tzinfo=self.tz)
        return moment if moment <= self.now else self.now

    def policy_on(self, day: date):
        for policy in self.policies:
            if policy.in_force_on(day):
                return policy
        return None


def _running(weights):
    total = 0
    for weight in weights:
        total += weight
        yield total
