"""One young person: referral, the record page, corrections, archiving, the full timeline,
the TRM chart, and the managers' change history and access log."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import AccessLogEntry, Role
from cases import charts, compliance, services
from cases.models import ComplianceDecision, YoungPerson
from cases.selectors import young_people_visible_to
from seed import factories
from tests.conftest import client_for

CREATE = reverse("cases:youngperson-create")

#: Queries per page, whatever the number of records (DESIGN.md section 9).
# 18 for the record itself, 7 for the eligibility, formulation and supervision panels (the
# formulation panel's distance-travelled ratings are one query: issue 15), 3 for the
# compliance history. Supervision and oversight add: on the timeline, the case notes, the
# agreed actions and the oversight entries; on their cards, the notes for this case and the
# oversight entries with their actions. Transfers between teams on the timeline: one query
# (also on the full timeline and the case summary). Partner agencies (issue 18) add their
# contacts and their updates: on the timeline (one query each, here, on the full timeline and
# on the case summary) and on their card (one query each).
DETAIL_BUDGET = 37
TIMELINE_BUDGET = 23
HISTORY_BUDGET = 23
ACCESS_LOG_BUDGET = 10
CHART_BUDGET = 10


def url(name, young_person, **extra):
    return reverse(name, kwargs={"pk": young_person.pk, **extra})


def today():
    return timezone.localdate()


@pytest.fixture
def young_person(practitioner, team_a):
    return factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        reference="YP-100",
        given_name="Dylan",
        family_name="Morgan",
        date_of_birth=today() - timedelta(days=15 * 365 + 100),
        gender="male",
        ethnicity="White Welsh",
    )


@pytest.fixture
def other_team_case(team_b, other_practitioner):
    return factories.YoungPersonFactory(team=team_b, practitioner=other_practitioner)


def referral_data(team, **overrides):
    return {
        "team": team.pk,
        "reference": "YP-200",
        "given_name": "Seren",
        "family_name": "Hughes",
        "date_of_birth": (today() - timedelta(days=14 * 365)).isoformat(),
        "gender": "female",
        "ethnicity": "Mixed",
        "referral_date": (today() - timedelta(days=3)).isoformat(),
        "practitioner": "",
        **overrides,
    }


def details_data(young_person, **overrides):
    return {
        "given_name": young_person.given_name,
        "family_name": young_person.family_name,
        "date_of_birth": young_person.date_of_birth.isoformat(),
        "gender": young_person.gender,
        "ethnicity": young_person.ethnicity,
        "referral_date": young_person.referral_date.isoformat(),
        "version": young_person.version,
        **overrides,
    }


def records_of_each_kind(young_person, count, by):
    """`count` records of every kind, recorded by `by` (as the services would)."""
    for number in range(count):
        day = young_person.referral_date - timedelta(days=number)
        factories.NeedFactory(young_person=young_person, recorded_by=by, recorded_on=day)
        factories.OffenceFactory(young_person=young_person, recorded_by=by, committed_on=day)
        order = factories.OrderFactory(young_person=young_person, recorded_by=by, start_date=day)
        factories.BreachFactory(young_person=young_person, recorded_by=by, order=order)
        factories.CustodyEpisodeFactory(young_person=young_person, recorded_by=by, start_date=day)
        factories.ConsentFactory(young_person=young_person, recorded_by=by, decided_on=day)
        factories.TRMAssessmentFactory(
            young_person=young_person,
            recorded_by=by,
            assessed_on=day,
            stage=factories.trm_stage(number % 7 + 1),
        )
        factories.AppointmentFactory(
            young_person=young_person,
            recorded_by=by,
            practitioner=by,
            starts_at=timezone.now() - timedelta(days=number + 1),
        )
        factories.ComplianceDecisionFactory(
            young_person=young_person,
            recorded_by=by,
            decided_by=by,
            agreed_by=by,
            agreement="agreed",
            needs_agreement=True,
            appointment__recorded_by=by,
            appointment__practitioner=by,
            appointment__starts_at=timezone.now() - timedelta(days=number + 1, hours=2),
        )


# --- Adding a referral -------------------------------------------------------------------------


def test_referral_form_preselects_my_only_team_and_me_as_practitioner(practitioner, team_a):
    body = client_for(practitioner).get(CREATE).content.decode()
    assert f'<option value="{team_a.pk}" selected>Team A</option>' in body
    assert f'<option value="{practitioner.pk}" selected>' in body


def test_referral_form_offers_only_practitioners_of_my_teams(
    practitioner, other_practitioner, manager
):
    body = client_for(manager).get(CREATE).content.decode()
    assert f'<option value="{practitioner.pk}"' in body
    assert f'<option value="{other_practitioner.pk}"' not in body
    assert f'<option value="{manager.pk}"' not in body  # a manager is not a practitioner


def test_referral_form_groups_practitioners_by_team_for_someone_in_two_teams(
    practitioner, other_practitioner, team_a, team_b
):
    manager = factories.user_with_role(Role.MANAGER, team_a, team_b, username="two-teams")
    body = client_for(manager).get(CREATE).content.decode()
    assert '<optgroup label="Team A">' in body
    assert '<optgroup label="Team B">' in body
    assert f'<option value="{team_a.pk}" selected>' not in body


def test_adding_a_referral_creates_the_record_and_opens_it(practitioner, team_a):
    client = client_for(practitioner)
    response = client.post(CREATE, referral_data(team_a, practitioner=practitioner.pk))
    young_person = YoungPerson.objects.get(reference="YP-200")
    assert response.status_code == 302
    assert response["Location"] == url("cases:youngperson-detail", young_person)
    assert (young_person.team, young_person.practitioner) == (team_a, practitioner)
    assert young_person.parent_consent_required is True  # under 16 by default
    page = client.get(response["Location"]).content.decode()
    assert "Referral of Seren Hughes added" in page


def test_referral_with_a_future_date_of_birth_is_refused_beside_the_field(practitioner, team_a):
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = client_for(practitioner).post(CREATE, referral_data(team_a, date_of_birth=tomorrow))
    assert response.status_code == 200
    assert "Date of birth must be in the past" in response.content.decode()
    assert not YoungPerson.objects.exists()


def test_referral_of_a_child_under_ten_is_refused(practitioner, team_a):
    eight = (today() - timedelta(days=8 * 365)).isoformat()
    response = client_for(practitioner).post(CREATE, referral_data(team_a, date_of_birth=eight))
    assert "must be at least 10 on the referral date" in response.content.decode()
    assert not YoungPerson.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter the date of birth"),
        ("31/02/2010", "Date of birth must be a real date"),
        ("not a date", "Date of birth must be a real date"),
    ],
)
def test_referral_with_a_missing_or_impossible_date_of_birth_says_so(
    practitioner, team_a, value, message
):
    response = client_for(practitioner).post(CREATE, referral_data(team_a, date_of_birth=value))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not YoungPerson.objects.exists()


def test_referral_with_a_reference_already_used_is_refused(practitioner, team_a, young_person):
    response = client_for(practitioner).post(
        CREATE, referral_data(team_a, reference=young_person.reference)
    )
    assert "Another young person already has this reference" in response.content.decode()
    assert YoungPerson.objects.count() == 1


def test_referral_to_another_team_is_refused(practitioner, team_b):
    response = client_for(practitioner).post(CREATE, referral_data(team_b))
    assert "Select one of your teams" in response.content.decode()
    assert not YoungPerson.objects.exists()


def test_referral_allocated_to_a_practitioner_of_another_team_is_refused(
    practitioner, other_practitioner, team_a, team_b
):
    manager = factories.user_with_role(Role.MANAGER, team_a, team_b, username="two-teams")
    response = client_for(manager).post(
        CREATE, referral_data(team_a, practitioner=other_practitioner.pk)
    )
    assert "Choose a practitioner who works in Team A" in response.content.decode()
    assert not YoungPerson.objects.exists()


# --- The record page ---------------------------------------------------------------------------


def test_record_page_shows_the_details_with_age(practitioner, young_person):
    body = client_for(practitioner).get(url("cases:youngperson-detail", young_person)).content
    body = body.decode()
    assert "Dylan Morgan" in body
    assert "YP-100" in body
    assert f"{young_person.date_of_birth:%-d %B %Y} (age 15)" in body
    assert "White Welsh" in body
    assert "Team A" in body
    assert young_person.referral_date.strftime("%-d %B %Y") in body
    assert "Referred" in body


def test_record_page_shows_consent_at_a_glance_in_words(practitioner, young_person):
    factories.ConsentFactory(
        young_person=young_person, decision="given", decided_on=young_person.referral_date
    )
    factories.ConsentFactory(
        young_person=young_person,
        purpose="evaluation",
        decision="withdrawn",
        decided_on=today(),
        note="Changed their mind",
    )
    body = client_for(practitioner).get(url("cases:youngperson-detail", young_person)).content
    body = body.decode()
    assert '<strong class="govuk-tag govuk-tag--green">Given</strong>' in body
    assert '<strong class="govuk-tag govuk-tag--orange">Withdrawn</strong>' in body
    assert body.count('<strong class="govuk-tag govuk-tag--grey">Not recorded</strong>') == 2
    assert "Parent or carer consent is required." in body


def test_record_page_gives_the_reason_parent_consent_is_not_required(practitioner, young_person):
    services.parent_consent_requirement_set(
        by=practitioner, young_person=young_person, required=False, reason="Lives independently"
    )
    body = client_for(practitioner).get(url("cases:youngperson-detail", young_person)).content
    assert "Parent or carer consent is not required." in body.decode()
    assert "Reason for the change: Lives independently" in body.decode()


def test_record_page_shows_the_current_trm_stage_with_its_need_and_interventions(
    practitioner, young_person
):
    factories.TRMAssessmentFactory(
        young_person=young_person,
        stage=factories.trm_stage(1),
        assessed_on=young_person.referral_date,
        recorded_by=practitioner,
    )
    factories.TRMAssessmentFactory(
        young_person=young_person,
        stage=factories.trm_stage(3),
        assessed_on=today(),
        rationale="Calmer at home; outbursts at school",
        recorded_by=practitioner,
    )
    stage = factories.trm_stage(3)
    body = client_for(practitioner).get(url("cases:youngperson-detail", young_person)).content
    body = body.decode()
    assert f"Stage 3: {stage.name}" in body
    assert stage.underlying_need in body
    assert stage.interventions in body
    assert f'src="{url("cases:trm-chart", young_person)}"' in body
    assert 'alt="Chart of the TRM stage over time.' in body
    history_table = body[body.index('id="trm-history"') :]
    assert "Calmer at home; outbursts at school" in history_table
    assert "1. Routine and consistency" in history_table


def test_record_page_shows_the_trm_stage_in_welsh_when_asked(practitioner, young_person):
    factories.TRMAssessmentFactory(young_person=young_person, stage=factories.trm_stage(1))
    response = client_for(practitioner).get(
        url("cases:youngperson-detail", young_person), HTTP_ACCEPT_LANGUAGE="cy"
    )
    assert "Trefn a chysondeb" in response.content.decode()


def test_record_page_lists_each_kind_of_record_and_the_timeline(practitioner, young_person):
    records_of_each_kind(young_person, 1, practitioner)
    body = client_for(practitioner).get(url("cases:youngperson-detail", young_person)).content
    body = body.decode()
    for text in (
        "Substance misuse",
        "Theft from a shop",
        "Referral order",
        "Missed two appointments",
        "Review of the week and planning",
        "Need recorded: Substance misuse",
    ):
        assert text in body
    assert url("cases:youngperson-timeline", young_person) in body


def test_record_page_asks_for_the_outcome_only_once_an_appointment_has_started(
    practitioner, young_person
):
    held = factories.AppointmentFactory(
        young_person=young_person,
        starts_at=timezone.now() - timedelta(hours=2),
        attendance="",
        engagement=None,
        outcome="",
    )
    planned = factories.AppointmentFactory(
        young_person=young_person,
        starts_at=timezone.now() + timedelta(hours=2),
        attendance="",
        engagement=None,
        outcome="",
    )
    body = client_for(practitioner).get(url("cases:youngperson-detail", young_person)).content
    body = body.decode()

    def link_text(appointment):
        href = url("cases:appointment-edit", young_person, appointment_pk=appointment.pk)
        return body.split(f'href="{href}">', 1)[1].split("<span", 1)[0]

    assert link_text(held) == "Record the outcome"
    assert link_text(planned) == "Change"


def test_record_page_offers_every_record_form_to_a_practitioner(practitioner, young_person):
    records_of_each_kind(young_person, 1, practitioner)
    appointment = young_person.appointment_set.get(attendance="attended")
    missed = young_person.appointment_set.get(attendance="did_not_attend")
    body = client_for(practitioner).get(url("cases:youngperson-detail", young_person)).content
    body = body.decode()
    for name in (
        "cases:youngperson-edit",
        "cases:youngperson-archive",
        "cases:need-create",
        "cases:offence-create",
        "cases:order-create",
        "cases:breach-create",
        "cases:custody-create",
        "cases:consent-create",
        "cases:consent-parent-requirement",
        "cases:trmassessment-create",
        "cases:appointment-create",
    ):
        assert url(name, young_person) in body, name
    assert url("cases:appointment-edit", young_person, appointment_pk=appointment.pk) in body
    assert url("cases:compliancedecision-edit", young_person, appointment_pk=missed.pk) in body
    need = young_person.need_set.get()
    assert url("cases:record-archive", young_person, kind="need", record_pk=need.pk) in body
    assert url("cases:youngperson-history", young_person) not in body
    assert url("cases:youngperson-access-log", young_person) not in body


def test_record_page_offers_a_psychologist_only_the_trm_assessment(psychologist, young_person):
    records_of_each_kind(young_person, 1, psychologist)
    body = client_for(psychologist).get(url("cases:youngperson-detail", young_person)).content
    body = body.decode()
    assert url("cases:trmassessment-create", young_person) in body
    for name in ("cases:youngperson-edit", "cases:need-create", "cases:appointment-create"):
        assert url(name, young_person) not in body
    assert "/archive/" not in body


def test_record_page_offers_a_manager_the_history_and_access_log(manager, young_person):
    body = client_for(manager).get(url("cases:youngperson-detail", young_person)).content
    assert url("cases:youngperson-history", young_person) in body.decode()
    assert url("cases:youngperson-access-log", young_person) in body.decode()


def test_viewing_a_record_writes_one_allowed_access_log_row(practitioner, young_person):
    client_for(practitioner).get(url("cases:youngperson-detail", young_person))
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.action, entry.allowed) == (practitioner, "case.view", True)
    assert (entry.object_type, entry.object_id) == ("cases.youngperson", str(young_person.pk))


def test_another_teams_record_is_not_found_and_the_attempt_logged(practitioner, other_team_case):
    response = client_for(practitioner).get(url("cases:youngperson-detail", other_team_case))
    assert response.status_code == 404
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.allowed) == (practitioner, False)
    assert entry.object_id == str(other_team_case.pk)


def test_archived_record_shows_when_and_why_and_stays_readable(manager, practitioner, young_person):
    services.young_person_archive(by=practitioner, young_person=young_person, reason="Duplicate")
    response = client_for(manager).get(url("cases:youngperson-detail", young_person))
    body = response.content.decode()
    assert response.status_code == 200
    assert f"Archived on {today():%-d %B %Y}: Duplicate" in body
    assert url("cases:youngperson-edit", young_person) not in body


@pytest.mark.parametrize("count", [1, 50])
def test_record_page_query_count_does_not_grow_with_records(
    practitioner, young_person, django_assert_max_num_queries, count
):
    records_of_each_kind(young_person, count, practitioner)
    client = client_for(practitioner)
    with django_assert_max_num_queries(DETAIL_BUDGET):
        response = client.get(url("cases:youngperson-detail", young_person))
    assert response.status_code == 200


# --- Correcting the details --------------------------------------------------------------------


def test_edit_form_starts_from_the_saved_details_and_version(practitioner, young_person):
    body = client_for(practitioner).get(url("cases:youngperson-edit", young_person)).content
    body = body.decode()
    assert 'value="Morgan"' in body
    assert f'value="{young_person.date_of_birth.isoformat()}"' in body
    assert '<input type="hidden" name="version" value="1"' in body


def test_correcting_the_details_saves_them_and_says_so(practitioner, young_person):
    client = client_for(practitioner)
    response = client.post(
        url("cases:youngperson-edit", young_person),
        details_data(young_person, family_name="Morgan-Jones"),
        follow=True,
    )
    young_person.refresh_from_db()
    assert young_person.family_name == "Morgan-Jones"
    assert young_person.version == 2
    assert "Details of Dylan Morgan-Jones saved" in response.content.decode()


def test_correction_with_a_future_date_of_birth_is_refused(practitioner, young_person):
    tomorrow = (today() + timedelta(days=1)).isoformat()
    response = client_for(practitioner).post(
        url("cases:youngperson-edit", young_person),
        details_data(young_person, date_of_birth=tomorrow),
    )
    assert response.status_code == 200
    assert "Date of birth must be in the past" in response.content.decode()
    young_person.refresh_from_db()
    assert young_person.version == 1


def test_second_writer_from_the_same_version_sees_a_conflict_and_keeps_their_input(
    practitioner, manager, young_person
):
    first, second = client_for(practitioner), client_for(manager)
    first.get(url("cases:youngperson-edit", young_person))
    second.get(url("cases:youngperson-edit", young_person))
    first.post(
        url("cases:youngperson-edit", young_person),
        details_data(young_person, family_name="Jones"),
    )
    response = second.post(
        url("cases:youngperson-edit", young_person),
        details_data(young_person, family_name="Evans"),
    )
    body = response.content.decode()
    assert response.status_code == 409
    comparison = body[body.index('id="conflict-comparison"') :]
    assert "Jones" in comparison
    assert "Evans" in comparison
    assert 'value="Evans"' in body  # their input is kept in the form
    assert '<input type="hidden" name="version" value="2"' in body
    young_person.refresh_from_db()
    assert young_person.family_name == "Jones"


def test_editing_an_archived_record_is_refused(practitioner, young_person):
    services.young_person_archive(by=practitioner, young_person=young_person, reason="Duplicate")
    response = client_for(practitioner).post(
        url("cases:youngperson-edit", young_person),
        details_data(young_person, family_name="Changed", version=young_person.version),
    )
    assert response.status_code == 302
    young_person.refresh_from_db()
    assert young_person.family_name == "Morgan"


# --- Archiving ---------------------------------------------------------------------------------


def test_archive_needs_a_reason(practitioner, young_person):
    response = client_for(practitioner).post(
        url("cases:youngperson-archive", young_person), {"reason": ""}
    )
    assert response.status_code == 200
    assert "Enter the reason for archiving" in response.content.decode()
    young_person.refresh_from_db()
    assert not young_person.is_archived


def test_archiving_takes_the_case_out_of_lists_but_keeps_it_readable(
    practitioner, manager, young_person
):
    response = client_for(practitioner).post(
        url("cases:youngperson-archive", young_person),
        {"reason": "Referred in error"},
        follow=True,
    )
    young_person.refresh_from_db()
    assert young_person.archived_reason == "Referred in error"
    assert "Record of Dylan Morgan archived" in response.content.decode()
    assert not young_people_visible_to(manager).filter(pk=young_person.pk).exists()
    readable = client_for(manager).get(url("cases:youngperson-detail", young_person))
    assert readable.status_code == 200


# --- The full timeline -------------------------------------------------------------------------


def test_timeline_shows_fifty_entries_a_page(practitioner, young_person):
    for number in range(60):
        factories.NeedFactory(
            young_person=young_person, recorded_on=young_person.referral_date - timedelta(number)
        )
    client = client_for(practitioner)
    first = client.get(url("cases:youngperson-timeline", young_person)).content.decode()
    second = client.get(url("cases:youngperson-timeline", young_person) + "?page=2")
    assert first.count("Disclosed in assessment interview") == 50
    assert "Entries 1 to 50 of 60" in first
    assert 'class="govuk-pagination' in first
    assert second.content.decode().count("Disclosed in assessment interview") == 10


def test_timeline_includes_archived_records_marked_archived(practitioner, young_person):
    offence = factories.OffenceFactory(young_person=young_person, description="Criminal damage")
    services.record_archive(by=practitioner, record=offence, reason="Recorded twice")
    record_page = client_for(practitioner).get(url("cases:youngperson-detail", young_person))
    timeline = client_for(practitioner).get(url("cases:youngperson-timeline", young_person))
    assert "Criminal damage" not in record_page.content.decode()
    body = timeline.content.decode()
    row = body[body.index("Offence (gravity 2)") :]
    assert row.index("Archived") < row.index("</tr>")


@pytest.mark.parametrize("count", [1, 50])
def test_timeline_query_count_does_not_grow_with_records(
    practitioner, young_person, django_assert_max_num_queries, count
):
    records_of_each_kind(young_person, count, practitioner)
    client = client_for(practitioner)
    with django_assert_max_num_queries(TIMELINE_BUDGET):
        response = client.get(url("cases:youngperson-timeline", young_person))
    assert response.status_code == 200


# --- The TRM chart -----------------------------------------------------------------------------


def test_trm_chart_is_an_svg_image_with_a_title(practitioner, young_person):
    factories.TRMAssessmentFactory(young_person=young_person, stage=factories.trm_stage(2))
    response = client_for(practitioner).get(url("cases:trm-chart", young_person))
    assert response["Content-Type"] == "image/svg+xml"
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "<svg" in body
    assert "<title>TRM stage over time</title>" in body
    assert "2 Supportive relationships" in body


def test_trm_chart_without_assessments_says_there_are_none(practitioner, young_person):
    response = client_for(practitioner).get(url("cases:trm-chart", young_person))
    assert "No TRM assessments yet" in response.content.decode()


def test_trm_chart_of_another_teams_record_is_not_found(practitioner, other_team_case):
    response = client_for(practitioner).get(url("cases:trm-chart", other_team_case))
    assert response.status_code == 404


@pytest.mark.parametrize("count", [1, 50])
def test_trm_chart_query_count_does_not_grow_with_assessments(
    practitioner, young_person, django_assert_max_num_queries, count
):
    for number in range(count):
        factories.TRMAssessmentFactory(
            young_person=young_person,
            assessed_on=young_person.referral_date + timedelta(days=number),
            stage=factories.trm_stage(number % 7 + 1),
        )
    client = client_for(practitioner)
    with django_assert_max_num_queries(CHART_BUDGET):
        response = client.get(url("cases:trm-chart", young_person))
    assert response.status_code == 200


def test_chart_labels_every_stage_on_the_y_axis():
    svg = charts.trm_stage_chart(
        [(date(2025, 1, 6), 1), (date(2025, 3, 3), 4), (date(2025, 2, 3), 2)],
        until=date(2025, 4, 1),
        title="Stage over time",
    ).decode()
    assert svg.startswith("<?xml")
    assert "<title>Stage over time</title>" in svg
    for number in range(1, 8):
        assert f">{number}</text>" in svg


def test_chart_of_no_assessments_is_a_small_svg_with_the_message():
    svg = charts.trm_stage_chart([], empty_message="Dim asesiadau eto").decode()
    assert "Dim asesiadau eto" in svg
    assert "<svg" in svg


def test_chart_is_the_same_for_the_same_data():
    points = [(date(2025, 1, 6), 1), (date(2025, 3, 3), 2)]
    assert charts.trm_stage_chart(points) == charts.trm_stage_chart(points)


# --- Change history (managers) -----------------------------------------------------------------


def test_history_shows_who_changed_what_before_and_after(manager, practitioner, young_person):
    services.young_person_update(
        by=practitioner, young_person=young_person, version=1, family_name="Jones"
    )
    body = client_for(manager).get(url("cases:youngperson-history", young_person)).content
    body = body.decode()
    changes = body[body.index('id="changes"') :]
    changes = changes[: changes.index("</table>")]
    assert "<strong>Family name</strong>: Morgan → Jones" in changes
    assert escape(str(practitioner)) in changes


def test_history_names_related_records_and_choices_in_words(manager, practitioner, young_person):
    rhian = factories.user_with_role(
        Role.PRACTITIONER, young_person.team, username="rhian", first_name="Rhian"
    )
    services.young_people_reallocate(
        by=manager, young_people=[young_person], practitioner=rhian, reason="Leave"
    )
    body = client_for(manager).get(url("cases:youngperson-history", young_person)).content
    assert escape(f"{practitioner} → {rhian}") in body.decode()
    assert "Case reallocated" in body.decode()


def test_history_includes_the_records_about_the_young_person(manager, practitioner, young_person):
    need = services.need_record(
        by=practitioner,
        young_person=young_person,
        category=factories.need_category("self_harm"),
        recorded_on=young_person.referral_date,
    )
    services.record_archive(by=practitioner, record=need, reason="Wrong young person")
    body = client_for(manager).get(url("cases:youngperson-history", young_person)).content
    body = body.decode()
    assert "Need: Self-harm" in body
    assert "Wrong young person" in body
    assert "Need recorded" in body  # the domain event


def _events_table(response) -> str:
    body = response.content.decode()
    events = body[body.index('id="events"') :]
    return events[: events.index("</table>")]


def test_history_events_are_in_the_readers_language(manager, practitioner, young_person):
    services.need_record(
        by=practitioner,
        young_person=young_person,
        category=factories.need_category("self_harm"),
        recorded_on=date(2026, 3, 2),
    )
    services.order_record(
        by=practitioner,
        young_person=young_person,
        order_type="referral_order",
        start_date=young_person.referral_date,
    )
    page = url("cases:youngperson-history", young_person)
    welsh = _events_table(client_for(manager).get(page, HTTP_ACCEPT_LANGUAGE="cy"))
    english = _events_table(client_for(manager).get(page, HTTP_ACCEPT_LANGUAGE="en-gb"))

    # The event's label, what it recorded and the value recorded, each in Welsh.
    assert escape("Angen wedi'i gofnodi") in welsh
    assert "Angen: Hunan-niweidio" in welsh
    assert escape("Gorchymyn wedi'i gofnodi") in welsh
    assert "Math o orchymyn: Gorchymyn atgyfeirio" in welsh
    assert "Need recorded" not in welsh and "self_harm" not in welsh
    # The same events for an English reader.
    assert "Need recorded" in english
    assert "Need: Self-harm" in english
    assert "Type of order: Referral order" in english


def test_history_event_dates_and_teams_are_in_words(manager, practitioner, team_a):
    team_a.name_cy = "Tîm A yn Gymraeg"
    team_a.save()
    person = services.young_person_refer(
        by=practitioner,
        team=team_a,
        reference="YP-200",
        given_name="Cai",
        family_name="Evans",
        date_of_birth=date(2010, 5, 1),
        gender="male",
        referral_date=date(2026, 3, 2),
        practitioner=practitioner,
    )
    page = url("cases:youngperson-history", person)
    welsh = _events_table(client_for(manager).get(page, HTTP_ACCEPT_LANGUAGE="cy"))
    english = _events_table(client_for(manager).get(page, HTTP_ACCEPT_LANGUAGE="en-gb"))
    assert escape("Tîm: Tîm A yn Gymraeg") in welsh
    assert "Dyddiad atgyfeirio: 2 Mawrth 2026" in welsh
    assert "Team: Team A" in english
    assert "Referral date: 2 March 2026" in english
    assert "team-a" not in english and "2026-03-02" not in english


def test_history_is_refused_to_a_practitioner_in_the_team(practitioner, young_person):
    response = client_for(practitioner).get(url("cases:youngperson-history", young_person))
    assert response.status_code == 403


@pytest.mark.parametrize("count", [1, 50])
def test_history_query_count_does_not_grow_with_changes(
    manager, practitioner, young_person, django_assert_max_num_queries, count
):
    records_of_each_kind(young_person, count, practitioner)
    for appointment in young_person.appointment_set.filter(attendance="attended"):
        services.appointment_update(
            by=practitioner, appointment=appointment, version=1, outcome="Went well", engagement=5
        )
    for decision in ComplianceDecision.objects.filter(young_person=young_person):
        compliance.compliance_decision_change(
            by=practitioner,
            record=decision,
            version=decision.version,
            decision="breach_proceedings",
            reason="Second warning ignored",
        )
    services.young_person_update(
        by=practitioner, young_person=young_person, version=1, ethnicity="Welsh"
    )
    client = client_for(manager)
    with django_assert_max_num_queries(HISTORY_BUDGET):
        response = client.get(url("cases:youngperson-history", young_person))
    assert response.status_code == 200


# --- Access log (managers) ---------------------------------------------------------------------


def test_access_log_lists_views_and_denials_newest_first(
    manager, practitioner, other_practitioner, young_person
):
    client_for(practitioner).get(url("cases:youngperson-detail", young_person))
    client_for(other_practitioner).get(url("cases:youngperson-detail", young_person))
    body = client_for(manager).get(url("cases:youngperson-access-log", young_person)).content
    body = body.decode()
    table = body[body.index('id="access-log"') :]
    assert table.index("mona") < table.index("bob") < table.index("alice")
    assert "Viewed the record" in table
    assert ">Denied</strong>" in table
    assert ">Allowed</strong>" in table


def test_access_log_is_refused_to_a_practitioner_in_the_team(practitioner, young_person):
    response = client_for(practitioner).get(url("cases:youngperson-access-log", young_person))
    assert response.status_code == 403


@pytest.mark.parametrize("count", [1, 50])
def test_access_log_query_count_does_not_grow_with_entries(
    manager, practitioner, young_person, django_assert_max_num_queries, count
):
    client = client_for(practitioner)
    for _ in range(count):
        client.get(url("cases:youngperson-detail", young_person))
    manager_client = client_for(manager)
    with django_assert_max_num_queries(ACCESS_LOG_BUDGET):
        response = manager_client.get(url("cases:youngperson-access-log", young_person))
    assert response.status_code == 200


def test_record_page_shows_the_panels_of_eligibility_formulation_and_supervision(
    practitioner, young_person
):
    body = client_for(practitioner).get(reverse("cases:youngperson-detail", args=[young_person.pk]))
    text = body.content.decode()
    for heading in (
        "Eligibility and ECM pathway",
        "Formulation",
        "Discussed in clinical supervision",
    ):
        assert heading in text


# --- The case summary and chronology -----------------------------------------------------------

#: The session and user, the young person, one query per kind of record, the three panels
#: (the formulation panel reads the distance-travelled ratings too: issue 15), compliance,
#: supervision notes, actions and oversight on the chronology and cards, partner agencies'
#: contacts and updates on the chronology and on their card.
SUMMARY_BUDGET = 35


def test_record_page_links_to_the_case_summary(psychologist, young_person):
    body = client_for(psychologist).get(url("cases:youngperson-detail", young_person))
    assert url("cases:youngperson-summary", young_person) in body.content.decode()
    assert "Print or download a case summary" in body.content.decode()


def test_case_summary_shows_key_facts_current_orders_needs_and_consent(practitioner, young_person):
    factories.OrderFactory(
        young_person=young_person,
        order_type="youth_rehabilitation_order",
        start_date=today() - timedelta(days=30),
        end_date=today() + timedelta(days=300),
    )
    factories.OrderFactory(
        young_person=young_person,
        order_type="referral_order",
        start_date=today() - timedelta(days=800),
        end_date=today() - timedelta(days=400),
    )
    factories.NeedFactory(young_person=young_person, recorded_on=today() - timedelta(days=5))
    response = client_for(practitioner).get(url("cases:youngperson-summary", young_person))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Case summary and chronology" in body
    assert "Dylan Morgan" in body and "YP-100" in body
    orders = body[
        body.index('id="current-orders"') : body.index("</ul>", body.index("current-orders"))
    ]
    assert "Youth rehabilitation order" in orders
    assert "Referral order" not in orders  # ended: only in the chronology
    assert f"Substance misuse, identified {today() - timedelta(days=5):%-d %B %Y}" in body
    assert "Current consent decisions" in body
    assert url("cases:youngperson-pdf", young_person) in body


def test_case_summary_chronology_is_oldest_first_without_archived_records(
    practitioner, young_person
):
    factories.OffenceFactory(
        young_person=young_person,
        description="Shoplifting",
        committed_on=today() - timedelta(days=100),
    )
    factories.OffenceFactory(
        young_person=young_person,
        description="Criminal damage",
        committed_on=today() - timedelta(days=10),
    )
    wrong = factories.OffenceFactory(
        young_person=young_person, description="Typed twice", committed_on=today()
    )
    services.record_archive(by=practitioner, record=wrong, reason="Recorded twice")
    body = client_for(practitioner).get(url("cases:youngperson-summary", young_person))
    chronology = body.content.decode().split('id="chronology"')[1]
    assert chronology.index("Shoplifting") < chronology.index("Criminal damage")
    assert "Typed twice" not in chronology


def test_case_summary_is_logged_like_the_record(manager, young_person):
    client_for(manager).get(url("cases:youngperson-summary", young_person))
    assert AccessLogEntry.objects.filter(
        user=manager, action="case.summary", object_id=str(young_person.pk), allowed=True
    ).exists()


def test_case_summary_pdf_is_a_download_named_for_the_young_person_and_logged(
    practitioner, young_person
):
    factories.NeedFactory(young_person=young_person)
    response = client_for(practitioner).get(url("cases:youngperson-pdf", young_person))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="case-summary-YP-100-{today():%Y-%m-%d}.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    assert AccessLogEntry.objects.filter(
        user=practitioner, action="case.summary_export", object_id=str(young_person.pk)
    ).exists()


def test_case_summary_of_another_teams_young_person_is_not_found(practitioner, other_team_case):
    client = client_for(practitioner)
    for name in ("cases:youngperson-summary", "cases:youngperson-pdf"):
        assert client.get(url(name, other_team_case)).status_code == 404


@pytest.mark.parametrize("count", [1, 50])
def test_case_summary_query_count_does_not_grow_with_records(
    practitioner, young_person, django_assert_max_num_queries, count
):
    records_of_each_kind(young_person, count, practitioner)
    client = client_for(practitioner)
    with django_assert_max_num_queries(SUMMARY_BUDGET):
        response = client.get(url("cases:youngperson-summary", young_person))
    assert response.status_code == 200
    assert response.content.decode().count('class="govuk-table__row"') >= 8 * count


@pytest.mark.parametrize("count", [1, 50])
def test_case_summary_pdf_query_count_does_not_grow_with_records(
    practitioner, young_person, django_assert_max_num_queries, count
):
    records_of_each_kind(young_person, count, practitioner)
    client = client_for(practitioner)
    with django_assert_max_num_queries(SUMMARY_BUDGET):
        response = client.get(url("cases:youngperson-pdf", young_person))
    assert response.content.startswith(b"%PDF")


def test_welsh_case_summary_labels_read_as_headings(practitioner, young_person):
    body = (
        client_for(practitioner)
        .get(url("cases:youngperson-summary", young_person), HTTP_ACCEPT_LANGUAGE="cy")
        .content.decode()
    )
    assert "Dyddiad dechrau ECM" in body
    assert "Dyddiad gorffen ECM" in body
    assert "dyddiad dechrau ECM" not in body
