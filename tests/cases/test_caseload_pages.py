"""The list pages: my caseload, my appointments, the team view and reallocation, navigation."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import AccessLogEntry, Role
from cases.models import CaseEvent, YoungPerson
from seed import factories
from tests.conftest import client_for

CASELOAD = reverse("cases:caseload")
APPOINTMENTS = reverse("cases:appointment-list")
TEAMS = reverse("cases:team-list")

#: Queries per page, whatever the number of rows (DESIGN.md section 9).
CASELOAD_BUDGET = 10  # one INSERT: the access-log row of the list
APPOINTMENTS_BUDGET = 9  # one INSERT: the access-log row of the list
TEAM_LIST_BUDGET = 7
TEAM_DETAIL_BUDGET = 14  # stages, practitioners and the count are read once and shared; the
# targets panel reads the targets in force once (tests/reports/test_targets.py: with targets)
REALLOCATE_BUDGET = 11


def team_url(team, name="cases:team-detail"):
    return reverse(name, kwargs={"code": team.code})


def case_for(practitioner, team, **fields):
    return factories.YoungPersonFactory(team=team, practitioner=practitioner, **fields)


def active_case(practitioner, team, stage=None, **fields):
    """A case on ECM with consent given and a recent contact (so it carries no warnings)."""
    fields.setdefault("ecm_start_date", timezone.localdate() - timedelta(days=30))
    young_person = case_for(practitioner, team, parent_consent_required=False, **fields)
    factories.ConsentFactory(young_person=young_person)
    factories.AppointmentFactory(young_person=young_person, practitioner=practitioner)
    if stage:
        factories.TRMAssessmentFactory(young_person=young_person, stage=factories.trm_stage(stage))
    return young_person


@pytest.fixture
def rhian(team_a):
    return factories.user_with_role(
        Role.PRACTITIONER, team_a, username="rhian", first_name="Rhian", last_name="Evans"
    )


# --- My caseload -------------------------------------------------------------------------------


def test_caseload_lists_my_young_people_with_their_summary(practitioner, team_a):
    young_person = active_case(
        practitioner, team_a, stage=3, given_name="Dylan", family_name="Morgan", reference="YP-1"
    )
    factories.AppointmentFactory(
        young_person=young_person,
        starts_at=timezone.now() + timedelta(days=2),
        attendance="",
        engagement=None,
    )

    response = client_for(practitioner).get(CASELOAD)

    content = response.content.decode()
    assert response.status_code == 200
    assert reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk}) in content
    assert "Dylan Morgan" in content
    assert "YP-1" in content
    assert "On ECM" in content
    assert f"3. {factories.trm_stage(3).name}" in content
    assert (timezone.localtime(timezone.now() - timedelta(days=3))).strftime("%-d %B %Y") in content
    assert (timezone.localtime(timezone.now() + timedelta(days=2))).strftime("%-d %B %Y") in content
    assert "1 young person" in content


def test_caseload_leaves_out_young_people_allocated_to_others(practitioner, manager, team_a):
    case_for(manager, team_a, family_name="Elsewhere")
    case_for(practitioner, team_a, family_name="Mine")

    content = client_for(practitioner).get(CASELOAD).content.decode()

    assert "Mine" in content
    assert "Elsewhere" not in content


def test_caseload_shows_none_recorded_without_a_contact(practitioner, team_a):
    case_for(practitioner, team_a)

    content = client_for(practitioner).get(CASELOAD).content.decode()

    assert "None recorded" in content


def test_caseload_counts_young_people(practitioner, team_a):
    for _ in range(12):
        case_for(practitioner, team_a)

    content = client_for(practitioner).get(CASELOAD).content.decode()

    assert "12 young people" in content


def test_caseload_offers_add_a_referral(practitioner):
    content = client_for(practitioner).get(CASELOAD).content.decode()

    assert "Add a referral" in content
    assert reverse("cases:youngperson-create") in content


def test_caseload_search_finds_by_family_name(practitioner, team_a):
    case_for(practitioner, team_a, given_name="Ffion", family_name="Pritchard")
    case_for(practitioner, team_a, given_name="Owain", family_name="Hughes")

    content = client_for(practitioner).get(CASELOAD, {"q": "pritch"}).content.decode()

    assert "Ffion Pritchard" in content
    assert "Owain Hughes" not in content


def test_caseload_search_finds_by_reference(practitioner, team_a):
    case_for(practitioner, team_a, given_name="Ffion", reference="CARD-0042")
    case_for(practitioner, team_a, given_name="Owain", reference="CARD-0099")

    content = client_for(practitioner).get(CASELOAD, {"q": "0042"}).content.decode()

    assert "CARD-0042" in content
    assert "CARD-0099" not in content


def test_caseload_filters_by_status(practitioner, team_a):
    active_case(practitioner, team_a, given_name="Started")
    case_for(practitioner, team_a, given_name="Waiting")

    content = client_for(practitioner).get(CASELOAD, {"status": "referred"}).content.decode()

    assert "Waiting" in content
    assert "Started" not in content


def test_caseload_filters_by_trm_stage(practitioner, team_a):
    active_case(practitioner, team_a, stage=2, given_name="Second")
    active_case(practitioner, team_a, stage=5, given_name="Fifth")

    content = client_for(practitioner).get(CASELOAD, {"stage": "5"}).content.decode()

    assert "Fifth" in content
    assert "Second" not in content


def test_caseload_filter_by_stage_uses_the_current_assessment(practitioner, team_a):
    young_person = active_case(practitioner, team_a, stage=2, given_name="Moved")
    factories.TRMAssessmentFactory(
        young_person=young_person,
        stage=factories.trm_stage(4),
        assessed_on=timezone.localdate(),
    )

    assert "Moved" not in client_for(practitioner).get(CASELOAD, {"stage": "2"}).content.decode()
    assert "Moved" in client_for(practitioner).get(CASELOAD, {"stage": "4"}).content.decode()


def test_caseload_with_invalid_filters_explains_and_still_lists(practitioner, team_a):
    case_for(practitioner, team_a, given_name="Still")

    response = client_for(practitioner).get(
        CASELOAD, {"status": "bogus", "stage": "abc", "page": "999"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in content
    assert "Choose a status from the list" in content
    assert "Choose a TRM stage from the list" in content
    assert "Still" in content


def test_caseload_page_past_the_end_shows_the_last_page(practitioner, team_a):
    for number in range(26):
        case_for(practitioner, team_a, family_name=f"Family{number:02d}")

    content = client_for(practitioner).get(CASELOAD, {"page": "999"}).content.decode()

    assert "Family25" in content
    assert "Family00" not in content


def test_caseload_pagination_keeps_the_filters(practitioner, team_a):
    for _ in range(26):
        case_for(practitioner, team_a, family_name="Jones")

    content = client_for(practitioner).get(CASELOAD, {"q": "Jones"}).content.decode()

    assert "?q=Jones&amp;page=2" in content


def test_pagination_links_read_as_whole_phrases_in_both_languages(practitioner, team_a):
    for _ in range(51):
        case_for(practitioner, team_a)
    client = client_for(practitioner)

    english = client.get(CASELOAD, {"page": "2"}).content.decode()
    client.cookies["django_language"] = "cy"
    welsh = client.get(CASELOAD, {"page": "2"}).content.decode()

    assert 'Previous<span class="govuk-visually-hidden"> page</span>' in english
    assert 'Next<span class="govuk-visually-hidden"> page</span>' in english
    assert "Tudalen flaenorol" in welsh
    assert "Tudalen nesaf" in welsh
    assert "tudalen</span>" not in welsh


def test_caseload_warns_of_no_recent_contact_until_an_attended_appointment(practitioner, team_a):
    young_person = case_for(practitioner, team_a)
    factories.AppointmentFactory(
        young_person=young_person, starts_at=timezone.now() - timedelta(days=15)
    )
    tag = 'govuk-tag--orange">No contact in 14 days<'
    assert tag in client_for(practitioner).get(CASELOAD).content.decode()

    factories.AppointmentFactory(young_person=young_person, starts_at=timezone.now())

    assert tag not in client_for(practitioner).get(CASELOAD).content.decode()


def test_caseload_warns_of_missing_consent_and_unassessed_stage(practitioner, team_a):
    case_for(practitioner, team_a)

    content = client_for(practitioner).get(CASELOAD).content.decode()

    assert 'govuk-tag--orange">Consent missing<' in content
    assert 'govuk-tag--orange">TRM stage never assessed<' in content


def test_manager_without_cases_sees_an_empty_caseload(manager):
    response = client_for(manager).get(CASELOAD)

    assert response.status_code == 200
    assert "No young people are allocated to you yet." in response.content.decode()


@pytest.mark.parametrize("count", [1, 50])
def test_caseload_query_budget(practitioner, team_a, count, django_assert_max_num_queries):
    for number in range(count):
        young_person = active_case(practitioner, team_a, stage=number % 7 + 1)
        factories.AppointmentFactory(
            young_person=young_person,
            starts_at=timezone.now() + timedelta(days=1),
            attendance="",
            engagement=None,
        )
    client = client_for(practitioner)

    with django_assert_max_num_queries(CASELOAD_BUDGET):
        response = client.get(CASELOAD)

    assert response.status_code == 200


# --- My appointments --------------------------------------------------------------------------


def test_appointments_shows_upcoming_and_recent_with_outcome_links(practitioner, team_a):
    young_person = case_for(practitioner, team_a, given_name="Cerys", family_name="Lloyd")
    upcoming = factories.AppointmentFactory(
        young_person=young_person,
        starts_at=timezone.now() + timedelta(days=1),
        purpose="Plan the week ahead",
        attendance="",
        engagement=None,
    )
    held = factories.AppointmentFactory(
        young_person=young_person, purpose="Talk about school", engagement=3
    )

    content = client_for(practitioner).get(APPOINTMENTS).content.decode()

    assert "Cerys Lloyd" in content
    assert "Plan the week ahead" in content
    assert "Talk about school" in content
    assert "Attended" in content
    assert "3 out of 5" in content
    for appointment in (upcoming, held):
        url = reverse(
            "cases:appointment-edit",
            kwargs={"pk": young_person.pk, "appointment_pk": appointment.pk},
        )
        assert url in content


def test_appointments_leave_out_other_practitioners_cases(practitioner, manager, team_a):
    factories.AppointmentFactory(
        young_person=case_for(manager, team_a), purpose="Someone else's visit"
    )

    content = client_for(practitioner).get(APPOINTMENTS).content.decode()

    assert "Someone else&#x27;s visit" not in content
    assert "No appointments in the past yet." in content


def test_past_appointment_without_attendance_asks_for_the_outcome(practitioner, team_a):
    factories.AppointmentFactory(
        young_person=case_for(practitioner, team_a), attendance="", engagement=None
    )

    content = client_for(practitioner).get(APPOINTMENTS).content.decode()

    assert "Outcome not recorded" in content
    assert "Record the outcome" in content


def test_an_appointment_not_yet_started_offers_to_change_its_plan_only(practitioner, team_a):
    factories.AppointmentFactory(
        young_person=case_for(practitioner, team_a, given_name="Cerys", family_name="Lloyd"),
        starts_at=timezone.now() + timedelta(hours=1),
        attendance="",
        engagement=None,
        outcome="",
    )

    content = client_for(practitioner).get(APPOINTMENTS).content.decode()
    upcoming = content.split('id="upcoming"', 1)[1].split("</table>", 1)[0]

    assert "Record the outcome" not in content
    assert "Change<span" in upcoming
    assert "the plan for the appointment with Cerys Lloyd" in upcoming


@pytest.mark.parametrize("count", [1, 50])
def test_appointments_query_budget(practitioner, team_a, count, django_assert_max_num_queries):
    for _ in range(count):
        young_person = case_for(practitioner, team_a)
        factories.AppointmentFactory(young_person=young_person)
        factories.AppointmentFactory(
            young_person=young_person,
            starts_at=timezone.now() + timedelta(days=1),
            attendance="",
            engagement=None,
        )
    client = client_for(practitioner)

    with django_assert_max_num_queries(APPOINTMENTS_BUDGET):
        response = client.get(APPOINTMENTS)

    assert response.status_code == 200


# --- Teams --------------------------------------------------------------------------------------


def test_team_list_shows_the_teams_a_manager_manages(manager, team_a, team_b):
    content = client_for(manager).get(TEAMS).content.decode()

    assert team_url(team_a) in content
    assert "Review caseloads and reallocate cases" in content
    assert team_url(team_b) not in content


def test_team_list_shows_a_psychologist_the_teams_they_serve(psychologist, team_a, team_b):
    content = client_for(psychologist).get(TEAMS).content.decode()

    assert team_url(team_a) in content
    assert team_url(team_b) not in content
    assert "Review caseloads and reallocate cases" not in content


@pytest.mark.parametrize("count", [1, 50])
def test_team_list_query_budget(manager, count, django_assert_max_num_queries):
    for _ in range(count):
        factories.MembershipFactory(user=manager, team=factories.TeamFactory(), role=Role.MANAGER)
    client = client_for(manager)

    with django_assert_max_num_queries(TEAM_LIST_BUDGET):
        response = client.get(TEAMS)

    assert response.content.decode().count("/teams/team-") == count + 1


def test_team_page_counts_each_practitioners_caseload(practitioner, rhian, manager, team_a):
    active_case(practitioner, team_a, stage=2)
    active_case(practitioner, team_a, stage=2)
    case_for(rhian, team_a)

    response = client_for(manager).get(team_url(team_a))

    tables = response.context["tables"]
    by_name = {str(row[0].get("html", row[0].get("text"))): row for row in tables["status_rows"]}
    # The name is HTML (a link), so a name such as O'Brien is escaped in it.
    alice_row = next(row for name, row in by_name.items() if escape(practitioner) in name)
    rhian_row = next(row for name, row in by_name.items() if "Rhian Evans" in name)
    total_row = by_name["Total"]
    # Columns: name, referred, on ECM, ended, total.
    assert [cell["text"] for cell in alice_row[1:]] == [0, 2, 0, 2]
    assert [cell["text"] for cell in rhian_row[1:]] == [1, 0, 0, 1]
    assert [cell["text"] for cell in total_row[1:]] == [1, 2, 0, 3]
    stage_total = next(row for row in tables["stage_rows"] if row[0].get("text") == "Total")
    # Columns: name, stages 1 to 7, not assessed.
    assert [cell["text"] for cell in stage_total[1:]] == [0, 2, 0, 0, 0, 0, 0, 1]


def test_team_page_rolls_up_the_warnings(practitioner, rhian, manager, team_a):
    case_for(practitioner, team_a)
    case_for(rhian, team_a)
    active_case(rhian, team_a, stage=1)

    response = client_for(manager).get(team_url(team_a))

    content = response.content.decode()
    assert "Warnings on open cases" in content
    assert "TRM stage never assessed" in content
    total_row = next(
        row for row in response.context["tables"]["warning_rows"] if row[0].get("text") == "Total"
    )
    head = [str(cell["text"]) for cell in response.context["tables"]["warning_head"]]
    totals = dict(zip(head[1:], [cell["text"] for cell in total_row[1:]], strict=True))
    assert totals["TRM stage never assessed"] == 2
    assert totals["Consent missing"] == 2


def test_team_page_lists_the_teams_cases_filtered_by_practitioner(
    practitioner, rhian, manager, team_a
):
    case_for(practitioner, team_a, given_name="Aled")
    case_for(rhian, team_a, given_name="Bethan")

    content = (
        client_for(manager).get(team_url(team_a), {"practitioner": str(rhian.pk)}).content.decode()
    )

    assert "Bethan" in content
    assert "Aled" not in content


def test_team_page_counts_and_pages_only_the_teams_open_cases(
    practitioner, manager, team_a, team_b
):
    for _ in range(27):
        case_for(practitioner, team_a)
    case_for(practitioner, team_a, archived_at=timezone.now())
    case_for(None, team_b)
    client = client_for(manager)

    first = client.get(team_url(team_a))
    second = client.get(team_url(team_a), {"page": "2"})
    referred = client.get(team_url(team_a), {"status": "referred", "page": "2"})

    assert "27 young people" in first.content.decode()
    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 2
    assert "27 young people" in referred.content.decode()
    assert len(referred.context["rows"]) == 2
    assert "0 young people" in client.get(team_url(team_a), {"status": "ended"}).content.decode()


def test_reallocation_offers_only_the_teams_practitioners(
    practitioner, rhian, manager, team_a, team_b
):
    moved_on = factories.user_with_role(
        Role.PRACTITIONER, team_b, username="moved", first_name="Gareth", last_name="Moved"
    )
    case_for(moved_on, team_a)
    case_for(rhian, team_a)

    content = client_for(manager).get(team_url(team_a)).content.decode()

    reallocation = content[content.index('id="reallocate"') :]
    choices = [
        (value, unescape(label))
        for value, label in re.findall(
            r'<option value="([^"]*)"[^>]*>([^<]*)</option>', reallocation
        )
    ]
    in_name_order = sorted(
        (practitioner, rhian), key=lambda user: (user.first_name, user.last_name)
    )
    assert choices == [
        ("", "Choose a practitioner"),
        *((str(user.pk), str(user)) for user in in_name_order),
    ]
    assert "Gareth Moved" in content[: content.index('id="reallocate"')]  # still counted


def test_team_page_shows_reallocation_only_to_managers(manager, psychologist, team_a):
    case_for(None, team_a)

    managers_view = client_for(manager).get(team_url(team_a)).content.decode()
    psychologists_view = client_for(psychologist).get(team_url(team_a)).content.decode()

    assert "Reallocate the selected cases" in managers_view
    assert 'name="young_people"' in managers_view
    assert "Reallocate the selected cases" not in psychologists_view
    assert 'name="young_people"' not in psychologists_view


def test_team_page_of_another_team_is_not_found_and_logged(manager, team_b):
    response = client_for(manager).get(team_url(team_b))

    assert response.status_code == 404
    assert AccessLogEntry.objects.filter(
        user=manager, action="team.view", allowed=False, object_id="team-b"
    ).exists()


def test_team_page_with_invalid_filters_still_lists(manager, team_a):
    case_for(None, team_a, given_name="Listed")

    response = client_for(manager).get(
        team_url(team_a), {"practitioner": "abc", "status": "x", "page": "-1"}
    )

    assert response.status_code == 200
    assert "Choose a practitioner from the list" in response.content.decode()
    assert "Listed" in response.content.decode()


@pytest.mark.parametrize("count", [1, 50])
def test_team_page_query_budget(
    practitioner, rhian, manager, team_a, count, django_assert_max_num_queries
):
    for number in range(count):
        active_case(practitioner if number % 2 else rhian, team_a, stage=number % 7 + 1)
    client = client_for(manager)

    with django_assert_max_num_queries(TEAM_DETAIL_BUDGET):
        response = client.get(team_url(team_a))

    assert response.status_code == 200


# --- Reallocation -------------------------------------------------------------------------------


def test_manager_reallocates_two_cases_with_a_reason(practitioner, rhian, manager, team_a):
    first, second = case_for(practitioner, team_a), case_for(practitioner, team_a)

    response = client_for(manager).post(
        team_url(team_a, "cases:team-reallocate"),
        {
            "young_people": [first.pk, second.pk],
            "practitioner": rhian.pk,
            "reason": "Alice is on leave",
        },
        follow=True,
    )

    assert "2 cases reallocated to Rhian Evans" in response.content.decode()
    assert set(YoungPerson.objects.filter(practitioner=rhian)) == {first, second}
    events = CaseEvent.objects.filter(action="case.reallocated")
    assert {event.young_person for event in events} == {first, second}
    assert {event.data["reason"] for event in events} == {"Alice is on leave"}


def test_reallocation_without_cases_or_reason_is_explained(rhian, manager, team_a):
    response = client_for(manager).post(
        team_url(team_a, "cases:team-reallocate"), {"practitioner": rhian.pk, "reason": ""}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in content
    assert "Select at least one young person" in content
    assert "Give a reason for the reallocation" in content


def test_reallocation_errors_keep_the_selection(practitioner, manager, team_a):
    chosen = case_for(practitioner, team_a)

    response = client_for(manager).post(
        team_url(team_a, "cases:team-reallocate"), {"young_people": [chosen.pk], "reason": ""}
    )

    content = response.content.decode()
    assert "Choose the practitioner who will take the cases" in content
    assert f'value="{chosen.pk}" checked' in content


def test_reallocation_to_someone_outside_the_team_is_refused(
    practitioner, other_practitioner, manager, team_a
):
    young_person = case_for(practitioner, team_a)

    response = client_for(manager).post(
        team_url(team_a, "cases:team-reallocate"),
        {"young_people": [young_person.pk], "practitioner": other_practitioner.pk, "reason": "x"},
    )

    assert "Choose a practitioner who works in this team" in response.content.decode()
    young_person.refresh_from_db()
    assert young_person.practitioner == practitioner


def test_manager_cannot_reallocate_another_teams_case(
    rhian, other_practitioner, manager, team_a, team_b
):
    theirs = case_for(other_practitioner, team_b)

    response = client_for(manager).post(
        team_url(team_a, "cases:team-reallocate"),
        {"young_people": [theirs.pk], "practitioner": rhian.pk, "reason": "Taking it over"},
    )

    assert response.status_code == 200
    assert "Select young people from this team&#x27;s cases only" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.practitioner == other_practitioner
    assert not CaseEvent.objects.filter(young_person=theirs).exists()


def test_reallocation_with_ids_that_cannot_exist_is_refused(rhian, manager, team_a):
    response = client_for(manager).post(
        team_url(team_a, "cases:team-reallocate"),
        {"young_people": ["9" * 30, "abc"], "practitioner": rhian.pk, "reason": "Cover"},
    )

    assert response.status_code == 200
    assert "Select young people from this team&#x27;s cases only" in response.content.decode()


def test_reallocation_page_offers_the_preselected_cases(practitioner, manager, team_a):
    chosen = case_for(practitioner, team_a, given_name="Chosen")
    case_for(practitioner, team_a, given_name="Other")

    response = client_for(manager).get(
        team_url(team_a, "cases:team-reallocate"), {"young_person": [chosen.pk]}
    )

    content = response.content.decode()
    assert f'value="{chosen.pk}" checked' in content
    assert "Other" not in content.split('id="main-content"')[1]


@pytest.mark.parametrize("count", [1, 50])
def test_reallocation_page_query_budget(
    practitioner, manager, team_a, count, django_assert_max_num_queries
):
    for _ in range(count):
        case_for(practitioner, team_a)
    client = client_for(manager)

    with django_assert_max_num_queries(REALLOCATE_BUDGET):
        response = client.get(team_url(team_a, "cases:team-reallocate"))

    assert response.content.decode().count('name="young_people"') == count


def test_practitioner_may_not_reallocate_and_the_attempt_is_logged(practitioner, team_a):
    response = client_for(practitioner).get(team_url(team_a, "cases:team-reallocate"))

    assert response.status_code == 403
    assert AccessLogEntry.objects.filter(
        user=practitioner, action="team.reallocate", allowed=False
    ).exists()


# --- Navigation ---------------------------------------------------------------------------------


def test_practitioner_navigation_has_caseload_appointments_and_teams(practitioner):
    labels = [item["label"] for item in client_for(practitioner).get(TEAMS).context["nav_items"]]

    assert {"My caseload", "Appointments", "Teams"} <= set(labels)
    assert labels.index("My caseload") < labels.index("Appointments") < labels.index("Teams")


def test_psychologist_navigation_has_teams_but_no_caseload(psychologist):
    labels = [item["label"] for item in client_for(psychologist).get(TEAMS).context["nav_items"]]

    assert "Teams" in labels
    assert "My caseload" not in labels
    assert "Appointments" not in labels


def test_evaluator_navigation_has_no_case_pages(evaluator):
    labels = [
        item["label"] for item in client_for(evaluator).get(reverse("home")).context["nav_items"]
    ]

    assert not {"My caseload", "Appointments", "Teams"} & set(labels)


# --- The access log of the lists (issue 11) -----------------------------------------------------


def list_rows(user, action):
    return list(AccessLogEntry.objects.filter(user=user, action=action))


def test_caseload_writes_one_access_log_row_with_what_it_showed(practitioner, team_a):
    for name in ("Dylan", "Dyfan", "Sian"):
        # A fixed family name: a generated one ("Kennedy") could match the search too.
        case_for(practitioner, team_a, given_name=name, family_name="Evans")

    response = client_for(practitioner).get(CASELOAD, {"q": "Dy", "status": "referred"})

    assert response.status_code == 200
    [row] = list_rows(practitioner, "caseload.list")
    assert row.allowed is True
    assert row.path == f"{CASELOAD}?q=Dy&status=referred"
    assert row.detail == "young people shown: 2 of 2; filters: search='Dy', status='referred'"
    assert AccessLogEntry.objects.filter(user=practitioner).count() == 1


def test_caseload_row_names_the_page_shown(practitioner, team_a):
    for _ in range(30):
        case_for(practitioner, team_a)

    client_for(practitioner).get(CASELOAD, {"page": "2"})

    [row] = list_rows(practitioner, "caseload.list")
    assert row.detail == "young people shown: 5 of 30; filters: page=2"


def test_appointments_list_writes_one_access_log_row(practitioner, team_a):
    first, second = case_for(practitioner, team_a), case_for(practitioner, team_a)
    factories.AppointmentFactory(young_person=first)
    factories.AppointmentFactory(young_person=first)
    factories.AppointmentFactory(
        young_person=second,
        starts_at=timezone.now() + timedelta(days=1),
        attendance="",
        engagement=None,
    )

    client_for(practitioner).get(APPOINTMENTS)

    [row] = list_rows(practitioner, "appointment.list")
    assert row.detail == (
        "appointments shown: 3; young people named: 2; filters: recent=2, upcoming=1"
    )
    assert AccessLogEntry.objects.filter(user=practitioner).count() == 1


def test_team_page_writes_one_access_log_row_with_count_and_filters(manager, rhian, team_a):
    case_for(rhian, team_a)
    case_for(rhian, team_a, ecm_start_date=timezone.localdate() - timedelta(days=3))
    case_for(None, team_a)

    client_for(manager).get(team_url(team_a), {"practitioner": rhian.pk, "stage": ""})

    [row] = AccessLogEntry.objects.filter(user=manager)
    assert (row.action, row.object_type, row.object_id) == (
        "team.view",
        "accounts.team",
        str(team_a.pk),
    )
    assert row.detail == f"young people shown: 2 of 2; filters: practitioner_id='{rhian.pk}'"


def test_reallocation_page_logs_the_cases_it_offers(practitioner, manager, team_a):
    chosen = case_for(practitioner, team_a)
    case_for(practitioner, team_a)

    client_for(manager).get(team_url(team_a, "cases:team-reallocate"))
    client_for(manager).get(team_url(team_a, "cases:team-reallocate"), {"young_person": chosen.pk})

    details = [row.detail for row in AccessLogEntry.objects.filter(user=manager).order_by("id")]
    assert details == [
        "young people shown: 2; filters: none",
        "young people shown: 1; filters: preselected=1",
    ]
    assert set(AccessLogEntry.objects.values_list("action", flat=True)) == {"team.reallocate"}


def test_a_reallocation_is_one_access_log_row(practitioner, rhian, manager, team_a):
    moving = case_for(practitioner, team_a)

    response = client_for(manager).post(
        team_url(team_a, "cases:team-reallocate"),
        {"young_people": [moving.pk], "practitioner": rhian.pk, "reason": "Cover"},
    )

    assert response.status_code == 302
    [row] = AccessLogEntry.objects.filter(user=manager)
    assert row.action == "team.reallocate"
    assert row.detail == f"young people reallocated: 1 of 1, to user {rhian.pk}"
