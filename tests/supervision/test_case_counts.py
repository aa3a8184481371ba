"""How many cases each supervision session discussed (supervision.case_counts): kept true
however its list of cases changes, for each case's share of the session's time in the
evaluation's costs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import CaseEvent
from seed import factories
from supervision import case_counts, services
from supervision.models import SessionCases, SupervisionSession


@pytest.fixture
def cases(team_a, practitioner):
    return [factories.YoungPersonFactory(team=team_a, practitioner=practitioner) for _ in range(3)]


def count(session) -> int | None:
    return SessionCases.objects.filter(session=session).values_list("cases", flat=True).first()


def test_every_change_to_a_sessions_cases_keeps_its_count(psychologist, practitioner, cases):
    one, two, three = cases
    session = services.session_record(
        by=psychologist,
        practitioner=practitioner,
        held_on=timezone.localdate() - timedelta(days=1),
        cases=[one, two],
        shared_notes="Shared",
        duration_minutes=60,
    )
    assert count(session) == 2
    session = services.session_update(
        by=psychologist,
        session=session,
        version=session.version,
        shared_notes="Shared",
        private_notes="",
        cases=[one, two, three],
        duration_minutes=60,
    )
    assert count(session) == 3
    session.cases.remove(one)
    assert count(session) == 2
    # From the young person's side too.
    three.supervision_sessions.clear()
    assert count(session) == 1
    three.supervision_sessions.add(session)
    assert count(session) == 2
    assert case_counts.mismatches() == []

    # Deleting a young person (as an erasure does, their events first) takes their link away.
    CaseEvent.objects.filter(young_person=two).delete()
    two.delete()
    assert count(session) == 1
    assert case_counts.mismatches() == []

    session.delete()
    assert not SessionCases.objects.exists()
    assert case_counts.mismatches() == []


def test_a_wrong_count_is_found_and_refreshed(psychologist, practitioner, cases):
    session = factories.SupervisionSessionFactory(
        psychologist=psychologist, practitioner=practitioner, cases=cases
    )
    assert count(session) == 3
    SessionCases.objects.filter(session=session).update(cases=7)
    assert case_counts.mismatches() == [(session.pk, 7, 3)]
    SessionCases.objects.filter(session=session).delete()
    assert case_counts.mismatches() == [(session.pk, None, 3)]
    # A session that discussed no case needs no count.
    factories.SupervisionSessionFactory(psychologist=psychologist, practitioner=practitioner)
    assert case_counts.refresh_all() == SupervisionSession.objects.count()
    assert case_counts.mismatches() == []
