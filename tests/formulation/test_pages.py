"""The formulation pages: meetings, attendance, the formulation form, the printable summary
and PDF, the intervention plan, linking appointments, the record-page panel, and that the
formulation's text reaches nobody who may not read it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts import policy
from accounts.models import AccessLogEntry, Role
from accounts.pdf import render_pdf, static_files_fetcher
from cases import panels
from cases.models import TRMAssessment
from formulation import services
from formulation.models import (
    AgreedAction,
    DeliveredIntervention,
    Formulation,
    FormulationMeeting,
    InterventionItem,
    MeetingKind,
    MeetingStatus,
)
from formulation.views import panel_context, summary_context
from seed import factories
from tests.conftest import client_for

#: Queries per page, whatever the number of meetings or plan items (DESIGN.md section 9).
MEETING_LIST_BUDGET = 12
PLAN_BUDGET = 11
#: The latest formulation, the overdue actions, and every distance-travelled rating (issue 15).
PANEL_BUDGET = 3

#: Written into every free-text field of the formulation; must never reach the wrong people.
MARKER = "ZEBRA-FORMULATION-7731"


def today():
    return timezone.localdate()


def days_ago(days):
    return today() - timedelta(days=days)


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        reference="YP-F1",
        given_name="Dylan",
        family_name="Morgan",
    )


@pytest.fixture
def police(db):
    return factories.AgencyFactory(code="police", name="Police")


@pytest.fixture
def education(db):
    return factories.AgencyFactory(code="education", name="Education")


def schedule(psychologist, young_person, *, held_on=None, kind=MeetingKind.INITIAL, agencies=()):
    return services.meeting_schedule(
        by=psychologist,
        young_person=young_person,
        held_on=held_on or days_ago(7),
        kind=kind,
        agencies=agencies,
    )


def formulation_values(text="", stage=2, **overrides):
    fields = (
        "presenting",
        "predisposing",
        "precipitating",
        "perpetuating",
        "protective",
        "timeline_notes",
        "young_person_views",
        "family_views",
    )
    return {
        **{field: f"{field} {text}".strip() for field in fields},
        "trm_stage": factories.trm_stage(stage),
        "trm_reasoning": f"Trust is building {text}".strip(),
        "next_review_on": today() + timedelta(days=60),
        **overrides,
    }


def record(psychologist, meeting, text="", actions=(), **overrides):
    return services.formulation_record(
        by=psychologist,
        meeting=meeting,
        values=formulation_values(text, **overrides),
        actions=actions,
    )


def form_data(**overrides):
    """A complete formulation form as a psychologist would post it."""
    data = {
        "presenting": "Missing school",
        "predisposing": "Early loss",
        "precipitating": "A move",
        "perpetuating": "No trusted adult",
        "protective": "Football",
        "timeline_notes": "Moved in 2019",
        "young_person_views": "Wants to play",
        "family_views": "Worried",
        "trm_stage": factories.trm_stage(2).pk,
        "trm_reasoning": "Trust is building",
        "next_review_on": (today() + timedelta(days=60)).isoformat(),
        "version": "",
    }
    for number in (1, 2, 3):
        data |= {
            f"action_{number}_description": "",
            f"action_{number}_assignee": "",
            f"action_{number}_agency": "",
            f"action_{number}_owner": "",
            f"action_{number}_due_on": "",
        }
    return {**data, **overrides}


def url(name, **kwargs):
    return reverse(f"formulation:{name}", kwargs=kwargs)


# --- Meetings ----------------------------------------------------------------------------------


def test_meeting_list_shows_every_meeting_newest_first_with_its_formulation(
    practitioner, psychologist, young_person, police
):
    initial = schedule(psychologist, young_person, held_on=days_ago(90), agencies=[police])
    services.meeting_record_attendance(
        by=psychologist, meeting=initial, attendance={police.pk: (True, "PC Jones")}
    )
    record(
        psychologist,
        initial,
        "then",
        actions=[
            {
                "description": "Visit school",
                **factories.outside_owner("Sam"),
                "due_on": days_ago(80),
            }
        ],
    )
    review = schedule(psychologist, young_person, held_on=days_ago(5), kind=MeetingKind.REVIEW)
    record(psychologist, review, "now", stage=3)
    body = client_for(practitioner).get(url("meeting-list", pk=young_person.pk)).content.decode()
    assert body.index("Formulation review, ") < body.index("Initial formulation, ")
    assert "presenting now" in body and "presenting then" in body  # earlier version readable
    assert "PC Jones" in body
    assert "Visit school" in body and "Overdue" in body
    assert "3. " in body  # the stage agreed at the review


def test_meeting_list_is_logged_as_a_view_of_the_formulation(practitioner, young_person):
    client_for(practitioner).get(url("meeting-list", pk=young_person.pk))
    actions = set(
        AccessLogEntry.objects.filter(
            user=practitioner, object_id=str(young_person.pk), allowed=True
        ).values_list("action", flat=True)
    )
    assert {"case.view", "formulation.view"} <= actions


def test_a_practitioner_sees_no_links_to_write_the_formulation(
    practitioner, psychologist, young_person
):
    meeting = schedule(psychologist, young_person)
    body = client_for(practitioner).get(url("meeting-list", pk=young_person.pk)).content.decode()
    assert url("formulation-edit", meeting_pk=meeting.pk) not in body
    assert url("meeting-create", pk=young_person.pk) not in body


@pytest.mark.parametrize("count", [1, 50])
def test_meeting_list_query_count_does_not_grow_with_meetings(
    practitioner, psychologist, young_person, police, django_assert_max_num_queries, count
):
    for number in range(count):
        meeting = schedule(
            psychologist, young_person, held_on=days_ago(number + 1), agencies=[police]
        )
        record(
            psychologist,
            meeting,
            actions=[{"description": "Call", **factories.outside_owner("Sam"), "due_on": today()}],
        )
    client = client_for(practitioner)
    with django_assert_max_num_queries(MEETING_LIST_BUDGET):
        response = client.get(url("meeting-list", pk=young_person.pk))
    assert response.status_code == 200


def test_a_psychologist_schedules_a_meeting_and_invites_agencies(
    psychologist, young_person, police, education
):
    day = today() + timedelta(days=10)
    response = client_for(psychologist).post(
        url("meeting-create", pk=young_person.pk),
        {"held_on": day.isoformat(), "kind": "initial", "agencies": [police.pk, education.pk]},
        follow=True,
    )
    meeting = FormulationMeeting.objects.get(young_person=young_person)
    assert (meeting.held_on, meeting.kind, meeting.status) == (day, "initial", "scheduled")
    assert meeting.attendance.count() == 2
    assert f"Initial formulation on {day.day} {day:%B %Y} scheduled" in response.content.decode()


def test_scheduling_without_a_date_asks_for_it(psychologist, young_person):
    response = client_for(psychologist).post(
        url("meeting-create", pk=young_person.pk), {"held_on": "", "kind": "initial"}
    )
    assert "Enter the date of the meeting" in response.content.decode()
    assert not FormulationMeeting.objects.exists()


# --- Attendance --------------------------------------------------------------------------------


def test_attendance_is_recorded_for_each_invited_agency(
    psychologist, young_person, police, education
):
    meeting = schedule(psychologist, young_person, agencies=[police, education])
    response = client_for(psychologist).post(
        url("attendance-edit", meeting_pk=meeting.pk),
        {
            f"attended_{police.pk}": "yes",
            f"name_{police.pk}": "PC Jones",
            f"attended_{education.pk}": "no",
            f"name_{education.pk}": "",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    rows = {row.agency_id: (row.attended, row.attendee_name) for row in meeting.attendance.all()}
    assert rows == {police.pk: (True, "PC Jones"), education.pk: (False, "")}


def test_a_held_meetings_duration_is_shown_on_the_meetings_page(psychologist, young_person, police):
    meeting = schedule(psychologist, young_person, agencies=[police])
    client = client_for(psychologist)
    response = client.post(
        url("attendance-edit", meeting_pk=meeting.pk),
        {f"attended_{police.pk}": "yes", f"name_{police.pk}": "PC Jones", "duration_minutes": "75"},
    )
    assert response.status_code == 302
    body = client.get(response.url).content.decode()
    assert "75 minutes" in body


def test_a_meeting_duration_of_zero_is_explained_and_kept(psychologist, young_person, police):
    meeting = schedule(psychologist, young_person, agencies=[police])
    response = client_for(psychologist).post(
        url("attendance-edit", meeting_pk=meeting.pk),
        {f"attended_{police.pk}": "yes", f"name_{police.pk}": "PC Jones", "duration_minutes": "0"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "The duration must be at least 1 minute" in body
    assert 'name="duration_minutes" value="0"' in body
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_attendance_form_asks_about_each_invited_agency_only(
    psychologist, young_person, police, education
):
    meeting = schedule(psychologist, young_person, agencies=[police])
    body = client_for(psychologist).get(url("attendance-edit", meeting_pk=meeting.pk))
    body = body.content.decode()
    assert "Did Police attend?" in body
    assert "Education" not in body


def test_a_future_meeting_recorded_as_held_gets_the_services_message(
    psychologist, young_person, police
):
    meeting = schedule(
        psychologist, young_person, held_on=today() + timedelta(days=3), agencies=[police]
    )
    response = client_for(psychologist).post(
        url("attendance-edit", meeting_pk=meeting.pk),
        {f"attended_{police.pk}": "yes", f"name_{police.pk}": "PC Jones"},
    )
    assert response.status_code == 200
    assert "has not happened yet, so it cannot be recorded as held" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED


def test_attendance_posted_for_an_agency_not_invited_is_refused_by_name(
    psychologist, young_person, police, education
):
    meeting = schedule(psychologist, young_person, agencies=[police])
    response = client_for(psychologist).post(
        url("attendance-edit", meeting_pk=meeting.pk),
        {
            f"attended_{police.pk}": "yes",
            f"name_{police.pk}": "PC Jones",
            f"attended_{education.pk}": "yes",
            f"name_{education.pk}": "Ms Evans",
        },
    )
    assert "These agencies were not invited to this meeting: Education" in (
        response.content.decode()
    )
    assert meeting.attendance.get(agency=police).attended is None


def test_attended_without_a_name_asks_who_came(psychologist, young_person, police):
    meeting = schedule(psychologist, young_person, agencies=[police])
    response = client_for(psychologist).post(
        url("attendance-edit", meeting_pk=meeting.pk),
        {f"attended_{police.pk}": "yes", f"name_{police.pk}": ""},
    )
    assert "Who attended from Police: enter a name" in response.content.decode()


# --- The formulation form ----------------------------------------------------------------------


def test_a_psychologist_records_the_formulation_and_the_trm_stage(psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    due = today() + timedelta(days=14)
    response = client_for(psychologist).post(
        url("formulation-edit", meeting_pk=meeting.pk),
        form_data(
            action_1_description="Visit school",
            action_1_assignee=young_person.practitioner.pk,
            action_1_due_on=due.isoformat(),
        ),
        follow=True,
    )
    formulation = Formulation.objects.get(meeting=meeting)
    assert formulation.presenting == "Missing school"
    assert AgreedAction.objects.get(formulation=formulation).due_on == due
    assessment = TRMAssessment.objects.get(young_person=young_person)
    assert (assessment.stage.number, assessment.assessed_on) == (2, meeting.held_on)
    held_on = meeting.held_on
    assert f"Formulation of the meeting on {held_on.day} {held_on:%B %Y} saved" in (
        response.content.decode()
    )


def test_a_review_form_starts_from_the_previous_formulation(psychologist, young_person):
    initial = schedule(psychologist, young_person, held_on=days_ago(90))
    record(psychologist, initial, "carried")
    review = schedule(psychologist, young_person, held_on=days_ago(2), kind=MeetingKind.REVIEW)
    body = client_for(psychologist).get(url("formulation-edit", meeting_pk=review.pk))
    body = body.content.decode()
    assert "presenting carried" in body
    assert "This review starts from the previous formulation" in body


def test_editing_carries_the_version_opened(psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    formulation = record(psychologist, meeting)
    body = client_for(psychologist).get(url("formulation-edit", meeting_pk=meeting.pk))
    assert f'name="version" value="{formulation.version}"' in body.content.decode()


def test_a_review_date_before_the_meeting_is_refused_beside_the_field(psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    early = (meeting.held_on - timedelta(days=1)).isoformat()
    response = client_for(psychologist).post(
        url("formulation-edit", meeting_pk=meeting.pk), form_data(next_review_on=early)
    )
    body = response.content.decode()
    assert "The next review must be after the meeting" in body
    assert 'id="id_next_review_on-error"' in body
    assert not Formulation.objects.exists()


def test_an_action_due_before_the_meeting_is_refused(psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    early = (meeting.held_on - timedelta(days=1)).isoformat()
    response = client_for(psychologist).post(
        url("formulation-edit", meeting_pk=meeting.pk),
        form_data(
            action_1_description="Call",
            action_1_assignee=young_person.practitioner.pk,
            action_1_due_on=early,
        ),
    )
    assert "Action 1: the due date cannot be before the meeting" in response.content.decode()
    assert not Formulation.objects.exists()


def test_a_half_filled_action_says_what_is_missing(psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    response = client_for(psychologist).post(
        url("formulation-edit", meeting_pk=meeting.pk), form_data(action_2_description="Call")
    )
    body = response.content.decode()
    assert (
        "Choose who will do action 2, or give the name and agency of someone outside the service"
        in body
    )
    assert "Enter the date action 2 is due by" in body


def test_someone_outside_the_service_needs_a_name_and_an_agency(psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    agency = factories.AgencyFactory(code="school", name="Ysgol Gyfun")
    response = client_for(psychologist).post(
        url("formulation-edit", meeting_pk=meeting.pk),
        form_data(
            action_1_description="Call",
            action_1_owner="Sam",
            action_1_due_on=today().isoformat(),
            action_2_description="Visit",
            action_2_agency=agency.pk,
            action_2_due_on=today().isoformat(),
            action_3_description="Write",
            action_3_assignee=young_person.practitioner.pk,
            action_3_owner="Sam",
            action_3_agency=agency.pk,
            action_3_due_on=today().isoformat(),
        ),
    )
    body = response.content.decode()
    assert "Select the agency of the person who will do action 1" in body
    assert "Enter the name of the person who will do action 2" in body
    assert "Action 3: choose a user of the service or give the name and agency" in body
    assert not Formulation.objects.exists()


def test_an_action_is_given_to_a_user_of_the_team_by_name(psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    page = client_for(psychologist).get(url("formulation-edit", meeting_pk=meeting.pk))
    options = page.content.decode()
    practitioner = young_person.practitioner
    # The name as the page writes it: a generated name may have an apostrophe (O'Brien).
    name = escape(practitioner.get_full_name())
    assert f'<option value="{practitioner.pk}">{name}</option>' in options
    outsider = factories.user_with_role(Role.PRACTITIONER, factories.TeamFactory())
    assert f'<option value="{outsider.pk}">' not in options
    response = client_for(psychologist).post(
        url("formulation-edit", meeting_pk=meeting.pk),
        form_data(
            action_1_description="Call",
            action_1_assignee=outsider.pk,
            action_1_due_on=today().isoformat(),
        ),
    )
    assert "Select a person from the list" in response.content.decode()
    assert not AgreedAction.objects.exists()


def test_no_stage_or_reasoning_asks_for_them(psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    response = client_for(psychologist).post(
        url("formulation-edit", meeting_pk=meeting.pk), form_data(trm_stage="", trm_reasoning="")
    )
    body = response.content.decode()
    assert "Select the TRM stage agreed" in body
    assert "Explain why this TRM stage was agreed" in body


def test_two_psychologists_editing_at_once_the_second_sees_a_conflict_with_text_kept(
    psychologist, young_person, team_a
):
    colleague = factories.user_with_role(Role.PSYCHOLOGIST, team_a, username="quinn")
    meeting = schedule(psychologist, young_person)
    formulation = record(psychologist, meeting)
    opened = formulation.version
    first = client_for(colleague).post(
        url("formulation-edit", meeting_pk=meeting.pk),
        form_data(presenting="Quinn's view", version=opened),
    )
    assert first.status_code == 302
    second = client_for(psychologist).post(
        url("formulation-edit", meeting_pk=meeting.pk),
        form_data(presenting="Pat's view", version=opened),
    )
    body = second.content.decode()
    assert second.status_code == 409
    assert "Pat&#x27;s view" in body  # what the second psychologist typed, kept in the form
    assert "Quinn&#x27;s view" in body  # what the first saved, beside it
    assert f'name="version" value="{opened + 1}"' in body
    assert Formulation.objects.get(meeting=meeting).presenting == "Quinn's view"


# --- Summary and PDF ---------------------------------------------------------------------------


def test_summary_page_shows_the_formulation_with_a_print_stylesheet(
    manager, psychologist, young_person
):
    meeting = schedule(psychologist, young_person)
    record(psychologist, meeting, "summarised")
    response = client_for(manager).get(url("formulation-summary", meeting_pk=meeting.pk))
    body = response.content.decode()
    assert "presenting summarised" in body
    assert 'media="print" href="/static/formulation/print.css"' in body
    assert AccessLogEntry.objects.filter(
        user=manager, action="formulation.view", object_id=str(young_person.pk)
    ).exists()


def test_pdf_is_a_download_named_for_the_young_person_and_date(
    practitioner, psychologist, young_person
):
    meeting = schedule(psychologist, young_person)
    record(psychologist, meeting)
    response = client_for(practitioner).get(url("formulation-pdf", meeting_pk=meeting.pk))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="formulation-YP-F1-{meeting.held_on:%Y-%m-%d}.pdf"'
    )
    assert response.content.startswith(b"%PDF")


def test_downloading_the_pdf_is_logged_as_an_export(practitioner, psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    record(psychologist, meeting)
    client_for(practitioner).get(url("formulation-pdf", meeting_pk=meeting.pk))
    assert AccessLogEntry.objects.filter(
        user=practitioner, action="formulation.export", object_id=str(young_person.pk)
    ).exists()


def test_a_typical_formulation_summary_fits_on_one_page(practitioner, psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    record(
        psychologist,
        meeting,
        "A few sentences about home, school and friends, as a formulation has. " * 2,
        actions=[{"description": "Call", **factories.outside_owner("Sam"), "due_on": today()}] * 3,
    )
    request = RequestFactory().get("/")
    request.user = practitioner
    meeting = FormulationMeeting.objects.select_related("young_person__team").get(pk=meeting.pk)
    document = render_pdf(request, "formulation/formulation_summary.html", summary_context(meeting))
    assert len(document.pages) == 1


def test_pdf_fetcher_reads_static_files_from_disk_and_nothing_else():
    fetcher = static_files_fetcher("http://testserver/static/")
    response = fetcher("http://testserver/static/formulation/print.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"
    for refused in ("https://example.org/tracker.png", "http://testserver/static/../ecm/x"):
        with pytest.raises(ValueError):
            fetcher(refused)


# --- Agreed actions ----------------------------------------------------------------------------


def test_a_practitioner_marks_an_agreed_action_done(practitioner, psychologist, young_person):
    meeting = schedule(psychologist, young_person)
    formulation = record(
        psychologist,
        meeting,
        actions=[{"description": "Call", **factories.outside_owner("Sam"), "due_on": today()}],
    )
    action = formulation.actions.get()
    response = client_for(practitioner).post(url("action-complete", action_pk=action.pk))
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.done_on == today()


# --- The intervention plan ---------------------------------------------------------------------


def add_item(by, young_person, title, stage, **extra):
    return services.intervention_add(
        by=by,
        young_person=young_person,
        title=title,
        trm_stage=factories.trm_stage(stage),
        responsible_person="Sam",
        **extra,
    )


def test_plan_warns_beside_an_item_above_the_current_stage(practitioner, young_person):
    factories.TRMAssessmentFactory(young_person=young_person, stage=factories.trm_stage(2))
    add_item(practitioner, young_person, "Key-worker sessions", 2)
    add_item(practitioner, young_person, "Offending behaviour work", 5)
    body = client_for(practitioner).get(url("plan", pk=young_person.pk)).content.decode()
    warning = (
        "This targets stage 5; the young person is at stage 2. "
        "The TRM sequence puts relational and regulation work first."
    )
    assert body.count(warning) == 1
    assert body.index("Offending behaviour work") < body.index(warning)


def test_plan_warns_about_nothing_before_a_stage_is_assessed(practitioner, young_person):
    add_item(practitioner, young_person, "Offending behaviour work", 5)
    body = client_for(practitioner).get(url("plan", pk=young_person.pk)).content.decode()
    assert "This targets stage" not in body
    assert "No TRM stage has been assessed yet" in body


@pytest.mark.parametrize("count", [1, 50])
def test_plan_query_count_does_not_grow_with_items(
    practitioner, young_person, django_assert_max_num_queries, count
):
    factories.TRMAssessmentFactory(young_person=young_person, stage=factories.trm_stage(2))
    for number in range(count):
        item = add_item(
            practitioner,
            young_person,
            f"Item {number}",
            number % 7 + 1,
            agency=factories.AgencyFactory(),
        )
        appointment = factories.AppointmentFactory(young_person=young_person)
        DeliveredIntervention.objects.create(appointment=appointment, item=item)
    client = client_for(practitioner)
    with django_assert_max_num_queries(PLAN_BUDGET):
        response = client.get(url("plan", pk=young_person.pk))
    assert response.status_code == 200


def test_a_manager_adds_an_item_to_the_plan(manager, young_person):
    response = client_for(manager).post(
        url("item-create", pk=young_person.pk),
        {
            "title": "Mentoring",
            "trm_stage": factories.trm_stage(2).pk,
            "agency": "",
            "responsible_person": "Sam",
            "planned_start": "",
            "status": "planned",
            "sequence": "",
        },
        follow=True,
    )
    item = InterventionItem.objects.get(young_person=young_person)
    assert (item.title, item.sequence, item.created_by) == ("Mentoring", 1, manager)
    assert "Intervention added to the plan: Mentoring" in response.content.decode()


def test_an_item_with_nobody_responsible_is_refused_beside_the_field(manager, young_person):
    response = client_for(manager).post(
        url("item-create", pk=young_person.pk),
        {"title": "Mentoring", "trm_stage": factories.trm_stage(2).pk, "status": "planned"},
    )
    assert "Name the responsible agency or person" in response.content.decode()
    assert not InterventionItem.objects.exists()


def test_editing_an_item_someone_changed_first_is_a_conflict(practitioner, manager, young_person):
    item = add_item(practitioner, young_person, "Mentoring", 2)
    services.intervention_update(by=manager, item=item, version=item.version, status="active")
    response = client_for(practitioner).post(
        url("item-edit", pk=young_person.pk, item_pk=item.pk),
        {
            "title": "Mentoring weekly",
            "trm_stage": factories.trm_stage(2).pk,
            "responsible_person": "Sam",
            "status": "done",
            "sequence": "1",
            "version": str(item.version),
        },
    )
    assert response.status_code == 409
    assert 'value="Mentoring weekly"' in response.content.decode()
    item.refresh_from_db()
    assert (item.title, item.status) == ("Mentoring", "active")


def test_a_practitioner_links_an_appointment_to_the_item_it_delivered(practitioner, young_person):
    item = add_item(practitioner, young_person, "Mentoring", 2)
    appointment = factories.AppointmentFactory(young_person=young_person)
    response = client_for(practitioner).post(
        url("appointment-link", pk=young_person.pk, appointment_pk=appointment.pk),
        {"item": str(item.pk)},
        follow=True,
    )
    assert DeliveredIntervention.objects.get(appointment=appointment).item == item
    assert "linked to Mentoring" in response.content.decode()


def test_an_appointment_can_be_unlinked_from_the_plan(practitioner, young_person):
    item = add_item(practitioner, young_person, "Mentoring", 2)
    appointment = factories.AppointmentFactory(young_person=young_person)
    DeliveredIntervention.objects.create(appointment=appointment, item=item)
    client_for(practitioner).post(
        url("appointment-link", pk=young_person.pk, appointment_pk=appointment.pk),
        {"item": "none"},
    )
    assert not DeliveredIntervention.objects.exists()


def test_another_young_persons_item_cannot_be_chosen(practitioner, young_person, team_a):
    other = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
    foreign = add_item(practitioner, other, "Theirs", 2)
    add_item(practitioner, young_person, "Ours", 2)
    appointment = factories.AppointmentFactory(young_person=young_person)
    response = client_for(practitioner).post(
        url("appointment-link", pk=young_person.pk, appointment_pk=appointment.pk),
        {"item": str(foreign.pk)},
    )
    assert "Choose an intervention from this plan" in response.content.decode()
    assert not DeliveredIntervention.objects.exists()


# --- The record page's panel -------------------------------------------------------------------


def panel_html(user, young_person):
    request = RequestFactory().get("/")
    request.user = user
    rendered = [
        render_to_string(panel["template"], panel["context"], request=request)
        for panel in panels.panels_for(request, young_person)
        if panel["code"] == "formulation"
    ]
    return rendered[0] if rendered else None


def test_panel_shows_the_stage_agreed_the_next_review_and_overdue_actions(
    manager, psychologist, young_person
):
    meeting = schedule(psychologist, young_person, held_on=days_ago(100))
    record(
        psychologist,
        meeting,
        MARKER,
        stage=3,
        next_review_on=days_ago(1),
        actions=[{"description": "Call", **factories.outside_owner("Sam"), "due_on": days_ago(50)}],
    )
    html = panel_html(manager, young_person)
    assert "3. " in html
    assert "Overdue" in html
    assert url("meeting-list", pk=young_person.pk) in html
    assert url("plan", pk=young_person.pk) in html
    assert MARKER not in html  # the headline only; the text is on the meetings page


def test_the_record_page_shows_the_formulation_panel(practitioner, psychologist, young_person):
    record(psychologist, schedule(psychologist, young_person), MARKER, stage=3)
    page = reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk})
    body = client_for(practitioner).get(page).content.decode()
    assert 'id="formulation"' in body
    assert "3. " in body
    assert url("meeting-list", pk=young_person.pk) in body


def test_panel_is_hidden_from_those_who_may_not_read_formulations(evaluator, young_person):
    assert panel_html(evaluator, young_person) is None


@pytest.mark.parametrize("count", [1, 50])
def test_panel_query_count_does_not_grow(
    practitioner, psychologist, young_person, django_assert_max_num_queries, count
):
    for number in range(count):
        record(
            psychologist,
            schedule(psychologist, young_person, held_on=days_ago(number + 1)),
            actions=[
                {
                    "description": "Call",
                    **factories.outside_owner("Sam"),
                    "due_on": days_ago(number + 1),
                }
            ],
        )
    request = RequestFactory().get("/")
    request.user = practitioner
    policy.roles(practitioner)  # the user's roles are read once per request, before panels
    with django_assert_max_num_queries(PANEL_BUDGET):
        context = panel_context(request, young_person)
    assert len(context["overdue_actions"]) == count


# --- Formulation text reaches nobody who may not read it ---------------------------------------


@pytest.fixture
def marked(psychologist, young_person, police):
    """A held meeting whose formulation carries MARKER in every free-text field."""
    meeting = schedule(psychologist, young_person, agencies=[police])
    record(
        psychologist,
        meeting,
        MARKER,
        actions=[{"description": "Call", **factories.outside_owner("Sam"), "due_on": today()}],
    )
    return meeting


def pages_of(young_person, meeting):
    pk = young_person.pk
    item_pk = InterventionItem.objects.filter(young_person=young_person).first()
    return [
        url("meeting-list", pk=pk),
        url("meeting-create", pk=pk),
        url("attendance-edit", meeting_pk=meeting.pk),
        url("formulation-edit", meeting_pk=meeting.pk),
        url("formulation-summary", meeting_pk=meeting.pk),
        url("formulation-pdf", meeting_pk=meeting.pk),
        url("plan", pk=pk),
        url("item-create", pk=pk),
        *([url("item-edit", pk=pk, item_pk=item_pk.pk)] if item_pk else []),
        reverse("cases:youngperson-detail", kwargs={"pk": pk}),
        reverse("cases:youngperson-history", kwargs={"pk": pk}),
        reverse("cases:youngperson-timeline", kwargs={"pk": pk}),
    ]


@pytest.mark.parametrize("role", ["evaluator", "administrator", "other_practitioner"])
def test_formulation_text_reaches_no_page_for_those_who_may_not_read_it(
    request, role, marked, young_person, practitioner
):
    add_item(practitioner, young_person, "Mentoring", 2)
    client = client_for(request.getfixturevalue(role))
    for page in pages_of(young_person, marked):
        response = client.get(page)
        assert response.status_code in (403, 404), page
        assert MARKER.encode() not in response.content, page


def test_a_psychologist_from_another_team_cannot_reach_the_formulation(
    marked, young_person, team_b
):
    outsider = factories.user_with_role(Role.PSYCHOLOGIST, team_b, username="outsider")
    client = client_for(outsider)
    for page in pages_of(young_person, marked):
        response = client.get(page)
        assert MARKER.encode() not in response.content, page


def test_formulation_text_is_read_by_the_team(marked, practitioner, manager, young_person):
    for user in (practitioner, manager):
        body = client_for(user).get(url("meeting-list", pk=young_person.pk)).content.decode()
        assert MARKER in body


def test_formulation_models_are_not_in_the_django_admin(administrator, marked):
    client = client_for(administrator)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert MARKER.encode() not in index.content
    # Formulation's only reference data, the distance-travelled domains, is the one entry.
    assert b"/admin/formulation/distancedomain/" in index.content
    for model in (
        "formulationmeeting",
        "meetingattendance",
        "formulation",
        "agreedaction",
        "interventionitem",
        "deliveredintervention",
    ):
        assert client.get(f"/admin/formulation/{model}/").status_code == 404


# --- Case lists name the overdue action -------------------------------------------------------


def overdue_action(young_person, description, due_days_ago, **owner):
    meeting = factories.FormulationMeetingFactory(
        young_person=young_person, held_on=timezone.localdate() - timedelta(days=40)
    )
    formulation = factories.FormulationFactory(meeting=meeting)
    return factories.AgreedActionFactory(
        formulation=formulation,
        description=description,
        due_on=timezone.localdate() - timedelta(days=due_days_ago),
        **owner,
    )


def warnings_cell(body, name):
    """The text of the warnings cell on the row that names `name` (a full name: a given name
    alone can be the signed-in user's too)."""
    row = body.split(name, 1)[1].split("</tr>", 1)[0]
    return " ".join(row.rsplit("<td", 1)[1].split())


def test_caseload_and_team_page_name_the_earliest_overdue_action(
    practitioner, manager, team_a, young_person
):
    overdue_action(young_person, "Ring the school nurse", 3, assignee=practitioner, owner="")
    overdue_action(young_person, "Book the CAMHS consultation", 10, assignee=practitioner, owner="")
    earliest = timezone.localdate() - timedelta(days=10)
    name = young_person.full_name

    for body in (
        client_for(practitioner).get(reverse("cases:caseload")).content.decode(),
        client_for(manager)
        .get(reverse("cases:team-detail", kwargs={"code": team_a.code}))
        .content.decode(),
    ):
        cell = warnings_cell(body, name)
        assert "Formulation actions overdue" in cell
        assert (
            f"Book the CAMHS consultation ({practitioner}, due {earliest:%-d %B %Y}) and 1 more"
            in cell
        )
        assert "Ring the school nurse" not in cell


def test_the_named_action_reads_in_welsh(practitioner, team_a, young_person):
    agency = factories.AgencyFactory(code="school", name="School", name_cy="Ysgol")
    overdue_action(young_person, "Ffonio'r nyrs", 2, owner="Sam", agency=agency)

    body = (
        client_for(practitioner)
        .get(reverse("cases:caseload"), HTTP_ACCEPT_LANGUAGE="cy")
        .content.decode()
    )

    cell = warnings_cell(body, young_person.full_name)
    assert "Ffonio&#x27;r nyrs (Sam (Ysgol), erbyn" in cell
    assert "due" not in cell


@pytest.mark.parametrize("count", [1, 50])
def test_naming_overdue_actions_is_one_query_for_the_page(
    practitioner, manager, team_a, count, django_assert_max_num_queries
):
    from tests.cases.test_caseload_pages import CASELOAD_BUDGET, TEAM_DETAIL_BUDGET

    for number in range(count):
        young_person = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
        overdue_action(young_person, f"Action {number}", 2, assignee=practitioner, owner="")

    as_practitioner, as_manager = client_for(practitioner), client_for(manager)

    with django_assert_max_num_queries(CASELOAD_BUDGET + 1):
        body = as_practitioner.get(reverse("cases:caseload")).content.decode()
    with django_assert_max_num_queries(TEAM_DETAIL_BUDGET + 1):
        as_manager.get(reverse("cases:team-detail", kwargs={"code": team_a.code}))

    assert body.count(f"({practitioner}, due ") == min(count, 25)


# --- The plan item an appointment delivered, on the appointment form --------------------------


def _appointment_form_data(**overrides):
    data = {
        "starts_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "kind": "one_to_one",
        "duration_minutes": "60",
        "purpose_category": str(factories.appointment_purpose("trm_stage_work").pk),
        "purpose": "",
        "attendance": "attended",
        "engagement": "4",
        "outcome_code": "achieved",
        "outcome": "",
    }
    return data | overrides


def test_logging_an_appointment_can_link_it_to_a_plan_item(practitioner, young_person):
    item = factories.InterventionItemFactory(young_person=young_person, title="Routine chart")
    client = client_for(practitioner)
    create = reverse("cases:appointment-create", kwargs={"pk": young_person.pk})
    assert "Routine chart" in client.get(create).content.decode()

    response = client.post(create, _appointment_form_data(plan_item=str(item.pk)))

    assert response.status_code == 302
    assert DeliveredIntervention.objects.get().item == item


def test_a_plan_item_of_another_young_person_is_refused_on_the_appointment_form(
    practitioner, young_person
):
    factories.InterventionItemFactory(young_person=young_person)
    other = factories.InterventionItemFactory(
        young_person=factories.YoungPersonFactory(team=young_person.team)
    )
    response = client_for(practitioner).post(
        reverse("cases:appointment-create", kwargs={"pk": young_person.pk}),
        _appointment_form_data(plan_item=str(other.pk)),
    )
    assert "Select one of the interventions listed" in response.content.decode()
    assert not DeliveredIntervention.objects.exists()


def test_the_plans_link_service_refuses_an_item_of_another_young_person(practitioner, young_person):
    from cases import plan_links

    appointment = factories.AppointmentFactory(young_person=young_person)
    other = factories.InterventionItemFactory(
        young_person=factories.YoungPersonFactory(team=young_person.team)
    )
    with pytest.raises(ValidationError) as raised:
        plan_links.registered().link(by=practitioner, appointment=appointment, item_id=other.pk)
    assert raised.value.message_dict["item"] == [
        "Choose an intervention from this young person's plan"
    ]


def test_changing_an_appointment_can_unlink_it_from_the_plan(practitioner, young_person):
    item = factories.InterventionItemFactory(young_person=young_person, title="Routine chart")
    appointment = factories.AppointmentFactory(young_person=young_person, practitioner=practitioner)
    DeliveredIntervention.objects.create(appointment=appointment, item=item)
    edit = reverse(
        "cases:appointment-edit", kwargs={"pk": young_person.pk, "appointment_pk": appointment.pk}
    )
    client = client_for(practitioner)
    assert f'<option value="{item.pk}" selected>' in client.get(edit).content.decode()

    response = client.post(
        edit,
        _appointment_form_data(
            starts_at=timezone.localtime(appointment.starts_at).strftime("%Y-%m-%dT%H:%M"),
            plan_item="",
            version="1",
        ),
    )

    assert response.status_code == 302
    assert not DeliveredIntervention.objects.exists()
