"""The shared factories build valid objects (they are used by tests, the demo and scale data)."""

import pytest

from seed import factories

FACTORIES = [
    factories.YoungPersonFactory,
    factories.NeedFactory,
    factories.OffenceFactory,
    factories.OrderFactory,
    factories.BreachFactory,
    factories.CustodyEpisodeFactory,
    factories.ConsentFactory,
    factories.TRMAssessmentFactory,
    factories.AppointmentFactory,
    factories.FormulationMeetingFactory,
    factories.MeetingAttendanceFactory,
    factories.FormulationFactory,
    factories.AgreedActionFactory,
    factories.InterventionItemFactory,
    factories.SupervisionSessionFactory,
    factories.SupervisionActionFactory,
]


@pytest.mark.parametrize("factory_class", FACTORIES, ids=lambda f: f.__name__)
def test_factory_builds_a_valid_saved_object(db, factory_class):
    instance = factory_class()
    instance.full_clean()
    assert instance.pk is not None
