"""What the administrator finds on the retention review in the demonstration: three Flintshire
cases closed long ago and due under the default schedule, one of them on legal hold, and
last night's review of who is due (issue 17)."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from cases import services
from cases.models import CaseEvent, YoungPerson
from governance import holds, retention
from governance.due import subtract_years
from governance.models import RetentionReview

#: reference, given name, family name, years since the last action, order type (or None)
DUE_CASES = [
    ("DEMO-R01", "Osian", "Pugh", 4, None),
    ("DEMO-R02", "Lowri", "Parry", 4, "youth_caution"),
    ("DEMO-R03", "Iwan", "Griffiths", 6, "referral_order"),
]
HELD = "DEMO-R02"


def seed_retention(*, practitioner: User, manager: User) -> int:
    """The due cases, the hold and the review (once: the number of young people added)."""
    if YoungPerson.objects.filter(reference=DUE_CASES[0][0]).exists():
        return 0
    today = timezone.localdate()
    for reference, given_name, family_name, years, order_type in DUE_CASES:
        last_action = subtract_years(today, years)
        referral = last_action - timedelta(days=200)
        person = services.young_person_refer(
            by=practitioner,
            team=practitioner.memberships.first().team,
            reference=reference,
            given_name=given_name,
            family_name=family_name,
            date_of_birth=referral - timedelta(days=15 * 365),
            gender="male" if given_name != "Lowri" else "female",
            referral_date=referral,
            practitioner=practitioner,
        )
        if order_type:
            services.order_record(
                by=practitioner,
                young_person=person,
                order_type=order_type,
                start_date=referral,
                end_date=last_action,
            )
        # The story happened years ago: its events are dated then, not today.
        CaseEvent.objects.filter(young_person=person).update(
            at=timezone.make_aware(datetime.combine(referral, time(10)))
        )
    holds.hold_place(
        young_person=YoungPerson.objects.get(reference=HELD),
        reason="A claim against the council about the placement; keep until it is settled.",
        by=manager,
    )
    if not RetentionReview.objects.exists():
        retention.review_build(on=today)
    return len(DUE_CASES)
