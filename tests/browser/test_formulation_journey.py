"""A psychologist records an initial formulation with attendance and a plan; the practitioner
reads it and says which plan item an appointment delivered; the psychologist records a
supervision session, and the team manager sees its actions and shared notes but never its
private reflective notes."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from seed import factories
from tests.browser.conftest import assert_accessible, sign_in

PRIVATE_NOTE = "Finds the endings hard after her own losses"
SHARED_NOTE = "Plan the ending of the order early with Dylan"


@pytest.fixture
def young_person(team_a, practitioner):
    factories.trm_stage(1)  # the stages (a transactional test flushes the migration's rows)
    return factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        reference="YP-J1",
        given_name="Dylan",
        family_name="Morgan",
    )


@pytest.fixture
def agencies(db):
    return [
        factories.AgencyFactory(code="police", name="Police"),
        factories.AgencyFactory(code="education", name="Education"),
    ]


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_formulation_plan_and_supervision_journey(
    page, live_server, psychologist, practitioner, manager, young_person, agencies
):
    base = live_server.url
    held_on = timezone.localdate() - timedelta(days=7)
    review_on = timezone.localdate() + timedelta(days=90)
    appointment = factories.AppointmentFactory(
        young_person=young_person, purpose="Football and a chat"
    )

    # Pat, the psychologist, schedules the initial formulation meeting and invites agencies.
    sign_in(page, live_server, "pat")
    page.goto(f"{base}/formulation/young-people/{young_person.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Formulation meetings")
    assert_accessible(page)
    page.get_by_role("link", name="Schedule a meeting").click()
    page.get_by_label("Date of the meeting").fill(held_on.isoformat())
    page.get_by_label("Initial formulation").check()
    page.get_by_label("Police").check()
    page.get_by_label("Education").check()
    assert_accessible(page)
    page.get_by_role("button", name="Schedule the meeting").click()
    expect(page.get_by_role("alert")).to_contain_text("Initial formulation on")

    # After the meeting she records who came: the police did, education did not.
    page.get_by_role("link", name=re.compile("^Record attendance")).click()
    police = page.get_by_role("group", name="Did Police attend?")
    police.get_by_label("Yes").check()
    page.get_by_label("Who attended from Police").fill("PC Rhys Jones")
    page.get_by_role("group", name="Did Education attend?").get_by_label("No").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_role("alert")).to_contain_text("Attendance at the meeting on")
    expect(page.get_by_role("cell", name="PC Rhys Jones")).to_be_visible()

    # She records the formulation: the 5 Ps, the stage agreed and why, an action, a review.
    page.get_by_role("link", name=re.compile("^Record the formulation")).click()
    page.get_by_label("Presenting problems").fill("Missing school; fights at home")
    page.get_by_label("Predisposing factors").fill("Loss of his grandfather at eight")
    page.get_by_label("Protective factors").fill("Loves football; close to his sister")
    page.get_by_label("The young person's views").fill("Wants to play for a club")
    page.get_by_role("group", name="TRM stage agreed").get_by_label(re.compile(r"^2\. ")).check()
    page.get_by_label("Why this stage").fill("He is starting to trust his key worker")
    page.get_by_label("Next review").fill(review_on.isoformat())
    page.get_by_label("Action 1: what is to be done").fill("Ask the school about a mentor")
    page.get_by_label("Action 1: who will do it").select_option(label=str(practitioner))
    page.get_by_label("Action 1: due by").fill((held_on + timedelta(days=3)).isoformat())
    # Someone outside the service: a name and an agency.
    page.get_by_label("Action 2: what is to be done").fill("Offer a mentor")
    page.get_by_label("Action 2: their name, if outside the service").fill("Sam Jones")
    page.get_by_label("Action 2: their agency, if outside the service").select_option(
        label="Education"
    )
    page.get_by_label("Action 2: due by").fill((held_on + timedelta(days=21)).isoformat())
    assert_accessible(page)
    page.get_by_role("button", name="Save the formulation").click()
    expect(page.get_by_role("alert")).to_contain_text("Formulation of the meeting on")
    expect(page.get_by_text("Missing school; fights at home")).to_be_visible()
    assert_accessible(page)

    # She starts the plan: key-worker sessions first, offence-focused work later.
    page.get_by_role("link", name="Intervention plan").click()
    for title, stage in (("Weekly key-worker sessions", "1"), ("Victim awareness work", "5")):
        page.get_by_role("link", name="Add an intervention").click()
        page.get_by_label("What").fill(title)
        page.get_by_role("group", name="TRM stage it serves").get_by_label(
            re.compile(rf"^{stage}\. ")
        ).check()
        page.get_by_label("Responsible person").fill("Alice")
        page.get_by_role("button", name="Save the intervention").click()
        expect(page.get_by_role("alert")).to_contain_text(f"added to the plan: {title}")
    # The formulation recorded stage 2, so the stage 5 work is flagged.
    expect(
        page.get_by_text("This targets stage 5; the young person is at stage 2.")
    ).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # Alice, the practitioner, reads the formulation and its one-page summary.
    sign_in(page, live_server, "alice")
    page.goto(f"{base}/formulation/young-people/{young_person.pk}/")
    expect(page.get_by_text("He is starting to trust his key worker")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Record the formulation"))).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Printable summary")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Formulation summary")
    expect(page.get_by_text("Loves football; close to his sister")).to_be_visible()
    assert_accessible(page)

    # She says which plan item her appointment delivered.
    page.goto(f"{base}/formulation/young-people/{young_person.pk}/plan/")
    page.get_by_role("link", name=re.compile("^Choose the intervention")).click()
    page.get_by_label(re.compile("Weekly key-worker sessions")).check()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("linked to Weekly key-worker sessions")
    appointments = page.get_by_role("table", name="The latest appointments, newest first")
    expect(appointments.get_by_role("row", name=re.compile("Football and a chat"))).to_contain_text(
        "Weekly key-worker sessions"
    )
    assert appointment.pk

    # The action given to her is on "My tasks", overdue (due a week after the meeting).
    page.get_by_role("link", name="My tasks").click()
    tasks = page.get_by_role("table", name="Tasks to do, overdue first")
    row = tasks.get_by_role("row", name=re.compile("Ask the school about a mentor"))
    expect(row).to_contain_text("Overdue")
    expect(row).to_contain_text("Dylan Morgan")
    expect(tasks.get_by_text("Offer a mentor")).to_have_count(0)  # Sam's, not hers
    assert_accessible(page)
    row.get_by_role("button", name=re.compile("^Mark as done")).click()
    expect(page.get_by_role("alert")).to_contain_text("Agreed action marked as done")
    expect(page.get_by_text("You have no tasks to do.")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Done in the last")).click()
    expect(page.get_by_text("Ask the school about a mentor")).to_be_visible()
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    assert_accessible(page)
    page.get_by_role("button", name="Cymraeg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hysbysiadau")
    assert_accessible(page)
    page.get_by_role("link", name="Fy nhasgau").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fy nhasgau")
    assert_accessible(page)
    page.get_by_role("button", name="English").click()
    sign_out(page)

    # Pat records a supervision session with Alice about Dylan.
    sign_in(page, live_server, "pat")
    page.goto(f"{base}/supervision/sessions/new/")
    page.get_by_label("Practitioner supervised").select_option(label=str(practitioner))
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Date of the session").fill(timezone.localdate().isoformat())
    page.get_by_label("Duration of the session (minutes)").fill("60")
    page.get_by_label(re.compile("^YP-J1")).check()
    page.get_by_label("Notes for the practitioner and the team manager").fill(SHARED_NOTE)
    page.get_by_label("Private reflective notes").fill(PRIVATE_NOTE)
    page.get_by_label("Action 1: what is to be done").fill("Agree an ending plan with Dylan")
    page.get_by_label("Action 1: who will do it").select_option(label=str(practitioner))
    assert_accessible(page)
    page.get_by_role("button", name="Save the session").click()
    expect(page.get_by_role("alert")).to_contain_text("Supervision session with")
    expect(page.get_by_text(PRIVATE_NOTE)).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # Mona, the team manager, sees that it happened, what was agreed and the shared notes,
    # but never the private reflective notes.
    sign_in(page, live_server, "mona")
    page.get_by_role("link", name="Supervision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clinical supervision")
    expect(page.get_by_text("Agree an ending plan with Dylan")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("table", name="Supervision sessions").get_by_role("link").first.click()
    expect(page.get_by_text("Agree an ending plan with Dylan")).to_be_visible()
    expect(page.get_by_text(PRIVATE_NOTE)).to_have_count(0)
    expect(page.get_by_text(SHARED_NOTE)).to_be_visible()
    expect(page.get_by_role("heading", name="Private reflective notes")).to_have_count(0)
    assert_accessible(page)
