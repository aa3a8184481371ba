"""A young person in team A the education agency works with, with consent given."""

import pytest

from seed import factories


def consent(young_person, party="young_person", decision="given"):
    return factories.ConsentFactory(young_person=young_person, party=party, decision=decision)


@pytest.fixture
def young_person(team_a, practitioner):
    person = factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        given_name="Dylan",
        family_name="Hughes",
    )
    consent(person)
    consent(person, "parent_carer")
    factories.TRMAssessmentFactory(young_person=person, stage=factories.trm_stage(2))
    return person


@pytest.fixture
def education_item(young_person, education):
    return factories.InterventionItemFactory(
        young_person=young_person, agency=education, title="Part-time timetable with a mentor"
    )


@pytest.fixture
def camhs_item(young_person, camhs):
    return factories.InterventionItemFactory(
        young_person=young_person, agency=camhs, title="Sleep and regulation sessions"
    )
