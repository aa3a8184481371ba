"""An administrator sets a target for a measure, mistyping it first; the team's manager then
sees the team's figure against it, with its status in words, on the team page."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from seed import factories
from tests.browser.conftest import assert_accessible, sign_in


def test_administrator_sets_a_target_and_the_manager_sees_the_team_against_it(
    page, live_server, administrator, manager, team_a
):
    today = timezone.localdate()
    for days_ago in (20, 40):
        factories.YoungPersonFactory(team=team_a, referral_date=today - timedelta(days=days_ago))

    # Ada sets a national target of at least 3 referrals, typing a negative number first.
    sign_in(page, live_server, "ada")
    page.goto(live_server.url + reverse("admin:reports_measuretarget_add"))
    page.get_by_label("Measure").select_option(label="Referrals")
    page.get_by_label("Direction").select_option(label="Higher is better")
    page.get_by_label("Target").fill("-3")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("A target cannot be below 0")).to_be_visible()
    page.get_by_label("Target").fill("3")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was added successfully")).to_be_visible()
    page.context.clear_cookies()

    # Mona, the team's manager, sees two referrals against the target of three: not met.
    sign_in(page, live_server, "mona")
    page.goto(live_server.url + reverse("cases:team-detail", args=[team_a.code]))
    expect(page.get_by_role("heading", name="Key measures against targets")).to_be_visible()
    row = page.get_by_role("row", name="Referrals")
    expect(row).to_contain_text("2")
    expect(row).to_contain_text("3 or more")
    expect(row).to_contain_text("National target, version 1")
    expect(row).to_contain_text("Not met")
    assert_accessible(page)
