"""Clinical supervision reaches the case record (issue 15): a psychologist records a session
with a note for a young person's record and a private reflective note; the team manager
opens the young person's record, reads the note, follows its link to the session, and never
sees the private note."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from seed import factories
from tests.browser.conftest import assert_accessible, sign_in

CASE_NOTE = "Ffion trusts her worker now; keep the Tuesday visits to the farm"
PRIVATE_NOTE = "I notice I rush our endings when the family is in crisis"


@pytest.fixture
def young_person(team_a, practitioner):
    factories.trm_stage(1)  # the stages (a transactional test flushes the migration's rows)
    return factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        reference="YP-R1",
        given_name="Ffion",
        family_name="Evans",
    )


def test_the_manager_reads_the_supervision_note_on_the_record_but_not_the_private_note(
    page, live_server, psychologist, practitioner, manager, young_person
):
    base = live_server.url
    held_on = timezone.localdate() - timedelta(days=1)

    # Pat, the psychologist, records supervision of Alice, who discussed Ffion.
    sign_in(page, live_server, "pat")
    page.goto(f"{base}/supervision/sessions/new/")
    page.get_by_label("Practitioner supervised").select_option(label=str(practitioner))
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Date of the session").fill(held_on.isoformat())
    page.get_by_label("Duration of the session (minutes)").fill("75")
    page.get_by_label(re.compile("^YP-R1")).check()
    # Each box says who will read it.
    note_box = page.get_by_label("Note for the record of YP-R1 – Ffion Evans")
    expect(page.get_by_text(re.compile("Seen on Ffion Evans's record by everyone"))).to_be_visible()
    expect(
        page.get_by_text(re.compile("^Seen only by you and the practitioner: never by the team"))
    ).to_be_visible()
    note_box.fill(CASE_NOTE)
    page.get_by_label("Private reflective notes").fill(PRIVATE_NOTE)
    assert_accessible(page)
    page.get_by_role("button", name="Save the session").click()
    expect(page.get_by_role("alert")).to_contain_text("Supervision session with")
    expect(page.get_by_text(PRIVATE_NOTE)).to_be_visible()
    expect(page.get_by_text("75 minutes")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # Mona, the team manager, opens Ffion's record: the note is there, linked to the session.
    sign_in(page, live_server, "mona")
    page.goto(f"{base}/young-people/{young_person.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ffion Evans")
    card = page.locator("#supervision")
    expect(card.get_by_text(CASE_NOTE)).to_be_visible()
    expect(page.get_by_text(PRIVATE_NOTE)).to_have_count(0)
    assert_accessible(page)

    # The timeline shows the note too, with the same link.
    page.get_by_role("link", name="Full timeline", exact=True).click()
    expect(page.get_by_role("cell", name=CASE_NOTE)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Clinical supervision note"))).to_be_visible()
    expect(page.get_by_text(PRIVATE_NOTE)).to_have_count(0)

    # She follows the link to the session: the case note, never the private note.
    page.get_by_role("link", name=re.compile("^Clinical supervision note")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Supervision on")
    expect(page.locator("#case-notes")).to_contain_text(CASE_NOTE)
    expect(page.get_by_text(PRIVATE_NOTE)).to_have_count(0)
    expect(page.get_by_role("heading", name="Private reflective notes")).to_have_count(0)
    assert_accessible(page)
