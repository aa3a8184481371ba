"""Transfer between YOTs (issue 17): links made before a transfer, followed after it.

The old team's people keep their supervision sessions and notifications, but nothing in them
about the case that moved: the session page leaves the case and its actions out and says
so; a notification about the case says only that it is no longer one of the team's cases and
opening it answers 404 like the case's own pages. The new team's people follow their
notifications to the case, and a session reached from the case record shows them that case
only, never the old team's other young people.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLogEntry, Role
from cases import transfers
from seed import factories
from supervision import services as supervision_services
from tests.conftest import client_for
from work.models import Notification, NotificationKind


@pytest.fixture
def moving(team_a, practitioner):
    return factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        reference="YP-MOVE",
        given_name="Tudwal",
        family_name="Prydderch",
        ecm_start_date=timezone.localdate(),
    )


@pytest.fixture
def staying(team_a, practitioner):
    return factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        reference="YP-STAY",
        given_name="Cerys",
        family_name="Ifans",
        ecm_start_date=timezone.localdate(),
    )


@pytest.fixture
def receiving_manager(team_b):
    return factories.user_with_role(Role.MANAGER, team_b, username="rhian")


@pytest.fixture
def session(psychologist, practitioner, moving, staying):
    return supervision_services.session_record(
        by=psychologist,
        practitioner=practitioner,
        held_on=timezone.localdate() - timedelta(days=3),
        cases=[moving, staying],
        case_notes={moving: "Tudwal: college place agreed", staying: "Cerys: housing"},
        shared_notes="Both families discussed",
        private_notes="",
        duration_minutes=45,
        actions=[
            {
                "description": "Ring Tudwal's college",
                **factories.outside_owner("Alice"),
                "due_on": timezone.localdate() + timedelta(days=7),
                "young_person": moving,
            },
            {
                "description": "Write to Cerys's landlord",
                **factories.outside_owner("Alice"),
                "due_on": timezone.localdate() + timedelta(days=7),
                "young_person": staying,
            },
        ],
    )


def _transfer(manager, receiving_manager, young_person, team_b, new_practitioner):
    young_person.refresh_from_db()
    transfer = transfers.transfer_request(
        by=manager,
        young_person=young_person,
        to_team=team_b,
        reason="The family moved to Carmarthen",
        version=young_person.version,
    )
    transfer.refresh_from_db()
    transfers.transfer_accept(
        by=receiving_manager,
        transfer=transfer,
        version=transfer.version,
        practitioner=new_practitioner,
        consent_rechecked=True,
    )


def _session_page(session) -> str:
    return reverse("supervision:session-detail", kwargs={"session_pk": session.pk})


def _record(young_person) -> str:
    return reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk})


def test_the_old_teams_session_page_leaves_the_moved_case_out_and_says_so(
    manager,
    practitioner,
    psychologist,
    receiving_manager,
    other_practitioner,
    team_b,
    moving,
    staying,
    session,
):
    _transfer(manager, receiving_manager, moving, team_b, other_practitioner)
    for user in (psychologist, practitioner, manager):
        response = client_for(user).get(_session_page(session))
        assert response.status_code == 200
        page = response.content.decode()
        assert "YP-MOVE" not in page and _record(moving) not in page
        assert "Tudwal" not in page
        assert "1 case discussed is not one you can open" in page
        assert "YP-STAY" in page and _record(staying) in page
        assert "Write to Cerys&#x27;s landlord" in page
    # The case's own pages stay 404 for them.
    assert client_for(practitioner).get(_record(moving)).status_code == 404


def test_the_old_teams_session_list_names_the_moved_case_only_as_another_teams(
    manager, practitioner, receiving_manager, other_practitioner, team_b, moving, session
):
    _transfer(manager, receiving_manager, moving, team_b, other_practitioner)
    client = client_for(practitioner)
    page = client.get(reverse("supervision:session-list")).content.decode()
    assert "YP-STAY, a case now held by another team" in page or (
        "a case now held by another team, YP-STAY" in page
    )
    assert "YP-MOVE" not in page and "Ring Tudwal" not in page
    assert "Write to Cerys&#x27;s landlord" in page
    welsh = client.get(reverse("supervision:session-list"), HTTP_ACCEPT_LANGUAGE="cy")
    assert "achos sydd bellach gan dîm arall" in welsh.content.decode()


def test_the_new_team_sees_the_moved_case_on_the_old_session_and_nothing_else(
    manager, receiving_manager, other_practitioner, team_b, moving, staying, session
):
    _transfer(manager, receiving_manager, moving, team_b, other_practitioner)
    client = client_for(other_practitioner)
    record = client.get(_record(moving)).content.decode()
    assert _session_page(session) in record  # the case note links to its session
    response = client.get(_session_page(session))
    assert response.status_code == 200
    page = response.content.decode()
    assert "YP-MOVE" in page and _record(moving) in page
    assert "Tudwal: college place agreed" in page
    assert "Ring Tudwal&#x27;s college" in page
    # Nothing about the old team's other young person, nor the session's shared notes.
    assert "YP-STAY" not in page and "Cerys" not in page
    assert "Both families discussed" not in page
    assert "1 case discussed is not one you can open" in page


def test_a_session_page_in_welsh_says_what_it_leaves_out(
    manager, practitioner, receiving_manager, other_practitioner, team_b, moving, session
):
    _transfer(manager, receiving_manager, moving, team_b, other_practitioner)
    page = client_for(practitioner).get(_session_page(session), HTTP_ACCEPT_LANGUAGE="cy")
    assert "Nid yw 1 achos a drafodwyd yn un y gallwch ei agor" in page.content.decode()


def _notification(user, young_person, subject) -> Notification:
    return Notification.objects.create(
        user=user,
        kind=NotificationKind.NO_CONTACT,
        subject=subject,
        young_person=young_person,
        on=timezone.localdate() - timedelta(days=15),
        url=_record(young_person),
    )


def test_the_old_teams_notification_about_the_moved_case_says_only_that_it_has_gone(
    manager, practitioner, receiving_manager, other_practitioner, team_b, moving, staying
):
    gone = _notification(practitioner, moving, "contact:moving")
    kept = _notification(practitioner, staying, "contact:staying")
    _transfer(manager, receiving_manager, moving, team_b, other_practitioner)
    client = client_for(practitioner)

    listed = client.get(reverse("work:notification-list")).content.decode()
    assert "Tudwal" not in listed and "Prydderch" not in listed
    assert "This notification was about a case that is no longer one of your team" in listed
    assert reverse("work:notification-open", args=[gone.pk]) not in listed
    assert "No contact with Cerys Ifans" in listed

    response = client.post(reverse("work:notification-open", args=[gone.pk]))
    assert response.status_code == 404
    page = response.content.decode()
    assert "This case is no longer one of your team" in page
    assert "Tudwal" not in page and _record(moving) not in page
    denied = AccessLogEntry.objects.get(action="notification.open")
    assert (denied.allowed, denied.object_id) == (False, str(moving.pk))
    gone.refresh_from_db()
    assert gone.read_at is not None
    # The case still in the team is followed as before.
    assert client.post(reverse("work:notification-open", args=[kept.pk]))["Location"] == (
        _record(staying)
    )


def test_the_new_teams_notification_leads_to_the_case(
    manager, receiving_manager, other_practitioner, team_b, moving
):
    _transfer(manager, receiving_manager, moving, team_b, other_practitioner)
    notification = _notification(other_practitioner, moving, "contact:new")
    client = client_for(other_practitioner)
    assert (
        "No contact with Tudwal Prydderch"
        in client.get(reverse("work:notification-list")).content.decode()
    )
    response = client.post(reverse("work:notification-open", args=[notification.pk]), follow=True)
    assert response.redirect_chain == [(_record(moving), 302)]
    assert response.status_code == 200
    assert "Tudwal Prydderch" in response.content.decode()


def test_the_case_gone_page_speaks_welsh(
    manager, practitioner, receiving_manager, other_practitioner, team_b, moving
):
    gone = _notification(practitioner, moving, "contact:moving")
    _transfer(manager, receiving_manager, moving, team_b, other_practitioner)
    client = client_for(practitioner)
    listed = client.get(reverse("work:notification-list"), HTTP_ACCEPT_LANGUAGE="cy")
    assert "nad yw bellach yn un o achosion eich tîm" in listed.content.decode()
    page = client.post(reverse("work:notification-open", args=[gone.pk]), HTTP_ACCEPT_LANGUAGE="cy")
    assert page.status_code == 404
    assert "Nid yw'r achos hwn bellach yn un o achosion eich tîm" in page.content.decode()
