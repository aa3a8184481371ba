"""The supervision pages: the list, recording and revising a session, its actions, the
record-page panel, and that the notes reach nobody but the two participants."""

import re
from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts import policy
from accounts.models import AccessLogEntry, Membership, Role
from cases import panels
from seed import factories
from supervision import services
from supervision.models import SupervisionAction, SupervisionSession
from supervision.views import panel_context
from tests.conftest import client_for

#: Queries per page, whatever the number of sessions, cases and actions (DESIGN.md 9).
LIST_BUDGET = 11  # one INSERT: the access-log row of the list
DETAIL_BUDGET = 13  # one query each: the notes for the case records, the cases the reader may open
PANEL_BUDGET = 3  # the sessions, their actions, and their notes for this case

#: Written into the notes. The private notes reach no one but the two participants; the
#: shared notes also reach the team's managers, on the session's page only (DESIGN.md 6).
PRIVATE = "OKAPI-PRIVATE-5521"
SHARED = "OKAPI-SHARED-5522"

LIST = reverse("supervision:session-list")
CREATE = reverse("supervision:session-create")


def today():
    return timezone.localdate()


def detail(session):
    return reverse("supervision:session-detail", kwargs={"session_pk": session.pk})


def edit(session):
    return reverse("supervision:session-edit", kwargs={"session_pk": session.pk})


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(
        team=team_a, practitioner=practitioner, reference="YP-S1", given_name="Seren"
    )


def record(psychologist, practitioner, *, cases=(), actions=(), held_on=None):
    return services.session_record(
        by=psychologist,
        practitioner=practitioner,
        held_on=held_on or today() - timedelta(days=2),
        cases=cases,
        shared_notes=f"Shared: {SHARED}",
        private_notes=f"Private: {PRIVATE}",
        actions=actions,
    )


@pytest.fixture
def session(psychologist, practitioner, young_person):
    return record(
        psychologist,
        practitioner,
        cases=[young_person],
        actions=[
            {
                "description": "Call the school",
                **factories.outside_owner("Alice"),
                "due_on": today() + timedelta(days=7),
                "young_person": young_person,
            }
        ],
    )


def create(practitioner, team=None) -> str:
    """The second step of recording a session: the practitioner (in `team`) chosen."""
    membership = Membership.objects.get(
        user=practitioner, role=Role.PRACTITIONER, **({"team": team} if team else {})
    )
    return f"{CREATE}?supervised={membership.pk}"


def session_data(**overrides):
    data = {
        "held_on": (today() - timedelta(days=1)).isoformat(),
        "duration_minutes": "60",
        "cases": [],
        "shared_notes": "Talked about endings",
        "private_notes": "Feeling stretched",
    }
    for number in (1, 2, 3):
        data |= {
            f"action_{number}_description": "",
            f"action_{number}_assignee": "",
            f"action_{number}_agency": "",
            f"action_{number}_owner": "",
            f"action_{number}_due_on": "",
            f"action_{number}_young_person": "",
        }
    return {**data, **overrides}


# --- The list ----------------------------------------------------------------------------------


def test_list_shows_date_people_cases_and_actions_but_never_notes(
    psychologist, practitioner, session
):
    for user in (psychologist, practitioner):
        body = client_for(user).get(LIST).content.decode()
        assert "YP-S1" in body
        assert "Call the school" in body
        assert SHARED not in body and PRIVATE not in body


def test_the_manager_sees_the_teams_sessions_and_actions(manager, session):
    body = client_for(manager).get(LIST).content.decode()
    assert detail(session) in body
    assert "Call the school" in body


def test_a_practitioner_sees_only_their_own_sessions(psychologist, team_a, session):
    colleague = factories.user_with_role(Role.PRACTITIONER, team_a, username="carys")
    body = client_for(colleague).get(LIST).content.decode()
    assert detail(session) not in body
    assert "No supervision sessions yet." in body


def test_the_list_is_paginated(psychologist, practitioner):
    for number in range(26):
        record(psychologist, practitioner, held_on=today() - timedelta(days=number + 1))
    client = client_for(psychologist)
    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()
    session_link = re.compile(r'href="/supervision/sessions/\d+/"')
    assert len(session_link.findall(first)) == 25
    assert len(session_link.findall(second)) == 1


def test_the_navigation_offers_supervision_to_those_who_take_part(practitioner, evaluator):
    assert f'href="{LIST}"' in client_for(practitioner).get("/").content.decode()
    assert f'href="{LIST}"' not in client_for(evaluator).get("/").content.decode()


@pytest.mark.parametrize("count", [1, 50])
def test_list_query_count_does_not_grow_with_sessions(
    psychologist, practitioner, team_a, django_assert_max_num_queries, count
):
    for number in range(count):
        person = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
        record(
            psychologist,
            practitioner,
            cases=[person],
            actions=[
                {"description": "Read", **factories.outside_owner("Alice"), "young_person": person}
            ],
            held_on=today() - timedelta(days=number + 1),
        )
    client = client_for(psychologist)
    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(LIST)
    assert response.status_code == 200


# --- Recording a session -----------------------------------------------------------------------


def test_a_psychologist_records_a_session(psychologist, practitioner, young_person):
    due = today() + timedelta(days=5)
    response = client_for(psychologist).post(
        create(practitioner),
        session_data(
            cases=[young_person.pk],
            action_1_description="Plan the ending",
            action_1_owner="Alice",
            action_1_agency=factories.outside_owner("Alice")["agency"].pk,
            action_1_due_on=due.isoformat(),
            action_1_young_person=young_person.pk,
        ),
        follow=True,
    )
    session = SupervisionSession.objects.get()
    assert (session.psychologist, session.practitioner) == (psychologist, practitioner)
    assert list(session.cases.all()) == [young_person]
    action = SupervisionAction.objects.get(session=session)
    assert (action.description, action.due_on, action.young_person) == (
        "Plan the ending",
        due,
        young_person,
    )
    assert "Supervision session with" in response.content.decode()


def test_the_first_step_offers_practitioners_of_the_teams_served_only(
    psychologist, practitioner, other_practitioner, manager
):
    body = client_for(psychologist).get(CREATE).content.decode()
    assert "Practitioner supervised" in body
    offered = set(re.findall(r'<option value="(\d+)"', body))
    assert offered == {str(Membership.objects.get(user=practitioner).pk)}
    assert 'name="shared_notes"' not in body


def test_an_unknown_practitioner_choice_gets_a_message(psychologist, other_practitioner):
    for value in ("not-a-number", str(Membership.objects.get(user=other_practitioner).pk)):
        response = client_for(psychologist).get(CREATE, {"supervised": value})
        assert response.status_code == 200
        assert "Select a practitioner from the list" in response.content.decode()
    assert not SupervisionSession.objects.exists()


def test_the_second_step_names_the_practitioner_and_team(psychologist, practitioner):
    body = client_for(psychologist).get(create(practitioner)).content.decode()
    # As the page writes it: a generated name may hold an apostrophe ("O'Brien").
    assert escape(f"{practitioner} (Team A)") in body
    assert 'name="shared_notes"' in body


@pytest.fixture
def psychologist_of_both_teams(psychologist, team_b):
    factories.MembershipFactory(user=psychologist, team=team_b, role=Role.PSYCHOLOGIST)
    return psychologist


@pytest.fixture
def caseloads(team_a, team_b, practitioner, other_practitioner, young_person):
    """The practitioner's caseload (YP-S1, YP-S2), a colleague's case in the same team and a
    case in the other team."""
    colleague = factories.user_with_role(Role.PRACTITIONER, team_a, username="carys")
    return {
        "caseload": [
            young_person,
            factories.YoungPersonFactory(team=team_a, practitioner=practitioner, reference="YP-S2"),
        ],
        "colleague": factories.YoungPersonFactory(
            team=team_a, practitioner=colleague, reference="YP-C1"
        ),
        "other_team": factories.YoungPersonFactory(
            team=team_b, practitioner=other_practitioner, reference="YP-B1"
        ),
    }


def test_the_form_offers_exactly_the_practitioners_caseload(
    psychologist_of_both_teams, practitioner, caseloads
):
    body = client_for(psychologist_of_both_teams).get(create(practitioner)).content.decode()
    caseload = {str(person.pk) for person in caseloads["caseload"]}
    assert set(re.findall(r'<input[^>]*name="cases"[^>]*value="(\d+)"', body)) == caseload
    for number in (1, 2, 3):
        select = re.search(
            rf'<select name="action_{number}_young_person".*?</select>', body, re.DOTALL
        ).group()
        assert set(re.findall(r'<option value="(\d+)"', select)) == caseload
    assert "YP-C1" not in body and "YP-B1" not in body


def test_the_caseload_offered_is_written_to_the_access_log(
    psychologist_of_both_teams, practitioner, caseloads
):
    client_for(psychologist_of_both_teams).get(create(practitioner))
    entry = AccessLogEntry.objects.get(action="supervision.create")
    assert entry.username == psychologist_of_both_teams.username
    assert f"shown: {len(caseloads['caseload'])}" in entry.detail
    assert str(practitioner) in entry.detail


def test_another_teams_young_person_as_a_case_is_refused_on_create(
    psychologist_of_both_teams, practitioner, caseloads
):
    other = caseloads["other_team"]
    response = client_for(psychologist_of_both_teams).post(
        create(practitioner), session_data(cases=[other.pk], shared_notes="Typed notes")
    )
    body = response.content.decode()
    assert escape(f"Select only young people allocated to {practitioner}") in body
    assert "Typed notes" in body
    assert not SupervisionSession.objects.exists()


def test_a_colleagues_case_in_the_same_team_is_refused_with_whose_caseload_it_is(
    psychologist_of_both_teams, practitioner, caseloads
):
    colleagues = caseloads["colleague"]
    response = client_for(psychologist_of_both_teams).post(
        create(practitioner), session_data(cases=[colleagues.pk], shared_notes="Typed notes")
    )
    body = response.content.decode()
    error = body.split('id="id_cases-error"', 1)[1].split("</p>", 1)[0]
    assert escape(f"Select only young people allocated to {practitioner}") in error
    assert "Typed notes" in body
    assert not SupervisionSession.objects.exists()


def test_the_cases_question_names_whose_caseload_it_offers(
    psychologist_of_both_teams, practitioner, caseloads
):
    body = client_for(psychologist_of_both_teams).get(create(practitioner)).content.decode()
    assert f"The young people allocated to {practitioner};" in body


def test_another_teams_young_person_in_an_action_is_refused_on_create(
    psychologist_of_both_teams, practitioner, caseloads
):
    other = caseloads["other_team"]
    response = client_for(psychologist_of_both_teams).post(
        create(practitioner),
        session_data(
            action_1_description="Call the school",
            action_1_owner="Alice",
            action_1_agency=factories.outside_owner("Alice")["agency"].pk,
            action_1_young_person=other.pk,
            shared_notes="Typed notes",
        ),
    )
    body = response.content.decode()
    assert "Select a young person from the list" in body
    assert "Typed notes" in body and "Call the school" in body
    assert not SupervisionSession.objects.exists()
    assert not SupervisionAction.objects.exists()


def test_another_teams_young_person_in_an_action_is_refused_on_update(
    psychologist_of_both_teams, session, caseloads
):
    other = caseloads["other_team"]
    response = client_for(psychologist_of_both_teams).post(
        edit(session),
        session_data(
            version=session.version,
            cases=[person.pk for person in session.cases.all()],
            action_1_description="Visit",
            action_1_owner="Alice",
            action_1_agency=factories.outside_owner("Alice")["agency"].pk,
            action_1_young_person=other.pk,
            shared_notes="Revised shared",
        ),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Select a young person from the list" in body
    assert "Revised shared" in body
    session.refresh_from_db()
    assert session.version == 1
    assert list(session.actions.values_list("description", flat=True)) == ["Call the school"]


def test_another_teams_young_person_as_a_case_is_refused_on_update(
    psychologist_of_both_teams, session, caseloads
):
    response = client_for(psychologist_of_both_teams).post(
        edit(session),
        session_data(version=session.version, cases=[caseloads["other_team"].pk]),
    )
    assert (
        f"Select only young people allocated to {session.practitioner}" in response.content.decode()
    )
    assert [person.reference for person in session.cases.all()] == ["YP-S1"]


def test_the_edit_form_keeps_a_case_discussed_that_has_since_moved_to_a_colleague(
    psychologist, session, young_person, team_a
):
    colleague = factories.user_with_role(Role.PRACTITIONER, team_a, username="carys")
    young_person.practitioner = colleague
    young_person.save()
    body = client_for(psychologist).get(edit(session)).content.decode()
    checkbox = re.search(rf'<input[^>]*name="cases"[^>]*value="{young_person.pk}"[^>]*>', body)
    assert "checked" in checkbox.group()


def test_the_session_is_recorded_in_the_team_chosen(
    psychologist_of_both_teams, practitioner, team_b
):
    factories.MembershipFactory(user=practitioner, team=team_b, role=Role.PRACTITIONER)
    body = client_for(psychologist_of_both_teams).get(CREATE).content.decode()
    assert '<optgroup label="Team A">' in body and '<optgroup label="Team B">' in body
    response = client_for(psychologist_of_both_teams).post(
        create(practitioner, team_b), session_data()
    )
    assert response.status_code == 302
    assert SupervisionSession.objects.get().team == team_b


def test_a_session_in_the_future_is_refused(psychologist, practitioner):
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = client_for(psychologist).post(create(practitioner), session_data(held_on=tomorrow))
    assert "Date of the session must be today or in the past" in response.content.decode()


def test_a_half_filled_action_says_what_is_missing(psychologist, practitioner):
    response = client_for(psychologist).post(
        create(practitioner), session_data(action_1_assignee=practitioner.pk)
    )
    assert "Enter what is to be done for action 1" in response.content.decode()
    assert not SupervisionSession.objects.exists()


# --- One session -------------------------------------------------------------------------------


def test_the_practitioner_reads_the_shared_and_private_notes(practitioner, session):
    body = client_for(practitioner).get(detail(session)).content.decode()
    assert SHARED in body and PRIVATE in body
    assert "Private reflective notes" in body


def test_the_manager_sees_the_session_and_its_shared_notes_but_not_the_private_ones(
    manager, session
):
    body = client_for(manager).get(detail(session)).content.decode()
    assert "YP-S1" in body
    assert "Call the school" in body
    assert SHARED in body
    assert PRIVATE not in body and "Private reflective notes" not in body


def test_viewing_a_session_is_logged(manager, session):
    client_for(manager).get(detail(session))
    assert AccessLogEntry.objects.filter(
        user=manager, action="supervision.view", object_id=str(session.pk), allowed=True
    ).exists()


@pytest.mark.parametrize("count", [1, 50])
def test_detail_query_count_does_not_grow_with_cases_and_actions(
    psychologist, practitioner, team_a, django_assert_max_num_queries, count
):
    people = [
        factories.YoungPersonFactory(team=team_a, practitioner=practitioner) for _ in range(count)
    ]
    session = record(
        psychologist,
        practitioner,
        cases=people,
        actions=[
            {
                "description": f"Action {number}",
                **factories.outside_owner("Alice"),
                "young_person": person,
            }
            for number, person in enumerate(people)
        ],
    )
    client = client_for(practitioner)
    with django_assert_max_num_queries(DETAIL_BUDGET):
        response = client.get(detail(session))
    assert response.status_code == 200


def test_the_psychologist_revises_the_notes(psychologist, session):
    response = client_for(psychologist).post(
        edit(session),
        {
            "version": session.version,
            "cases": [case.pk for case in session.cases.all()],
            "shared_notes": "Revised shared",
            "private_notes": "Revised private",
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.shared_notes, session.version) == ("Revised shared", 2)


def test_the_edit_form_starts_from_the_saved_notes(psychologist, session):
    body = client_for(psychologist).get(edit(session)).content.decode()
    assert PRIVATE in body and SHARED in body
    assert f'name="version" value="{session.version}"' in body


def test_revising_a_session_changed_meanwhile_is_a_conflict_with_text_kept(psychologist, session):
    opened = session.version
    services.session_update(
        by=psychologist,
        session=session,
        version=opened,
        shared_notes="Saved in another tab",
        private_notes="",
    )
    response = client_for(psychologist).post(
        edit(session),
        {"version": opened, "shared_notes": "Typed here", "private_notes": "Also typed"},
    )
    body = response.content.decode()
    assert response.status_code == 409
    assert "Typed here" in body and "Saved in another tab" in body
    assert f'name="version" value="{opened + 1}"' in body


def test_the_practitioner_marks_an_action_done(practitioner, session):
    action = session.actions.get()
    response = client_for(practitioner).post(
        reverse("supervision:action-complete", kwargs={"action_pk": action.pk})
    )
    assert response["Location"] == detail(session)
    action.refresh_from_db()
    assert action.done_on == today()


# --- The record page's panel -------------------------------------------------------------------


def panel_html(user, young_person):
    request = RequestFactory().get("/")
    request.user = user
    rendered = [
        render_to_string(panel["template"], panel["context"], request=request)
        for panel in panels.panels_for(request, young_person)
        if panel["code"] == "supervision"
    ]
    return rendered[0] if rendered else None


def test_the_record_shows_when_the_case_was_discussed_and_the_actions(
    manager, session, young_person
):
    html = panel_html(manager, young_person)
    assert "Discussed in clinical supervision" in html
    assert session.held_on.strftime("%B %Y") in html
    assert "Call the school" in html
    assert SHARED not in html and PRIVATE not in html


def test_the_record_page_shows_the_supervision_panel_without_notes(manager, session, young_person):
    page = reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk})
    body = client_for(manager).get(page).content.decode()
    assert "Discussed in clinical supervision" in body
    assert "Call the school" in body
    assert SHARED not in body and PRIVATE not in body


def test_the_record_leaves_out_actions_about_another_young_person(
    psychologist, practitioner, young_person, team_a
):
    other = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
    record(
        psychologist,
        practitioner,
        cases=[young_person, other],
        actions=[
            {
                "description": "About Seren",
                **factories.outside_owner("Alice"),
                "young_person": young_person,
            },
            {
                "description": "About the other",
                **factories.outside_owner("Alice"),
                "young_person": other,
            },
        ],
    )
    html = panel_html(practitioner, young_person)
    assert "About Seren" in html
    assert "About the other" not in html


def test_the_supervision_panel_is_hidden_from_evaluators(evaluator, young_person):
    assert panel_html(evaluator, young_person) is None


@pytest.mark.parametrize("count", [1, 50])
def test_panel_query_count_does_not_grow(
    psychologist, practitioner, young_person, django_assert_max_num_queries, count
):
    for number in range(count):
        record(
            psychologist,
            practitioner,
            cases=[young_person],
            actions=[
                {
                    "description": "Read",
                    **factories.outside_owner("Alice"),
                    "young_person": young_person,
                }
            ],
            held_on=today() - timedelta(days=number + 1),
        )
    request = RequestFactory().get("/")
    request.user = practitioner
    policy.roles(practitioner)  # the user's roles are read once per request, before panels
    with django_assert_max_num_queries(PANEL_BUDGET):
        context = panel_context(request, young_person)
    assert len(context["sessions"]) == min(count, 10)


# --- The notes reach nobody but the two participants -------------------------------------------


def pages_of(session, young_person):
    action = session.actions.get()
    pk = young_person.pk
    return [
        ("get", LIST),
        ("get", detail(session)),
        ("get", edit(session)),
        ("post", reverse("supervision:action-complete", kwargs={"action_pk": action.pk})),
        ("get", reverse("cases:youngperson-detail", kwargs={"pk": pk})),
        ("get", reverse("cases:youngperson-history", kwargs={"pk": pk})),
        ("get", reverse("cases:youngperson-timeline", kwargs={"pk": pk})),
        ("get", reverse("cases:youngperson-access-log", kwargs={"pk": pk})),
        ("get", reverse("formulation:meeting-list", kwargs={"pk": pk})),
        ("get", reverse("formulation:plan", kwargs={"pk": pk})),
    ]


@pytest.fixture
def colleague_psychologist(team_a):
    return factories.user_with_role(Role.PSYCHOLOGIST, team_a, username="quinn")


@pytest.fixture
def colleague_practitioner(team_a):
    return factories.user_with_role(Role.PRACTITIONER, team_a, username="carys")


@pytest.mark.parametrize(
    "role",
    [
        "manager",
        "colleague_psychologist",
        "colleague_practitioner",
        "other_practitioner",
        "evaluator",
        "administrator",
    ],
)
def test_notes_reach_no_page_for_anyone_but_the_participants(request, role, session, young_person):
    client = client_for(request.getfixturevalue(role))
    for method, page in pages_of(session, young_person):
        response = getattr(client, method)(page)
        assert response.status_code < 500, page
        assert PRIVATE.encode() not in response.content, page
        if not (role == "manager" and page == detail(session)):
            assert SHARED.encode() not in response.content, page


def test_searching_the_team_for_words_in_the_notes_finds_no_case(
    manager, session, young_person, team_a
):
    page = reverse("cases:team-detail", kwargs={"code": team_a.code})
    assert young_person.reference in client_for(manager).get(page).content.decode()
    for words in (PRIVATE, SHARED):
        body = client_for(manager).get(page, {"q": words}).content.decode()
        assert young_person.reference not in body


def test_the_manager_is_refused_completing_an_action_without_seeing_notes(manager, session):
    action = session.actions.get()
    response = client_for(manager).post(
        reverse("supervision:action-complete", kwargs={"action_pk": action.pk})
    )
    assert response.status_code == 403
    assert PRIVATE.encode() not in response.content


def test_supervision_models_are_not_in_the_django_admin(administrator, session):
    client = client_for(administrator)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert PRIVATE.encode() not in index.content
    assert b"/admin/supervision/" not in index.content
    for model in ("supervisionsession", "supervisionaction"):
        assert client.get(f"/admin/supervision/{model}/").status_code == 404
        assert client.get(f"/admin/supervision/{model}/{session.pk}/change/").status_code == 404
    assert client.get("/admin/supervision/").status_code == 404


def test_the_practitioners_user_page_in_the_admin_shows_no_notes(
    administrator, practitioner, session
):
    client = client_for(administrator)
    response = client.get(reverse("admin:accounts_user_change", args=[practitioner.pk]))
    assert response.status_code == 200
    assert PRIVATE.encode() not in response.content
    history = client.get(reverse("admin:accounts_user_history", args=[practitioner.pk]))
    assert PRIVATE.encode() not in history.content


def test_the_list_writes_one_access_log_row_with_what_it_showed(
    psychologist, practitioner, team_a, young_person, session
):
    other = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
    record(psychologist, practitioner, cases=[young_person, other])

    client_for(practitioner).get(LIST)

    [row] = AccessLogEntry.objects.filter(user=practitioner)
    assert (row.action, row.allowed) == ("supervision.list", True)
    assert row.detail == (
        "supervision sessions shown: 2 of 2; young people named: 2; filters: none"
    )
