"""Records kept only as long as the schedule allows: Team A's manager puts Seren's record on
legal hold (a claim is coming), after first forgetting the reason; that night the service
lists the young people due; the administrator opens the retention review, sees who is due
(by reference), the hold, and approves the list after confirming. Gareth's referral, closed
more than three years ago, is anonymised: his name is gone from the team's list, Seren's is
still there. Every page is checked with axe.

The last step needs the real anonymiser (`governance.anonymise`, issue 17's other half).
"""

from django.urls import reverse
from playwright.sync_api import expect

from governance.due import subtract_years
from governance.tasks import build_retention_review_task
from seed import factories
from tests.browser.conftest import assert_accessible, sign_in


def test_administrator_approves_the_retention_review_and_the_young_person_is_gone(
    page, live_server, practitioner, manager, administrator, team_a
):
    from django.utils import timezone

    long_ago = subtract_years(timezone.localdate(), 4)
    gareth = factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        given_name="Gareth",
        family_name="Pritchard",
        reference="YOT-A-0042",
        referral_date=long_ago,
    )
    factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        given_name="Seren",
        family_name="Bowen",
        reference="YOT-A-0043",
        referral_date=long_ago,
    )
    team_page = live_server.url + reverse("cases:team-detail", kwargs={"code": team_a.code})

    # Team A's manager puts Seren's record on legal hold.
    sign_in(page, live_server, "mona")
    page.get_by_role("link", name="Legal holds").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Legal holds")
    page.get_by_role("button", name="Put a young person on legal hold").click()
    page.get_by_label("Young person's reference").fill("YOT-A-0043")
    page.get_by_role("button", name="Place the hold").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Give the reason for the legal hold"
    )
    assert_accessible(page)
    page.get_by_label("Why must the record be kept?").fill("A claim against the council")
    page.get_by_role("button", name="Place the hold").click()
    expect(page.get_by_role("alert")).to_contain_text("YOT-A-0043 is on legal hold")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    # That night the service lists who is due.
    build_retention_review_task()

    # The administrator reviews and approves the list.
    sign_in(page, live_server, "ada")
    page.get_by_role("link", name="Retention").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention review")
    due = page.locator("#due")
    expect(due).to_contain_text("YOT-A-0042")
    expect(due).to_contain_text("Referral only (no order or disposal): 3 years after")
    expect(due).not_to_contain_text("YOT-A-0043")
    expect(page.locator("#open-holds")).to_contain_text("A claim against the council")
    expect(page.locator("body")).not_to_contain_text("Pritchard")
    assert_accessible(page)
    page.get_by_role("button", name="Approve this list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Approve the retention review")
    expect(page.locator("#approve-summary")).to_contain_text("lists 1 young person to anonymise")
    assert_accessible(page)
    page.get_by_role("button", name="Yes, anonymise them").click()
    expect(page.get_by_role("alert")).to_contain_text("1 young people anonymised")
    expect(page.locator("#runs")).to_contain_text(str(administrator))
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    # Gareth is gone from the team's list by name; Seren, on hold, is still there.
    sign_in(page, live_server, "mona")
    page.goto(team_page)
    expect(page.locator("body")).to_contain_text("Seren Bowen")
    expect(page.locator("body")).not_to_contain_text("Gareth")
    expect(page.locator("body")).not_to_contain_text("Pritchard")
    assert gareth.pk
