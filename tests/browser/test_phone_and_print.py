"""On a phone (390 by 844 pixels) every role reads its pages in English and in Welsh without the
page scrolling sideways: wide tables scroll inside their own box. A practitioner prints a case
summary (the page on paper has no menus, banners or link addresses) and downloads it as a PDF.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from seed import factories
from supervision.models import OversightAction, OversightEntry
from tests.browser.conftest import assert_accessible, sign_in

PHONE = {"width": 390, "height": 844}
LONG_TEXT = "Talked about school, weekends and the people he spends time with. " * 3


@pytest.fixture
def casework(team_a, practitioner, manager, psychologist):
    """A young person with something of every kind on their record, as after a few months."""
    factories.trm_stage(1)  # the stages (a transactional test flushes the migration's rows)
    today = timezone.localdate()
    young_person = factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        reference="FL-2026-014",
        given_name="Dylan",
        family_name="Morgan",
        referral_date=today - timedelta(days=120),
    )
    by = {"young_person": young_person, "recorded_by": practitioner}
    for days in (110, 60, 20):
        factories.NeedFactory(**by, recorded_on=today - timedelta(days=days), evidence=LONG_TEXT)
        factories.OffenceFactory(**by, committed_on=today - timedelta(days=days + 30))
        factories.TRMAssessmentFactory(
            **by, assessed_on=today - timedelta(days=days), rationale=LONG_TEXT
        )
        factories.AppointmentFactory(
            **by,
            practitioner=practitioner,
            starts_at=timezone.now() - timedelta(days=days),
            purpose=LONG_TEXT,
        )
    order = factories.OrderFactory(**by, start_date=today - timedelta(days=100))
    factories.BreachFactory(**by, order=order, breach_date=today - timedelta(days=40))
    factories.ConsentFactory(**by, decided_on=today - timedelta(days=100))
    factories.AppointmentFactory(
        **by, practitioner=practitioner, starts_at=timezone.now() + timedelta(days=2)
    )
    meeting = factories.FormulationMeetingFactory(
        young_person=young_person, chair=psychologist, held_on=today - timedelta(days=30)
    )
    formulation = factories.FormulationFactory(meeting=meeting, presenting=LONG_TEXT)
    factories.AgreedActionFactory(formulation=formulation)
    factories.InterventionItemFactory(young_person=young_person, title=LONG_TEXT[:80])
    session = factories.SupervisionSessionFactory(
        team=team_a, psychologist=psychologist, practitioner=practitioner, cases=[young_person]
    )
    factories.SupervisionActionFactory(session=session)
    oversight = OversightEntry.objects.create(
        young_person=young_person,
        manager=manager,
        reviewed_on=today - timedelta(days=5),
        reviewed=LONG_TEXT,
        decision=LONG_TEXT,
        responds_to=session,
    )
    OversightAction.objects.create(
        entry=oversight, description=LONG_TEXT[:200], assignee=practitioner, due_on=today
    )
    return {"young_person": young_person, "meeting": meeting, "session": session}


def pages_for(role, casework):
    """The pages each role opens most, as paths."""
    pk = casework["young_person"].pk
    record = [
        reverse("cases:youngperson-detail", args=[pk]),
        reverse("cases:youngperson-timeline", args=[pk]),
        reverse("cases:youngperson-summary", args=[pk]),
        reverse("formulation:meeting-list", args=[pk]),
        reverse("formulation:plan", args=[pk]),
        reverse("formulation:formulation-summary", args=[casework["meeting"].pk]),
        reverse("eligibility:decision-list", args=[pk]),
        reverse("supervision:session-list"),
        reverse("supervision:session-detail", args=[casework["session"].pk]),
        reverse("supervision:oversight-history", args=[pk]),
    ]
    return {
        "alice": ["/", reverse("cases:caseload"), reverse("cases:appointment-list"), *record],
        "mona": [
            "/",
            reverse("cases:team-list"),
            reverse("cases:team-detail", args=["team-a"]),
            reverse("cases:team-reallocate", args=["team-a"]),
            reverse("reports:action-list"),
            reverse("eligibility:funnel"),
            reverse("eligibility:what-if"),
            reverse("cases:youngperson-history", args=[pk]),
            reverse("cases:youngperson-access-log", args=[pk]),
            *record,
        ],
        "pat": ["/", *record],
        "eve": ["/", reverse("reports:run-list"), reverse("reports:measure-list")],
        "ada": ["/", "/admin/", "/admin/accounts/user/"],
    }[role]


def too_wide(page, paths):
    """The paths whose page is wider than the screen, with the width of each."""
    wide = []
    for path in paths:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide.append(f"{path} ({page.locator('html').get_attribute('lang')}): {width} px")
    return wide


@pytest.mark.parametrize("username", ["alice", "mona", "pat", "eve", "ada"])
def test_no_page_scrolls_sideways_on_a_phone_in_english_or_welsh(
    browser, live_server, casework, users_by_role, username
):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, live_server, username)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        paths = pages_for(username, casework)
        wide = too_wide(page, paths)
        page.goto("/")  # the admin's pages have no language switcher
        page.get_by_role("navigation", name="Language").get_by_role(
            "button", name="Cymraeg", exact=True
        ).click()
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        wide += too_wide(page, paths)
    finally:
        context.close()
    assert wide == [], "Pages wider than a 390 px screen:\n" + "\n".join(wide)


def test_a_wide_table_scrolls_in_a_labelled_region_a_keyboard_can_reach(
    browser, live_server, casework
):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, live_server, "alice")
        page.goto(reverse("cases:youngperson-timeline", args=[casework["young_person"].pk]))
        region = page.get_by_role("region", name=re.compile(r"^Entries 1 to \d+ of \d+"))
        expect(region).to_have_attribute("tabindex", "0")
        region.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        assert region.evaluate("box => box.scrollWidth > box.clientWidth")
        assert region.evaluate("box => box.scrollLeft") > 0
    finally:
        context.close()


def test_practitioner_prints_and_downloads_a_case_summary(page, live_server, casework):
    young_person = casework["young_person"]
    sign_in(page, live_server, "alice")
    page.goto(reverse("cases:youngperson-detail", args=[young_person.pk]))
    page.get_by_role("link", name="Print or download a case summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case summary and chronology")
    expect(page.locator("#key-facts")).to_contain_text("FL-2026-014")
    expect(page.locator("#current-orders")).to_contain_text("Referral order")
    expect(page.get_by_role("region", name=re.compile("^Every current record"))).to_contain_text(
        "Need recorded"
    )
    assert_accessible(page)

    # On paper: the content only, and links read as plain text, without their addresses.
    page.emulate_media(media="print")
    for chrome in (".govuk-template__header", ".govuk-template__footer", ".govuk-skip-link"):
        expect(page.locator(chrome)).to_be_hidden()
    expect(page.locator(".govuk-notification-banner").first).to_be_hidden()
    expect(page.get_by_role("link", name="Download as PDF")).to_be_hidden()
    after = page.locator("#formulation a.govuk-link").first.evaluate(
        "link => getComputedStyle(link, '::after').content"
    )
    assert after in ("none", "normal")
    page.emulate_media(media="screen")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as PDF").click()
    assert download.value.suggested_filename.startswith("case-summary-FL-2026-014-")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # In Welsh too, the summary passes axe.
    page.get_by_role("navigation", name="Language").get_by_role(
        "button", name="Cymraeg", exact=True
    ).click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    assert_accessible(page)
