"""Retention pages (issue 17): the review, approving it, the runs, legal holds."""

import html

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import AccessLogEntry
from governance import anonymise, retention
from governance.models import LegalHold, RetentionReview, RetentionRule, RetentionRun
from seed import factories
from tests.conftest import client_for

from .conftest import years_ago

pytestmark = pytest.mark.django_db

REVIEW = reverse("governance:retentionreview-list")
RUNS = reverse("governance:retentionrun-list")
HOLDS = reverse("governance:legalhold-list")
NEW_HOLD = reverse("governance:legalhold-create")


def approve_url(review) -> str:
    return reverse("governance:retentionreview-approve", kwargs={"review_pk": review.pk})


# --- The review -------------------------------------------------------------------------------


def test_the_review_shows_who_is_due_by_reference_with_rule_and_dates(
    retention_cases, administrator
):
    retention.review_build()

    page = client_for(administrator).get(REVIEW).content.decode()

    assert "4 young people due" in page
    assert "DUE-CRT" in page and "NOT-CRT" not in page
    assert "Court order: 5 years after the end of the last court order" in page
    assert years_ago(6).strftime("%-d %B %Y") in page
    # Never the names: the administrator sees references and dates only.
    assert retention_cases["due_court"].family_name not in page
    assert AccessLogEntry.objects.filter(user=administrator, action="retention.review").exists()


def test_the_review_shows_holds_and_flags_a_young_person_put_on_hold_since(
    retention_cases, administrator, manager
):
    retention.review_build()
    LegalHold.objects.create(
        young_person=retention_cases["due_referral"], reason="Civil claim", placed_by=manager
    )

    page = client_for(administrator).get(REVIEW).content.decode()

    assert "On hold: will be skipped" in page
    assert "Civil claim" in page and "Claim against the council" in page


def test_the_review_reads_in_welsh(administrator):
    retention.review_build()
    client = client_for(administrator)
    client.cookies["django_language"] = "cy"

    page = client.get(REVIEW, headers={"accept-language": "cy"}).content.decode()

    assert "Adolygiad cadw" in page
    assert "Does neb yn ddyledus o dan y rheolau cadw sydd mewn grym." in page


def test_approving_asks_for_confirmation_first(retention_cases, administrator):
    review = retention.review_build()

    page = client_for(administrator).get(approve_url(review)).content.decode()

    assert "lists 4 young people to anonymise" in page
    assert "This cannot be undone." in page
    assert not RetentionRun.objects.exists()


def test_approving_an_empty_review_gives_a_clear_message(administrator):
    review = retention.review_build()

    response = client_for(administrator).post(approve_url(review))

    assert response.status_code == 200
    assert "There is nobody to anonymise in this review" in response.content.decode()
    assert not RetentionRun.objects.exists()


def test_approving_a_review_a_second_time_says_so(retention_cases, administrator, fake_anonymiser):
    review = retention.review_build()
    client = client_for(administrator)
    client.post(approve_url(review))

    response = client.post(approve_url(review))

    assert response.status_code == 200
    assert "This review was approved already" in response.content.decode()
    assert RetentionRun.objects.count() == 1


def test_approving_sends_the_administrator_to_the_runs(
    retention_cases, administrator, fake_anonymiser
):
    review = retention.review_build()

    response = client_for(administrator).post(approve_url(review), follow=True)

    page = response.content.decode()
    assert "4 young people anonymised. The run is recorded below." in page
    assert str(administrator) in page
    assert RetentionRun.objects.get().approved_by == administrator


def test_approving_a_review_that_does_not_exist_is_not_found(administrator):
    response = client_for(administrator).post(
        reverse("governance:retentionreview-approve", kwargs={"review_pk": 999})
    )
    assert response.status_code == 404


# --- Legal holds ------------------------------------------------------------------------------


def test_a_hold_without_a_reason_is_a_form_error(manager, team_a):
    young_person = factories.YoungPersonFactory(team=team_a, reference="HOLD-1")

    response = client_for(manager).post(NEW_HOLD, {"reference": "HOLD-1", "reason": "  "})

    assert response.status_code == 200
    assert "Give the reason for the legal hold" in response.content.decode()
    assert not LegalHold.objects.filter(young_person=young_person).exists()


def test_a_manager_cannot_hold_another_teams_case(manager, team_b):
    factories.YoungPersonFactory(team=team_b, reference="OTHER-1")

    response = client_for(manager).post(NEW_HOLD, {"reference": "OTHER-1", "reason": "Claim"})

    assert "There is no young person with the reference “OTHER-1” in your teams" in (
        response.content.decode()
    )
    assert not LegalHold.objects.exists()


def test_a_manager_puts_a_case_on_hold_and_releases_it(manager, team_a):
    young_person = factories.YoungPersonFactory(team=team_a, reference="HOLD-2")
    client = client_for(manager)

    page = client.post(
        NEW_HOLD, {"reference": "HOLD-2", "reason": "Inquiry into the placement"}, follow=True
    ).content.decode()

    assert "HOLD-2 is on legal hold" in page
    assert "Inquiry into the placement" in page
    hold = LegalHold.objects.get(young_person=young_person)
    assert hold.placed_by == manager

    again = client.post(NEW_HOLD, {"reference": "HOLD-2", "reason": "Twice"})
    assert "This young person is already on legal hold" in again.content.decode()

    release = reverse("governance:legalhold-release", kwargs={"hold_pk": hold.pk})
    page = client.post(
        release, {"reason": "The inquiry has reported"}, follow=True
    ).content.decode()
    assert "The legal hold on HOLD-2 is released." in page
    assert "The inquiry has reported" in page
    hold.refresh_from_db()
    assert hold.released_by == manager
    assert hold.release_reason == "The inquiry has reported"


def _open_hold(manager, team_a):
    young_person = factories.YoungPersonFactory(team=team_a, reference="HOLD-3")
    return LegalHold.objects.create(young_person=young_person, reason="Claim", placed_by=manager)


def test_releasing_a_hold_without_a_reason_says_so_and_keeps_the_hold(manager, team_a):
    hold = _open_hold(manager, team_a)
    release = reverse("governance:legalhold-release", kwargs={"hold_pk": hold.pk})

    response = client_for(manager).post(release, {"reason": "   "})

    assert response.status_code == 200
    assert "Give the reason the legal hold can be released" in response.content.decode()
    hold.refresh_from_db()
    assert hold.is_open


def test_a_too_long_release_reason_is_kept_on_the_page_with_its_error(manager, team_a):
    hold = _open_hold(manager, team_a)
    release = reverse("governance:legalhold-release", kwargs={"hold_pk": hold.pk})
    typed = "Settled " * 300

    response = client_for(manager).post(release, {"reason": typed})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Reason must be 2000 characters or fewer" in body
    assert typed.strip() in body
    hold.refresh_from_db()
    assert hold.is_open


def test_the_release_reason_is_written_on_the_case_history(manager, team_a):
    hold = _open_hold(manager, team_a)
    release = reverse("governance:legalhold-release", kwargs={"hold_pk": hold.pk})
    client = client_for(manager)
    client.post(release, {"reason": "Claim withdrawn by the family"})

    history = client.get(
        reverse("cases:youngperson-history", args=[hold.young_person_id])
    ).content.decode()

    assert "Legal hold released" in history
    assert "Reason for the release" in history
    assert "Claim withdrawn by the family" in history


def test_releasing_a_released_hold_again_says_so(manager, team_a):
    hold = _open_hold(manager, team_a)
    release = reverse("governance:legalhold-release", kwargs={"hold_pk": hold.pk})
    client = client_for(manager)
    client.post(release, {"reason": "Settled"})

    page = client.post(release, {"reason": "Again"}, follow=True).content.decode()

    assert "This legal hold was released already." in page
    hold.refresh_from_db()
    assert hold.release_reason == "Settled"


def test_a_hold_on_an_anonymised_record_is_refused_with_a_message(manager, team_a):
    young_person = factories.YoungPersonFactory(team=team_a, reference="GONE-1")
    with transaction.atomic():
        anonymise.anonymise_young_people([young_person.pk])
    young_person.refresh_from_db()

    response = client_for(manager).post(
        NEW_HOLD, {"reference": young_person.reference, "reason": "A late claim"}
    )

    assert response.status_code == 200
    assert "record was anonymised already" in response.content.decode()
    assert "A late claim" in response.content.decode()
    assert not LegalHold.objects.exists()


def test_posting_an_empty_hold_form_says_what_is_missing(manager):
    response = client_for(manager).post(NEW_HOLD, {})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter the young person" in body
    assert "Give the reason for the legal hold" in body
    assert not LegalHold.objects.exists()


def test_an_administrator_puts_any_case_on_hold_by_reference(administrator, team_b):
    factories.YoungPersonFactory(team=team_b, reference="ANY-1")

    client_for(administrator).post(NEW_HOLD, {"reference": "ANY-1", "reason": "Claim"})

    assert LegalHold.objects.get().young_person.reference == "ANY-1"


# --- Query budgets ----------------------------------------------------------------------------

REVIEW_BUDGET = 14
LIST_BUDGET = 12


def _due_and_held(team, manager, count):
    for number in range(count):
        young_person = factories.YoungPersonFactory(
            team=team, reference=f"Q{number:03d}", referral_date=years_ago(4)
        )
        factories.OrderFactory(
            young_person=young_person,
            order_type="youth_caution",
            start_date=years_ago(4),
            end_date=years_ago(4),
        )
        if number % 2:
            LegalHold.objects.create(young_person=young_person, reason="Claim", placed_by=manager)
    RetentionRule.objects.create(
        case_kind="referral_only",
        years=10,
        counted_from="last_action",
        team=team,
        in_force_from=years_ago(20),
    )


@pytest.mark.parametrize("count", [1, 50])
def test_review_query_budget(administrator, manager, team_a, count, django_assert_max_num_queries):
    _due_and_held(team_a, manager, count)
    # Held after the review is built, so the review lists them all, flagged.
    LegalHold.objects.all().delete()
    retention.review_build()
    _hold_every_other(manager)
    client = client_for(administrator)

    with django_assert_max_num_queries(REVIEW_BUDGET):
        response = client.get(REVIEW)

    assert response.status_code == 200
    assert RetentionReview.objects.get().items.count() == count


def _hold_every_other(manager):
    from cases.models import YoungPerson

    for number, young_person in enumerate(YoungPerson.objects.order_by("reference")):
        if number % 2:
            LegalHold.objects.create(young_person=young_person, reason="Claim", placed_by=manager)


@pytest.mark.parametrize("count", [1, 50])
def test_holds_query_budget(manager, team_a, count, django_assert_max_num_queries):
    _due_and_held(team_a, manager, count * 2)
    client = client_for(manager)

    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(HOLDS)

    assert response.status_code == 200
    assert response.content.decode().count("Claim") == count


@pytest.mark.parametrize("count", [1, 50])
def test_runs_query_budget(administrator, count, django_assert_max_num_queries):
    from governance.models import RetentionReview as Review

    for _number in range(count):
        review = Review.objects.create(as_of=years_ago(0), status="approved")
        RetentionRun.objects.create(
            review=review,
            approved_by=administrator,
            anonymised=3,
            rules=[
                {
                    "id": 1,
                    "version": 1,
                    "case_kind": "referral_only",
                    "years": 3,
                    "counted_from": "last_action",
                    "count": 3,
                    "team": None,
                }
            ],
        )
    client = client_for(administrator)

    with django_assert_max_num_queries(LIST_BUDGET):
        response = client.get(RUNS)

    assert response.status_code == 200
    described = (
        "Referral only (no order or disposal): 3 years after the last action on the case"
        " (version 1): 3"
    )
    assert response.content.decode().count(described) == count


def test_the_record_page_shows_the_manager_the_hold_and_the_way_to_place_one(manager, team_a):
    young_person = factories.YoungPersonFactory(team=team_a, reference="REC-1")
    record = reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk})
    client = client_for(manager)

    page = client.get(record).content.decode()
    assert "Not on legal hold" in page
    assert f"{NEW_HOLD}?reference=REC-1" in page

    LegalHold.objects.create(young_person=young_person, reason="Inquiry pending", placed_by=manager)
    page = client.get(record).content.decode()
    assert "On legal hold since" in page and "Inquiry pending" in page


def test_the_record_page_has_no_hold_panel_for_a_practitioner(practitioner, team_a):
    young_person = factories.YoungPersonFactory(team=team_a, practitioner=practitioner)
    record = reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk})

    assert "Legal hold" not in client_for(practitioner).get(record).content.decode()


def test_the_release_page_in_welsh(manager, team_a):
    hold = _open_hold(manager, team_a)
    release = reverse("governance:legalhold-release", kwargs={"hold_pk": hold.pk})

    response = client_for(manager).post(release, {}, HTTP_ACCEPT_LANGUAGE="cy")

    body = html.unescape(response.content.decode())
    assert "Pam y gellir rhyddhau'r daliad?" in body
    assert "Rhowch y rheswm y gellir rhyddhau'r daliad cyfreithiol" in body
