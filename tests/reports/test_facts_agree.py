"""The measures and the dataset worked out from the per-young-person facts give exactly what
they gave before (reports.measures.legacy), on generated cohorts.

Remove this file with reports/measures/legacy once the facts have been trusted through a
release.
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Agency, Team, User
from cases.models import YoungPerson
from formulation.models import InterventionItem
from partners.models import PartnerContact
from reports.dataset import dataset_rows
from reports.measures import REGISTRY, Scope, compute_all, legacy
from seed import scale
from seed.factories import appointment_purpose, trm_stage

WHOLE = {"date_from": date(2000, 1, 1), "date_to": date(2030, 12, 31)}


@pytest.fixture(params=[3, 11])
def generated(request, db, settings):
    settings.ECM_STUDY_KEY = "study-key-for-the-comparison"
    return scale.generate(seed=request.param, teams=3, young_people=90, appointments_per_person=12)


def scopes():
    """The whole service at two as-of dates and follow-up lengths, and one team's referrals
    of one year with a shorter fidelity window."""
    first_team = Team.objects.order_by("code").values_list("pk", flat=True)[:1]
    return [
        Scope(**WHOLE, as_of=date(2026, 12, 1)),
        Scope(**WHOLE, as_of=date(2025, 6, 30), follow_up_months=6),
        Scope(
            date_from=date(2024, 1, 1),
            date_to=date(2024, 12, 31),
            team_ids=tuple(first_team),
            as_of=date(2026, 12, 1),
            follow_up_months=24,
            fidelity_window_days=28,
        ),
    ]


def test_every_measure_is_as_it_was(generated):
    # Measures added after the facts replaced the earlier implementation (issue 15 onwards)
    # have nothing to compare with; every earlier one must still be there.
    assert set(legacy.LEGACY) <= set(REGISTRY)
    for scope in scopes():
        new, old = compute_all(scope), legacy.compute_all(scope)
        assert new["cohort_size"].overall > 0 or scope.team_ids
        for measure_id in legacy.LEGACY:
            assert (measure_id, new[measure_id]) == (measure_id, old[measure_id])


def test_the_dataset_is_as_it_was(generated):
    for number, scope in enumerate(scopes()):
        new_columns, new_rows = dataset_rows(scope)
        old_columns, old_rows = legacy.dataset_rows(scope)
        # Columns added since (issue 15 onwards) are left out; the earlier ones keep their
        # order and their descriptions.
        earlier = {name for name, _text in old_columns}
        assert [column for column in new_columns if column[0] in earlier] == old_columns
        assert len(new_rows) == len(old_rows)
        assert new_rows or number == 2  # the whole service has consenting young people
        worked_out = set(old_rows[0]) if old_rows else set()  # what each row had
        assert [
            {name: value for name, value in row.items() if name in worked_out} for row in new_rows
        ] == old_rows


def test_the_report_takes_as_many_queries_for_more_young_people_and_teams(db):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            compute_all(Scope(**WHOLE, as_of=date(2026, 12, 1)))
        return len(captured.captured_queries)

    scale.generate(seed=5, teams=1, young_people=5, appointments_per_person=4)
    _partner_work()
    small = queries()
    scale.generate(seed=5, teams=4, young_people=80, appointments_per_person=4)
    _partner_work()
    assert Team.objects.count() == 4
    assert queries() == small
    partnership = compute_all(Scope(**WHOLE, as_of=date(2026, 12, 1)))
    assert partnership["partner_contacts"].overall > 0
    assert partnership["partner_plan_items"].overall > 0


def _partner_work():
    """A partner agency contact during ECM and one after it ended, and a partner-owned plan
    item done, for every young person who started (the generator records none)."""
    agency = Agency.objects.order_by("code").first()
    purpose = appointment_purpose("review")
    recorder = User.objects.order_by("pk").first()
    contacts, items = [], []
    for person in YoungPerson.objects.filter(ecm_start_date__isnull=False):
        for day in (person.ecm_start_date, person.ecm_end_date):
            if day is not None:
                contacts.append(
                    PartnerContact(
                        young_person=person,
                        agency=agency,
                        contact_on=day + timedelta(days=1),
                        purpose_category=purpose,
                        outcome_code="achieved",
                        duration_minutes=30,
                        recorded_by=recorder,
                    )
                )
        items.append(
            InterventionItem(
                young_person=person, title="Item", trm_stage=trm_stage(1), agency=agency
            )
        )
    PartnerContact.objects.bulk_create(contacts)
    InterventionItem.objects.bulk_create(items)
