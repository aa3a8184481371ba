"""Management oversight on the record (issue 15): a manager records oversight of a case in
their team (date, what was reviewed, decision, actions as tasks); it is versioned with its
history, shows on the record and the timeline beside the supervision it answers, and the
team view shows the cases with none in the last 3 months."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLogEntry
from cases.models import CaseEvent
from cases.services import ConflictError
from seed import factories
from supervision import rules, services
from supervision.models import OversightAction, OversightEntry
from tests.cases.test_young_person_pages import DETAIL_BUDGET, TIMELINE_BUDGET
from tests.conftest import client_for

REVIEWED = "The plan, contact since March and the supervision actions"
DECISION = "Keep the case open; step up contact to twice a week"


def today():
    return timezone.localdate()


@pytest.fixture
def young_person(team_a, practitioner):
    factories.trm_stage(1)
    return factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        reference="YP-O1",
        given_name="Osian",
        referral_date=today() - timedelta(days=200),
        ecm_start_date=today() - timedelta(days=190),
    )


@pytest.fixture
def session(psychologist, practitioner, young_person):
    return services.session_record(
        by=psychologist,
        practitioner=practitioner,
        held_on=today() - timedelta(days=10),
        duration_minutes=60,
        cases=[young_person],
        case_notes={young_person: "Osian is ready for a college taster"},
        actions=[{"description": "Book the college taster", "assignee": practitioner}],
    )


def record(manager, young_person, **extra):
    arguments = {
        "reviewed_on": today() - timedelta(days=2),
        "reviewed": REVIEWED,
        "decision": DECISION,
    } | extra
    return services.oversight_record(by=manager, young_person=young_person, **arguments)


def create_page(young_person):
    return reverse("supervision:oversight-create", kwargs={"pk": young_person.pk})


def record_page(young_person):
    return reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk})


def form_data(**overrides):
    data = {
        "reviewed_on": (today() - timedelta(days=1)).isoformat(),
        "reviewed": REVIEWED,
        "decision": DECISION,
        "responds_to": "",
    }
    for number in (1, 2, 3):
        data |= {
            f"action_{number}_description": "",
            f"action_{number}_assignee": "",
            f"action_{number}_agency": "",
            f"action_{number}_owner": "",
            f"action_{number}_due_on": "",
        }
    return data | overrides


# --- The service -----------------------------------------------------------------------------


def test_a_manager_records_oversight_with_actions_that_become_tasks(
    manager, practitioner, young_person, session
):
    entry = record(
        manager,
        young_person,
        responds_to=session,
        actions=[
            {
                "description": "Check the college taster is booked",
                "assignee": practitioner,
                "due_on": today() + timedelta(days=7),
            }
        ],
    )
    assert (entry.manager, entry.responds_to, entry.version) == (manager, session, 1)
    action = OversightAction.objects.get(entry=entry)
    assert (action.assignee, action.done_on) == (practitioner, None)
    assert entry.history.count() == 1
    assert CaseEvent.objects.filter(young_person=young_person, action="oversight.recorded").exists()


def test_a_manager_of_another_team_is_refused(team_b, young_person):
    outsider = factories.user_with_role("manager", team_b, username="other-manager")
    with pytest.raises(PermissionDenied):
        record(outsider, young_person)
    assert not OversightEntry.objects.exists()


@pytest.mark.parametrize("role", ["practitioner", "psychologist"])
def test_only_managers_record_oversight(request, role, young_person):
    with pytest.raises(PermissionDenied):
        record(request.getfixturevalue(role), young_person)


def when_run(values: dict) -> dict:
    """Parameters with each date worked out now (a callable gives it)."""
    return {key: value() if callable(value) else value for key, value in values.items()}


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"reviewed": "  "}, "reviewed", "Say what you reviewed"),
        ({"decision": ""}, "decision", "Say what you decided"),
        (
            # Dates are worked out when the test runs, not when it is collected (a run that
            # crosses midnight would otherwise offer "tomorrow" as today).
            {"reviewed_on": lambda: today() + timedelta(days=1)},
            "reviewed_on",
            "Date of the oversight must be today or in the past",
        ),
        (
            {"reviewed_on": lambda: today() - timedelta(days=400)},
            "reviewed_on",
            "Date of the oversight cannot be before the referral",
        ),
    ],
)
def test_bad_oversight_gets_a_specific_message(manager, young_person, extra, field, message):
    with pytest.raises(ValidationError) as raised:
        record(manager, young_person, **when_run(extra))
    assert raised.value.message_dict[field][0].startswith(message)


def test_oversight_answers_only_a_session_that_discussed_the_case(
    manager, psychologist, practitioner, young_person, team_a
):
    other = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
    elsewhere = services.session_record(
        by=psychologist, practitioner=practitioner, held_on=today(), cases=[other]
    )
    with pytest.raises(ValidationError) as raised:
        record(manager, young_person, responds_to=elsewhere)
    assert raised.value.message_dict["responds_to"] == [
        "Choose a supervision session in which this case was discussed"
    ]


def test_revising_oversight_is_versioned_and_refuses_a_stale_change(manager, young_person):
    entry = record(manager, young_person)
    arguments = {
        "reviewed_on": entry.reviewed_on,
        "reviewed": REVIEWED,
        "decision": "Close the case next month",
    }
    services.oversight_update(by=manager, entry=entry, version=1, **arguments)
    entry.refresh_from_db()
    assert (entry.version, entry.decision, entry.history.count()) == (
        2,
        "Close the case next month",
        2,
    )
    with pytest.raises(ConflictError):
        services.oversight_update(by=manager, entry=entry, version=1, **arguments)


def test_the_three_months_are_calendar_months():
    from datetime import date

    assert rules.oversight_due_since(date(2026, 5, 31)) == date(2026, 2, 28)


# --- The pages ---------------------------------------------------------------------------------


def test_the_manager_records_oversight_from_the_record_and_everyone_reading_it_sees_it(
    manager, practitioner, psychologist, young_person, session
):
    client = client_for(manager)
    body = client.get(record_page(young_person)).content.decode()
    assert "No management oversight in the last 3 months" in body
    assert create_page(young_person) in body
    response = client.post(
        create_page(young_person),
        form_data(
            responds_to=str(session.pk),
            action_1_description="Check the taster went ahead",
            action_1_assignee=str(practitioner.pk),
            action_1_due_on=(today() + timedelta(days=7)).isoformat(),
        ),
    )
    assert response.status_code == 302
    for user in (manager, practitioner, psychologist):
        body = client_for(user).get(record_page(young_person)).content.decode()
        assert DECISION in body
        assert "the clinical supervision of" in body
        assert "Check the taster went ahead" in body
        assert "No management oversight in the last 3 months" not in body
    assert (
        create_page(young_person)
        not in client_for(practitioner).get(record_page(young_person)).content.decode()
    )


def test_the_oversight_action_is_on_the_practitioners_tasks(manager, practitioner, young_person):
    record(
        manager,
        young_person,
        actions=[{"description": "Ring the school about Osian", "assignee": practitioner}],
    )
    body = client_for(practitioner).get(reverse("work:task-list")).content.decode()
    assert "Ring the school about Osian" in body
    assert "Management oversight on" in body


def test_the_assignee_marks_an_oversight_action_done(manager, practitioner, young_person):
    entry = record(
        manager,
        young_person,
        actions=[{"description": "Ring the school", "assignee": practitioner}],
    )
    action = entry.actions.get()
    page = reverse("supervision:oversight-action-complete", kwargs={"action_pk": action.pk})
    assert client_for(practitioner).post(page).status_code == 302
    action.refresh_from_db()
    assert (action.done_on, action.done_by) == (today(), practitioner)


def test_the_timeline_shows_oversight_beside_the_supervision_it_answers(
    manager, young_person, session
):
    record(manager, young_person, responds_to=session)
    page = reverse("cases:youngperson-timeline", kwargs={"pk": young_person.pk})
    body = client_for(manager).get(page).content.decode()
    assert "Management oversight" in body
    assert "Clinical supervision action: Book the college taster" in body
    assert "In response to the clinical supervision of" in body
    session_page = reverse("supervision:session-detail", kwargs={"session_pk": session.pk})
    assert f'href="{session_page}"' in body


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"reviewed_on": lambda: (today() + timedelta(days=1)).isoformat()},
            "Date of the oversight must be today or in the past",
        ),
        ({"decision": ""}, "Say what you decided"),
        ({"reviewed_on": "31/02/2026"}, "Date of the oversight must be a real date"),
        ({"action_1_description": "Ring"}, "Enter the date action 1 is due by"),
    ],
)
def test_a_bad_form_says_what_is_wrong_and_saves_nothing(manager, young_person, overrides, message):
    response = client_for(manager).post(create_page(young_person), form_data(**when_run(overrides)))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not OversightEntry.objects.exists()


def test_another_teams_manager_cannot_open_the_form(team_b, young_person):
    outsider = factories.user_with_role("manager", team_b, username="other-manager")
    assert client_for(outsider).get(create_page(young_person)).status_code == 404


def test_the_edit_page_shows_a_conflict_and_keeps_what_was_typed(manager, young_person):
    entry = record(manager, young_person)
    services.oversight_update(
        by=manager,
        entry=entry,
        version=1,
        reviewed_on=entry.reviewed_on,
        reviewed=REVIEWED,
        decision="Saved in another tab",
    )
    page = reverse("supervision:oversight-edit", kwargs={"entry_pk": entry.pk})
    response = client_for(manager).post(
        page,
        form_data(version="1", reviewed_on=entry.reviewed_on.isoformat(), decision="Typed here"),
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Saved in another tab" in body and "Typed here" in body


def test_recording_oversight_is_logged(manager, young_person):
    client_for(manager).get(create_page(young_person))
    assert AccessLogEntry.objects.filter(
        user=manager, action="oversight.create", object_id=str(young_person.pk), allowed=True
    ).exists()


def test_the_team_view_lists_cases_without_recent_oversight(
    manager, practitioner, team_a, young_person
):
    overseen = factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        reference="YP-O2",
        referral_date=today() - timedelta(days=200),
        ecm_start_date=today() - timedelta(days=190),
    )
    record(manager, overseen)
    page = reverse("cases:team-detail", kwargs={"code": team_a.code})
    body = client_for(manager).get(page, {"warning": "no_recent_oversight"}).content.decode()
    assert "YP-O1" in body
    assert "YP-O2" not in body
    assert "No management oversight in 3 months" in body


@pytest.mark.parametrize("count", [1, 50])
def test_the_record_page_stays_within_its_budget_with_oversight_and_supervision(
    manager, psychologist, practitioner, young_person, django_assert_max_num_queries, count
):
    for number in range(count):
        session = services.session_record(
            by=psychologist,
            practitioner=practitioner,
            held_on=today() - timedelta(days=number % 30),
            cases=[young_person],
            case_notes={young_person: f"Note {number}"},
            actions=[{"description": f"Action {number}", "assignee": practitioner}],
        )
        record(
            manager,
            young_person,
            responds_to=session,
            actions=[{"description": f"Oversight action {number}", "assignee": practitioner}],
        )
    client = client_for(manager)
    with django_assert_max_num_queries(DETAIL_BUDGET):
        assert client.get(record_page(young_person)).status_code == 200
    page = reverse("cases:youngperson-timeline", kwargs={"pk": young_person.pk})
    with django_assert_max_num_queries(TIMELINE_BUDGET):
        assert client.get(page).status_code == 200


# --- The oversight history page ----------------------------------------------------------------


def history_page(young_person, **query):
    url = reverse("supervision:oversight-history", kwargs={"pk": young_person.pk})
    return f"{url}?{'&'.join(f'{key}={value}' for key, value in query.items())}" if query else url


def entries_shown(body):
    return [line for line in body.splitlines() if 'id="oversight-' in line]


def test_the_history_shows_every_entry_newest_first_with_its_actions_and_their_status(
    manager, practitioner, young_person, session
):
    older = record(
        manager,
        young_person,
        reviewed_on=today() - timedelta(days=40),
        decision="Close the case next month",
        actions=[
            {
                "description": "Ring the school",
                "assignee": practitioner,
                "due_on": today() - timedelta(days=30),
            }
        ],
    )
    newer = record(
        manager,
        young_person,
        responds_to=session,
        actions=[{"description": "Book the taster", "assignee": practitioner}],
    )
    done = newer.actions.get()
    services.oversight_action_complete(by=practitioner, action=done, done_on=today())

    body = client_for(practitioner).get(history_page(young_person)).content.decode()

    assert [line.split('id="oversight-')[1].split('"')[0] for line in entries_shown(body)] == [
        str(newer.pk),
        str(older.pk),
    ]
    assert body.index(DECISION) < body.index("Close the case next month")
    assert REVIEWED in body and str(manager) in body
    assert "Ring the school" in body and "Overdue" in body
    assert "Book the taster" in body and today().strftime("%-d %B %Y") in body
    session_page = reverse("supervision:session-detail", kwargs={"session_pk": session.pk})
    assert f'href="{session_page}"' in body


def test_the_history_is_a_page_at_a_time(manager, young_person):
    for number in range(30):
        record(manager, young_person, reviewed_on=today() - timedelta(days=number + 1))
    client = client_for(manager)

    first = client.get(history_page(young_person)).content.decode()
    second = client.get(history_page(young_person, page=2)).content.decode()

    assert len(entries_shown(first)) == 25
    assert "Entries 1 to 25 of 30, newest first" in first
    assert len(entries_shown(second)) == 5
    assert "Entries 26 to 30 of 30, newest first" in second


def test_a_page_number_that_is_not_one_shows_the_first_page_or_the_last(manager, young_person):
    record(manager, young_person)
    client = client_for(manager)
    for page in ("abc", "99"):
        response = client.get(history_page(young_person, page=page))
        assert response.status_code == 200
        assert DECISION in response.content.decode()


def test_the_manager_is_told_to_record_oversight_and_the_practitioner_is_not(
    manager, practitioner, young_person
):
    record(manager, young_person)
    to_record = f'href="{create_page(young_person)}"'

    managers_view = client_for(manager).get(history_page(young_person)).content.decode()
    practitioners_view = client_for(practitioner).get(history_page(young_person)).content.decode()

    assert "What to do next" in managers_view and to_record in managers_view
    assert "What to do next" in practitioners_view and to_record not in practitioners_view
    assert "Only a manager of the young person's team records" in practitioners_view
    entry = OversightEntry.objects.get()
    change = reverse("supervision:oversight-edit", kwargs={"entry_pk": entry.pk})
    assert change in managers_view and change not in practitioners_view


def test_with_no_oversight_the_history_says_so_and_offers_to_record_it(manager, young_person):
    body = client_for(manager).get(history_page(young_person)).content.decode()
    assert "No management oversight has been recorded for this case." in body
    assert f'href="{create_page(young_person)}"' in body


def test_the_record_card_links_to_the_history(manager, psychologist, young_person):
    record(manager, young_person)
    body = client_for(psychologist).get(record_page(young_person)).content.decode()
    assert f'href="{history_page(young_person)}"' in body
    assert "See the whole management oversight history" in body


def test_each_timeline_entry_opens_the_history_page_that_shows_it(manager, young_person):
    for number in range(27):
        record(manager, young_person, reviewed_on=today() - timedelta(days=number + 1))
    entries = list(OversightEntry.objects.order_by("-reviewed_on", "-id"))
    timeline = reverse("cases:youngperson-timeline", kwargs={"pk": young_person.pk})
    client = client_for(manager)
    body = "".join(client.get(timeline, {"page": number}).content.decode() for number in (1, 2, 3))

    newest = f"{history_page(young_person)}#oversight-{entries[0].pk}"
    oldest = f"{history_page(young_person, page=2)}#oversight-{entries[-1].pk}"
    assert f'href="{newest}"' in body
    assert f'href="{oldest}"' in body
    assert f'id="oversight-{entries[-1].pk}"' in client.get(oldest.split("#")[0]).content.decode()


def test_viewing_the_history_is_logged(practitioner, young_person):
    client_for(practitioner).get(history_page(young_person))
    assert AccessLogEntry.objects.filter(
        user=practitioner,
        action="oversight.history",
        object_id=str(young_person.pk),
        allowed=True,
    ).exists()


def test_the_history_is_in_welsh(manager, young_person):
    record(manager, young_person)
    body = (
        client_for(manager)
        .get(history_page(young_person), HTTP_ACCEPT_LANGUAGE="cy")
        .content.decode()
    )
    assert "Hanes goruchwyliaeth reoli" in body
    assert "Beth i'w wneud nesaf" in body


#: The same with 1 and with 50 entries (each answering a supervision session, two actions each).
HISTORY_BUDGET = 11


@pytest.mark.parametrize("count", [1, 50])
def test_the_history_stays_within_its_budget(
    manager, psychologist, practitioner, young_person, django_assert_max_num_queries, count
):
    agency = factories.AgencyFactory()
    for number in range(count):
        session = services.session_record(
            by=psychologist,
            practitioner=practitioner,
            held_on=today() - timedelta(days=number % 30 + 1),
            cases=[young_person],
            actions=[],
        )
        record(
            manager,
            young_person,
            reviewed_on=today() - timedelta(days=number % 30),
            responds_to=session,
            actions=[
                {"description": f"Oversight action {number}", "assignee": practitioner},
                {
                    "description": f"Call {number}",
                    "owner": "Sam",
                    "agency": agency,
                    "due_on": today(),
                },
            ],
        )
    client = client_for(manager)
    with django_assert_max_num_queries(HISTORY_BUDGET):
        response = client.get(history_page(young_person))
    assert len(entries_shown(response.content.decode())) == min(count, 25)
