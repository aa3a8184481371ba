"""An anonymised young person leaves every list offered for work, stays counted by the
evaluation, and their record page says what happened (issue 17)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from cases import services
from governance import anonymise
from governance.models import (
    RetentionReview,
    RetentionReviewItem,
    RetentionRule,
    RetentionRun,
    RetentionRunItem,
)
from reports.measures import Scope, compute_all
from seed import factories
from tests.conftest import client_for
from tests.work.test_reminders import FRIDAY, MONDAY, at
from work import reminders
from work.models import FollowUp, FollowUpKind, Notification, NotificationKind
from work.selectors import unread_count

WHOLE_PERIOD = Scope(date_from=date(2000, 1, 1), date_to=date(2100, 1, 1))
KEPT_NAME = "Kestrelkept"


def _on_ecm(team, practitioner, **names):
    person = factories.YoungPersonFactory(
        team=team,
        practitioner=practitioner,
        referral_date=timezone.localdate() - timedelta(days=200),
        ecm_start_date=timezone.localdate() - timedelta(days=150),
        **names,
    )
    for party in ("young_person", "parent_carer"):
        factories.ConsentFactory(young_person=person, party=party, purpose="participation")
    return person


@pytest.fixture
def pair(team_a, practitioner, manager):
    """{"kept": …, "gone": …}: two young people on the practitioner's caseload, the second
    anonymised by a retention run (under a rule, as the approval records it)."""
    kept = _on_ecm(team_a, practitioner, family_name=KEPT_NAME, reference="KEPT-1")
    gone = _on_ecm(team_a, practitioner, family_name="Gonefamily", reference="GONE-1")
    with transaction.atomic():
        anonymise.anonymise_young_people([gone.pk])
    rule = RetentionRule.objects.filter(team__isnull=True).order_by("pk").first()
    review = RetentionReview.objects.create(as_of=timezone.localdate())
    RetentionReviewItem.objects.create(
        review=review,
        young_person=gone,
        rule=rule,
        case_kind=rule.case_kind,
        counted_from_date=date(2015, 1, 1),
        due_on=date(2020, 1, 1),
    )
    run = RetentionRun.objects.create(review=review, approved_by=manager, anonymised=1)
    RetentionRunItem.objects.create(run=run, young_person=gone, rule=rule)
    gone.refresh_from_db()
    return {"kept": kept, "gone": gone, "rule": rule}


def _shows_only_the_kept_one(body: str) -> None:
    assert KEPT_NAME in body
    assert anonymise.REFERENCE_PREFIX not in body
    assert anonymise.MARKER not in body


# --- Lists offered for work --------------------------------------------------------------------


def test_the_practitioners_caseload_leaves_out_the_anonymised_young_person(pair, practitioner):
    _shows_only_the_kept_one(
        client_for(practitioner).get(reverse("cases:caseload")).content.decode()
    )


def test_searching_the_caseload_for_the_anonymised_reference_finds_no_one(pair, practitioner):
    page = reverse("cases:caseload") + f"?search={pair['gone'].reference}"
    body = client_for(practitioner).get(page).content.decode()
    assert reverse("cases:youngperson-detail", args=[pair["gone"].pk]) not in body
    assert anonymise.MARKER not in body


def test_the_managers_team_view_leaves_out_the_anonymised_young_person(pair, manager, team_a):
    page = reverse("cases:team-detail", args=[team_a.code])
    _shows_only_the_kept_one(client_for(manager).get(page).content.decode())


def test_the_managers_action_list_leaves_out_the_anonymised_young_person(pair, manager):
    _shows_only_the_kept_one(
        client_for(manager).get(reverse("reports:action-list")).content.decode()
    )


def test_the_supervision_picker_leaves_out_the_anonymised_young_person(
    pair, psychologist, practitioner
):
    membership = Membership.objects.get(user=practitioner, role=Role.PRACTITIONER)
    page = f"{reverse('supervision:session-create')}?supervised={membership.pk}"
    _shows_only_the_kept_one(client_for(psychologist).get(page).content.decode())


def test_notifications_about_the_anonymised_young_person_leave_the_list_and_the_count(
    pair, practitioner
):
    kept, gone = (
        Notification.objects.create(
            user=practitioner,
            kind=NotificationKind.NO_CONTACT,
            subject=f"test:{person.pk}",
            young_person=person,
            url=reverse("cases:youngperson-detail", args=[person.pk]),
        )
        for person in (pair["kept"], pair["gone"])
    )
    body = client_for(practitioner).get(reverse("work:notification-list")).content.decode()
    _shows_only_the_kept_one(body)
    assert reverse("work:notification-open", args=[kept.pk]) in body
    assert reverse("work:notification-open", args=[gone.pk]) not in body
    assert unread_count(practitioner) == 1


def test_tasks_about_the_anonymised_young_person_leave_the_to_do_list(pair, practitioner):
    for person in (pair["kept"], pair["gone"]):
        FollowUp.objects.create(
            young_person=person,
            assignee=practitioner,
            kind=FollowUpKind.RECORD_ATTENDANCE,
            subject=f"test:{person.pk}",
            due_on=timezone.localdate(),
        )
    body = client_for(practitioner).get(reverse("work:task-list")).content.decode()
    assert reverse("cases:youngperson-detail", args=[pair["kept"].pk]) in body
    assert reverse("cases:youngperson-detail", args=[pair["gone"].pk]) not in body


# --- Still counted by the evaluation -----------------------------------------------------------


def test_the_evaluation_still_counts_the_anonymised_young_person(pair):
    results = compute_all(WHOLE_PERIOD)
    assert results["referrals"].overall == 2
    assert results["cohort_size"].overall == 2


# --- The record page, reached by its address ---------------------------------------------------


def test_the_record_page_says_the_record_was_anonymised_and_under_which_rule(pair, manager):
    response = client_for(manager).get(reverse("cases:youngperson-detail", args=[pair["gone"].pk]))
    body = response.content.decode()
    day = timezone.localtime(pair["gone"].anonymised_at)
    assert response.status_code == 410
    assert f"This record was anonymised under the retention schedule on {day:%-d %B %Y}." in body
    assert f"Rule applied: {pair['rule'].description}." in body
    assert anonymise.MARKER not in body
    assert reverse("cases:youngperson-edit", args=[pair["gone"].pk]) not in body


def test_every_page_of_the_record_says_so(pair, manager):
    for name in ("youngperson-timeline", "youngperson-history", "need-create"):
        body = (
            client_for(manager).get(reverse(f"cases:{name}", args=[pair["gone"].pk])).content
        ).decode()
        assert "This record was anonymised" in body, name


def test_a_change_to_an_anonymised_record_is_refused_with_a_clear_message(pair, manager):
    response = client_for(manager).post(
        reverse("cases:youngperson-archive", args=[pair["gone"].pk]),
        {"reason": "Test"},
    )
    assert response.status_code == 410
    assert "An anonymised record cannot be changed." in response.content.decode()
    pair["gone"].refresh_from_db()
    assert pair["gone"].archived_at is None


def test_the_record_page_of_someone_not_anonymised_is_unchanged(pair, manager):
    response = client_for(manager).get(reverse("cases:youngperson-detail", args=[pair["kept"].pk]))
    assert response.status_code == 200
    assert KEPT_NAME in response.content.decode()


#: Session, user and roles, the young person and the access-log row, the run's rule, and
#: what every page's header reads (measured: 9).
ANONYMISED_PAGE_BUDGET = 9


def test_the_anonymised_record_page_query_budget(pair, manager, django_assert_max_num_queries):
    client = client_for(manager)
    page = reverse("cases:youngperson-detail", args=[pair["gone"].pk])
    with django_assert_max_num_queries(ANONYMISED_PAGE_BUDGET):
        client.get(page)


def test_the_anonymised_record_page_in_welsh(pair, manager):
    body = (
        client_for(manager)
        .get(
            reverse("cases:youngperson-detail", args=[pair["gone"].pk]),
            HTTP_ACCEPT_LANGUAGE="cy",
        )
        .content.decode()
    )
    assert "Cafodd y cofnod hwn ei wneud yn ddienw o dan yr amserlen gadw ar" in body
    assert "Y rheol a ddefnyddiwyd:" in body


def test_a_service_refuses_to_change_an_anonymised_record(pair, manager):
    with pytest.raises(ValidationError) as refused:
        services.young_person_update(
            by=manager, young_person=pair["gone"], version=pair["gone"].version, ethnicity="X"
        )

    assert "anonymised under the retention schedule and cannot be changed" in str(refused.value)


def test_the_morning_reminders_say_nothing_about_the_anonymised_young_person(pair, practitioner):
    for person in (pair["kept"], pair["gone"]):
        factories.AppointmentFactory(
            young_person=person, starts_at=at(FRIDAY), attendance="", engagement=None, outcome=""
        )

    reminders.run(today=MONDAY)

    reminded = set(Notification.objects.values_list("young_person_id", flat=True))
    assert pair["kept"].pk in reminded
    assert pair["gone"].pk not in reminded
