"""Clinical supervision reaches the case record: a note per case discussed, on the record and
the timeline with a link to the session, for everyone who may read the record; the session's
duration; the form naming who reads each box (issue 15)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from cases.services import ConflictError
from seed import factories
from supervision import services
from supervision.models import SupervisionNote
from tests.conftest import client_for

CASE_NOTE = "Seren is settling at college; keep the Tuesday visits"
PRIVATE = "I felt stuck with this family"
SHARED = "Caseload pressure discussed"


def today():
    return timezone.localdate()


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(
        team=team_a, practitioner=practitioner, reference="YP-N1", given_name="Seren"
    )


@pytest.fixture
def colleague(team_a):
    """A practitioner of the same team, not supervised in the session: reads the record."""
    return factories.user_with_role(Role.PRACTITIONER, team_a, username="carys")


def record(psychologist, practitioner, young_person, **extra):
    arguments = {
        "held_on": today() - timedelta(days=2),
        "cases": [young_person],
        "case_notes": {young_person: CASE_NOTE},
        "shared_notes": SHARED,
        "private_notes": PRIVATE,
        "duration_minutes": 50,
        "actions": [
            {
                "description": "Ask college about a mentor",
                "assignee": practitioner,
                "young_person": young_person,
            }
        ],
    } | extra
    return services.session_record(by=psychologist, practitioner=practitioner, **arguments)


@pytest.fixture
def session(psychologist, practitioner, young_person):
    return record(psychologist, practitioner, young_person)


def record_page(young_person):
    return reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk})


def timeline_page(young_person):
    return reverse("cases:youngperson-timeline", kwargs={"pk": young_person.pk})


def session_page(session):
    return reverse("supervision:session-detail", kwargs={"session_pk": session.pk})


# --- The service ---------------------------------------------------------------------------------


def test_a_session_keeps_its_note_for_each_case_and_its_duration(session, young_person):
    note = SupervisionNote.objects.get(session=session)
    assert (note.young_person, note.text, note.version) == (young_person, CASE_NOTE, 1)
    assert session.duration_minutes == 50
    assert note.history.count() == 1


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        (0, "The duration must be at least 1 minute"),
        (-5, "The duration must be at least 1 minute"),
        (721, "The duration must be 720 minutes (12 hours) or less"),
    ],
)
def test_a_duration_of_zero_or_over_twelve_hours_is_refused(
    psychologist, practitioner, young_person, minutes, message
):
    with pytest.raises(ValidationError) as raised:
        record(psychologist, practitioner, young_person, duration_minutes=minutes)
    assert raised.value.message_dict["duration_minutes"] == [message]


def test_twelve_hours_exactly_is_accepted(psychologist, practitioner, young_person):
    session = record(psychologist, practitioner, young_person, duration_minutes=720)
    assert session.duration_minutes == 720


def test_a_note_for_a_case_not_discussed_is_refused(psychologist, practitioner, young_person):
    with pytest.raises(ValidationError) as raised:
        record(psychologist, practitioner, young_person, cases=[])
    assert raised.value.message_dict["cases"] == [
        "Tick YP-N1 as a case discussed, or leave its note for the case record empty"
    ]
    assert not SupervisionNote.objects.exists()


def test_revising_a_note_keeps_its_history_and_emptying_it_removes_it(
    psychologist, session, young_person
):
    services.session_update(
        by=psychologist,
        session=session,
        version=1,
        shared_notes=SHARED,
        private_notes=PRIVATE,
        case_notes={young_person: "Revised note"},
    )
    note = SupervisionNote.objects.get(session=session)
    assert (note.text, note.version, note.history.count()) == ("Revised note", 2, 2)
    services.session_update(
        by=psychologist,
        session=session,
        version=2,
        shared_notes=SHARED,
        private_notes=PRIVATE,
        case_notes={young_person: ""},
    )
    assert not SupervisionNote.objects.exists()
    assert note.history.latest().history_type == "-"


def test_a_revision_that_leaves_the_notes_out_keeps_them(psychologist, session):
    services.session_update(
        by=psychologist,
        session=session,
        version=1,
        shared_notes="Changed",
        private_notes=PRIVATE,
    )
    session.refresh_from_db()
    assert SupervisionNote.objects.get(session=session).text == CASE_NOTE
    assert session.duration_minutes == 50


def test_a_stale_revision_changes_no_note(psychologist, session, young_person):
    with pytest.raises(ConflictError):
        services.session_update(
            by=psychologist,
            session=session,
            version=7,
            shared_notes=SHARED,
            private_notes=PRIVATE,
            case_notes={young_person: "Lost?"},
        )
    assert SupervisionNote.objects.get(session=session).text == CASE_NOTE


# --- The case record and its timeline ----------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "psychologist", "practitioner", "colleague"])
def test_everyone_who_reads_the_record_sees_the_case_note_with_a_link_to_the_session(
    request, role, session, young_person
):
    client = client_for(request.getfixturevalue(role))
    for page in (record_page(young_person), timeline_page(young_person)):
        body = client.get(page).content.decode()
        assert CASE_NOTE in body, page
        assert f'href="{session_page(session)}"' in body, page
        assert PRIVATE not in body and SHARED not in body, page


def test_the_timeline_shows_the_agreed_action_beside_the_note(manager, session, young_person):
    body = client_for(manager).get(timeline_page(young_person)).content.decode()
    assert "Clinical supervision note" in body
    assert "Clinical supervision action: Ask college about a mentor" in body


def test_someone_outside_the_team_sees_no_note(other_practitioner, session, young_person):
    assert client_for(other_practitioner).get(record_page(young_person)).status_code == 404
    assert client_for(other_practitioner).get(session_page(session)).status_code == 404


def test_a_colleague_following_the_link_sees_the_case_note_but_neither_session_note(
    colleague, session
):
    response = client_for(colleague).get(session_page(session))
    body = response.content.decode()
    assert response.status_code == 200
    assert CASE_NOTE in body
    assert SHARED not in body and PRIVATE not in body


def test_the_manager_reads_the_shared_notes_but_never_the_private_ones(manager, session):
    body = client_for(manager).get(session_page(session)).content.decode()
    assert CASE_NOTE in body and SHARED in body
    assert PRIVATE not in body


# --- The form ----------------------------------------------------------------------------------


def test_each_box_of_the_form_names_who_reads_it(psychologist, practitioner, young_person):
    from accounts.models import Membership

    membership = Membership.objects.get(user=practitioner, role=Role.PRACTITIONER)
    page = f"{reverse('supervision:session-create')}?supervised={membership.pk}"
    body = client_for(psychologist).get(page).content.decode()
    assert "Note for the record of YP-N1" in body
    assert "by everyone who may read it" in body
    assert "Seen by you, the practitioner and the team manager" in body
    assert "Seen only by you and the practitioner: never by the team manager" in body
    assert "Duration of the session (minutes)" in body


def test_the_form_says_what_is_wrong_with_a_duration(psychologist, practitioner, young_person):
    from accounts.models import Membership

    membership = Membership.objects.get(user=practitioner, role=Role.PRACTITIONER)
    page = f"{reverse('supervision:session-create')}?supervised={membership.pk}"
    data = {
        "held_on": (today() - timedelta(days=1)).isoformat(),
        "cases": [young_person.pk],
        f"case_note_{young_person.pk}": CASE_NOTE,
    }
    client = client_for(psychologist)
    for minutes, message in (
        ("0", "The duration must be at least 1 minute"),
        ("800", "The duration must be 720 minutes (12 hours) or less"),
        ("an hour", "Duration of the session must be a whole number of minutes"),
        ("", "Enter how long the session lasted, in minutes"),
    ):
        response = client.post(page, data | {"duration_minutes": minutes})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not SupervisionNote.objects.exists()
    response = client.post(page, data | {"duration_minutes": "45"})
    assert response.status_code == 302
    assert SupervisionNote.objects.get().text == CASE_NOTE
