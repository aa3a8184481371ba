"""A family moves from Team A's area to Team B's: Team A's manager asks Team B to take Seren's
case over; Team B's manager finds the request on her home page, sees the current consent
decisions, and accepts it for Bob after re-checking them. Team B now has the case, with the
transfer on its timeline; Team A's manager can no longer open it. Every page is checked with
axe."""

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from cases.models import CaseTransfer
from seed import factories
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_phone_and_print import PHONE, too_wide


def test_transfer_requested_accepted_and_the_new_team_has_the_case(
    page, live_server, practitioner, manager, other_practitioner, team_a, team_b
):
    factories.user_with_role(Role.MANAGER, team_b, username="rhian")
    seren = factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        given_name="Seren",
        family_name="Bowen",
        ecm_start_date=timezone.localdate(),
    )
    record = live_server.url + reverse("cases:youngperson-detail", kwargs={"pk": seren.pk})

    # Team A's manager asks Team B to take the case over.
    sign_in(page, live_server, "mona")
    page.goto(record)
    page.get_by_role("link", name="Transfer to another team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transfer to another team")
    assert_accessible(page)
    page.get_by_role("button", name="Request transfer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose the team taking the case over"
    )
    page.get_by_label("Which team is taking the case over?").select_option(label="Team B")
    page.get_by_label("Why is the case moving?").fill("The family moved to Team B's area")
    page.get_by_role("button", name="Request transfer").click()
    expect(page.get_by_role("alert")).to_contain_text("Transfer of Seren Bowen to Team B requested")
    page.get_by_role("button", name="Sign out").click()

    # Team B's manager finds it on her home page and accepts it for Bob.
    sign_in(page, live_server, "rhian")
    page.get_by_role("link", name="Seren Bowen from Team A").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Transfer from Team A to Team B")
    expect(page.locator("#consents")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Accept the transfer").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose the practitioner who will work with the young person"
    )
    page.get_by_label("Accept the transfer").check()
    page.get_by_label("Practitioner who will work with the young person").select_option(
        label=str(other_practitioner)
    )
    page.get_by_label("I have re-checked the current consent decisions").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.get_by_role("alert")).to_contain_text("Seren Bowen is now a case of Team B")

    page.goto(record)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Seren Bowen")
    expect(page.locator("body")).to_contain_text("Transferred from Team A to Team B")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    # Team A's manager can no longer open the record.
    sign_in(page, live_server, "mona")
    response = page.goto(record)
    assert response.status == 404


def test_transfer_pages_fit_a_phone_in_english_and_welsh(
    browser, live_server, manager, practitioner, team_a, team_b
):
    rhian = factories.user_with_role(Role.MANAGER, team_b, username="rhian")
    incoming = factories.YoungPersonFactory(team=team_b, given_name="Cai", family_name="Rees")
    transfer = CaseTransfer.objects.create(
        young_person=incoming,
        from_team=team_b,
        to_team=team_a,
        reason="The family moved to Team A's area",
        requested_by=rhian,
    )
    own = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
    paths = [
        "/",
        reverse("cases:casetransfer-list"),
        reverse("cases:casetransfer-detail", kwargs={"transfer_pk": transfer.pk}),
        reverse("cases:casetransfer-create", kwargs={"pk": own.pk}),
    ]
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, live_server, "mona")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        wide = too_wide(page, paths)
        page.get_by_role("navigation", name="Language").get_by_role(
            "button", name="Cymraeg", exact=True
        ).click()
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        wide += too_wide(page, paths)
        assert_accessible(page)
    finally:
        context.close()
    assert wide == [], "Pages wider than a 390 px screen:\n" + "\n".join(wide)
