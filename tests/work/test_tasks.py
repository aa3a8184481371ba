"""My tasks: the agreed actions given to me, overdue first; marking one done keeps who and when."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLogEntry
from seed import factories
from tests.conftest import client_for

TASKS = reverse("work:task-list")
#: Queries of "My tasks", whatever the number of tasks (bench/run.py BUDGETS uses it too).
TASKS_BUDGET = 11


def today():
    return timezone.localdate()


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(
        team=team_a, practitioner=practitioner, given_name="Seren", family_name="Hughes"
    )


def formulation_task(young_person, assignee, description, due_on):
    meeting = factories.FormulationMeetingFactory(
        young_person=young_person, held_on=today() - timedelta(days=40)
    )
    formulation = factories.FormulationFactory(meeting=meeting)
    return factories.AgreedActionFactory(
        formulation=formulation,
        description=description,
        owner="",
        assignee=assignee,
        due_on=due_on,
    )


def supervision_task(team, practitioner, assignee, description, due_on, young_person=None):
    session = factories.SupervisionSessionFactory(
        team=team, practitioner=practitioner, held_on=today() - timedelta(days=10)
    )
    return factories.SupervisionActionFactory(
        session=session,
        description=description,
        owner="",
        assignee=assignee,
        due_on=due_on,
        young_person=young_person,
    )


def task_rows(response) -> list[str]:
    return [row.description for row in response.context["rows"]]


def test_my_tasks_lists_what_i_was_given_overdue_first(
    practitioner, other_practitioner, team_a, young_person
):
    formulation_task(
        young_person, practitioner, "Book the CAMHS appointment", today() + timedelta(5)
    )
    formulation_task(young_person, practitioner, "Share the formulation", today() - timedelta(3))
    supervision_task(team_a, practitioner, practitioner, "Try a walk-and-talk", None)
    formulation_task(young_person, other_practitioner, "Someone else's", today())
    factories.AgreedActionFactory(
        formulation=factories.FormulationFactory(
            meeting=factories.FormulationMeetingFactory(young_person=young_person)
        ),
        description="Given to someone outside the service",
        owner="Sam",
    )

    response = client_for(practitioner).get(TASKS)

    assert task_rows(response) == [
        "Share the formulation",
        "Book the CAMHS appointment",
        "Try a walk-and-talk",
    ]
    body = response.content.decode()
    assert "1 task is overdue" in body
    assert "Seren Hughes" in body and "Not about one young person" in body
    assert "No due date" in body
    assert "Someone else" not in body


def test_a_task_about_a_case_that_left_my_teams_is_not_listed(practitioner, team_b, young_person):
    formulation_task(young_person, practitioner, "Call the school", today())
    young_person.team = team_b
    young_person.save()
    assert task_rows(client_for(practitioner).get(TASKS)) == []


def test_marking_a_task_done_from_my_tasks_records_who_and_when_and_comes_back(
    practitioner, young_person, team_a
):
    action = formulation_task(young_person, practitioner, "Call the school", today())
    session_action = supervision_task(team_a, practitioner, practitioner, "Read the paper", today())
    client = client_for(practitioner)
    page = client.get(TASKS).content.decode()
    assert reverse("formulation:action-complete", args=[action.pk]) in page

    for url in (
        reverse("formulation:action-complete", args=[action.pk]),
        reverse("supervision:action-complete", args=[session_action.pk]),
    ):
        response = client.post(url, {"next": TASKS})
        assert response.status_code == 302 and response["Location"] == TASKS

    for task in (action, session_action):
        task.refresh_from_db()
        assert (task.done_on, task.done_by) == (today(), practitioner)
        assert task.done_at is not None
    assert task_rows(client.get(TASKS)) == []
    done = client.get(TASKS, {"show": "done"})
    assert sorted(task_rows(done)) == ["Call the school", "Read the paper"]


def test_next_that_leaves_the_site_is_ignored(practitioner, young_person):
    action = formulation_task(young_person, practitioner, "Call the school", today())
    response = client_for(practitioner).post(
        reverse("formulation:action-complete", args=[action.pk]),
        {"next": "https://elsewhere.example/steal"},
    )
    assert response.status_code == 302
    assert "elsewhere" not in response["Location"]


def test_someone_not_given_the_task_and_outside_the_team_cannot_mark_it_done(
    other_practitioner, practitioner, young_person
):
    action = formulation_task(young_person, practitioner, "Call the school", today())
    response = client_for(other_practitioner).post(
        reverse("formulation:action-complete", args=[action.pk]), {"next": TASKS}
    )
    assert response.status_code == 404
    action.refresh_from_db()
    assert action.done_on is None


def test_my_tasks_writes_the_access_log(practitioner, young_person):
    formulation_task(young_person, practitioner, "Call the school", today())
    client_for(practitioner).get(TASKS)
    entry = AccessLogEntry.objects.filter(user=practitioner, action="tasks.list").get()
    assert "tasks shown: 1" in entry.detail and "young people named: 1" in entry.detail


@pytest.mark.parametrize("count", [1, 50])
def test_my_tasks_query_count_does_not_grow(
    practitioner, team_a, young_person, count, django_assert_max_num_queries
):
    for number in range(count):
        formulation_task(young_person, practitioner, f"Task {number}", today())
        supervision_task(team_a, practitioner, practitioner, f"Session {number}", today())
    client = client_for(practitioner)
    with django_assert_max_num_queries(TASKS_BUDGET):
        response = client.get(TASKS)
    assert len(response.context["rows"]) == 2 * count


@pytest.mark.urls("bench.urls")
def test_the_bench_baseline_lists_the_same_tasks(practitioner, team_a, young_person):
    formulation_task(young_person, practitioner, "Call the school", today())
    supervision_task(team_a, practitioner, practitioner, "Read the paper", today(), young_person)
    client = client_for(practitioner)
    page = sorted(task_rows(client.get(TASKS)))
    baseline = sorted(row[0] for row in client.get(reverse("bench:task-list")).context["rows"])
    assert page == baseline == ["Call the school", "Read the paper"]
