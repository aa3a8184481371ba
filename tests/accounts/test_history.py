from accounts.history import save_by, save_version
from cases.models import YoungPerson
from seed.factories import YoungPersonFactory


def test_save_version_counts_the_change_and_names_who_made_it(practitioner, manager):
    young_person = YoungPersonFactory(team=practitioner.memberships.get().team)
    before = young_person.version
    young_person.given_name = "Changed"
    save_version(young_person, manager)
    stored = YoungPerson.objects.get(pk=young_person.pk)
    assert (stored.given_name, stored.version) == ("Changed", before + 1)
    assert stored.history.latest().history_user == manager


def test_save_by_keeps_the_version(practitioner, manager):
    young_person = YoungPersonFactory(team=practitioner.memberships.get().team)
    before = young_person.version
    save_by(young_person, manager, update_fields=["given_name"])
    stored = YoungPerson.objects.get(pk=young_person.pk)
    assert stored.version == before
    assert stored.history.latest().history_user == manager
