"""The daily reminders: who is told what, once; and what an email may say."""

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from formulation.models import FormulationSummary
from seed import factories
from tests.conftest import client_for
from work import reminders
from work.models import (
    FollowUp,
    FollowUpKind,
    Notification,
    NotificationKind,
    NotificationPreference,
)

MONDAY = date(2026, 11, 30)
FRIDAY = date(2026, 11, 27)


def at(day: date, hour: int = 10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        given_name="Seren",
        family_name="Hughes",
        referral_date=MONDAY - timedelta(days=60),
        ecm_start_date=MONDAY - timedelta(days=50),
    )


def test_the_next_working_day_skips_the_weekend():
    assert reminders.next_working_day(FRIDAY) == MONDAY
    assert reminders.next_working_day(MONDAY) == MONDAY + timedelta(days=1)
    assert reminders.attendance_due_by(MONDAY) == MONDAY - timedelta(days=1)
    assert reminders.attendance_due_by(MONDAY + timedelta(days=1)) == MONDAY
    saturday = FRIDAY + timedelta(days=1)
    assert reminders.attendance_due_by(saturday) == FRIDAY - timedelta(days=1)


def test_friday_attendance_not_recorded_is_reminded_on_monday_not_the_weekend(
    practitioner, young_person
):
    factories.AppointmentFactory(
        young_person=young_person, starts_at=at(FRIDAY), attendance="", engagement=None, outcome=""
    )
    factories.AppointmentFactory(young_person=young_person, starts_at=at(FRIDAY, 14))
    reminders.run(today=FRIDAY + timedelta(days=1))
    assert not Notification.objects.filter(kind=NotificationKind.ATTENDANCE_MISSING).exists()

    reminders.run(today=MONDAY)

    notification = Notification.objects.get(kind=NotificationKind.ATTENDANCE_MISSING)
    assert notification.user == practitioner
    assert notification.message() == (
        "Record the attendance of the appointment with Seren Hughes on 27 November 2026"
    )


def test_running_twice_on_one_day_notifies_and_emails_once(practitioner, young_person):
    practitioner.email = "key.worker@example.org"
    practitioner.save()
    NotificationPreference.objects.create(user=practitioner, email=True)
    factories.AppointmentFactory(
        young_person=young_person, starts_at=at(FRIDAY), attendance="", engagement=None, outcome=""
    )
    first = reminders.run(today=MONDAY)
    second = reminders.run(today=MONDAY)
    assert sum(first["notifications"].values()) >= 1 and first["emails"] == 1
    assert second == {"notifications": {}, "emails": 0}
    assert len(mail.outbox) == 1


def test_an_email_gives_only_a_count_and_a_link_in_the_chosen_language(practitioner, young_person):
    practitioner.email = "key.worker@example.org"
    practitioner.save()
    NotificationPreference.objects.create(user=practitioner, email=True, language="cy")
    factories.AppointmentFactory(
        young_person=young_person, starts_at=at(FRIDAY), attendance="", engagement=None, outcome=""
    )
    reminders.run(today=MONDAY)
    (email,) = mail.outbox
    text = email.subject + email.body
    for identifying in ("Seren", "Hughes", young_person.reference, "2026"):
        assert identifying not in text
    assert reverse("work:notification-list") in email.body
    assert "atgoffa" in email.subject  # Welsh: "reminder"


def test_no_email_for_people_who_did_not_ask(practitioner, young_person):
    practitioner.email = "key.worker@example.org"
    practitioner.save()
    factories.AppointmentFactory(
        young_person=young_person, starts_at=at(FRIDAY), attendance="", engagement=None, outcome=""
    )
    reminders.run(today=MONDAY)
    assert Notification.objects.filter(user=practitioner).exists()
    assert mail.outbox == []


def test_tasks_due_tomorrow_and_overdue_go_to_whoever_was_given_them(
    practitioner, manager, young_person
):
    formulation = factories.FormulationFactory(
        meeting=factories.FormulationMeetingFactory(
            young_person=young_person, held_on=MONDAY - timedelta(days=30)
        )
    )
    factories.AgreedActionFactory(
        formulation=formulation,
        description="Call the school",
        owner="",
        assignee=practitioner,
        due_on=MONDAY + timedelta(days=1),
    )
    factories.AgreedActionFactory(
        formulation=formulation,
        description="Book the GP",
        owner="",
        assignee=manager,
        due_on=MONDAY - timedelta(days=2),
    )
    factories.AgreedActionFactory(
        formulation=formulation,
        description="Due next week",
        owner="",
        assignee=manager,
        due_on=MONDAY + timedelta(days=7),
    )
    reminders.run(today=MONDAY)
    due = Notification.objects.get(kind=NotificationKind.TASK_DUE)
    overdue = Notification.objects.get(kind=NotificationKind.TASK_OVERDUE)
    assert (due.user, due.message()) == (
        practitioner,
        "Due tomorrow: Call the school (Seren Hughes)",
    )
    assert (overdue.user, overdue.message()) == (
        manager,
        "Overdue since 28 November 2026: Book the GP (Seren Hughes)",
    )


def test_a_review_due_within_a_week_and_no_contact_in_14_days_tell_the_practitioner(
    practitioner, young_person
):
    FormulationSummary.objects.update_or_create(
        young_person=young_person, defaults={"next_review_on": timezone.localdate() + timedelta(5)}
    )
    reminders.run()
    kinds = set(Notification.objects.filter(user=practitioner).values_list("kind", flat=True))
    assert kinds == {NotificationKind.REVIEW_DUE, NotificationKind.NO_CONTACT}
    contact = Notification.objects.get(kind=NotificationKind.NO_CONTACT)
    assert contact.message() == "No contact with Seren Hughes since ECM started"


def test_notifications_read_in_the_readers_language(practitioner, young_person):
    notification = Notification.objects.create(
        user=practitioner,
        kind=NotificationKind.REVIEW_DUE,
        subject="review:1",
        young_person=young_person,
        on=MONDAY,
        url="/",
    )
    with translation.override("cy"):
        welsh = notification.message()
    assert "Seren Hughes" in welsh and "adolygiad" in welsh


def test_the_header_counts_unread_notifications_and_opening_one_marks_it_read(
    practitioner, young_person
):
    notification = Notification.objects.create(
        user=practitioner,
        kind=NotificationKind.NO_CONTACT,
        subject="contact:x",
        young_person=young_person,
        url=reverse("cases:youngperson-detail", args=[young_person.pk]),
    )
    client = client_for(practitioner)
    page = client.get(reverse("work:notification-list")).content.decode()
    assert '1<span class="govuk-visually-hidden"> unread</span>' in page
    assert "No contact with Seren Hughes since ECM started" in page

    response = client.post(reverse("work:notification-open", args=[notification.pk]))

    assert response["Location"] == notification.url
    notification.refresh_from_db()
    assert notification.read_at is not None
    page = client.get(reverse("work:notification-list")).content.decode()
    assert 'govuk-visually-hidden"> unread' not in page


def test_mark_all_as_read(practitioner, young_person):
    for number in range(3):
        Notification.objects.create(
            user=practitioner, kind=NotificationKind.NO_CONTACT, subject=f"s{number}", url="/"
        )
    client_for(practitioner).post(reverse("work:notification-read-all"))
    assert not Notification.objects.filter(user=practitioner, read_at__isnull=True).exists()


def test_email_cannot_be_turned_on_without_an_address_and_nothing_is_lost(practitioner):
    practitioner.email = ""
    practitioner.save()
    response = client_for(practitioner).post(
        reverse("work:notification-settings"), {"email": "on", "language": "cy"}
    )
    body = response.content.decode()
    assert "Your account has no email address" in body
    assert 'value="cy" selected' in body
    assert not NotificationPreference.objects.filter(user=practitioner, email=True).exists()


#: Queries of the notifications page, whatever the number of notifications (bench/run.py
#: BUDGETS uses it too).
NOTIFICATIONS_BUDGET = 10


@pytest.mark.parametrize("count", [1, 50])
def test_notification_list_query_count_does_not_grow(
    practitioner, young_person, count, django_assert_max_num_queries
):
    for number in range(count):
        Notification.objects.create(
            user=practitioner,
            kind=NotificationKind.NO_CONTACT,
            subject=f"s{number}",
            young_person=young_person,
            url="/",
        )
    client = client_for(practitioner)
    with django_assert_max_num_queries(NOTIFICATIONS_BUDGET):
        response = client.get(reverse("work:notification-list"))
    assert len(response.context["rows"]) == count


def test_a_missing_attendance_becomes_a_task_that_recording_it_closes(practitioner, young_person):
    appointment = factories.AppointmentFactory(
        young_person=young_person, starts_at=at(FRIDAY), attendance="", engagement=None, outcome=""
    )
    reminders.run(today=MONDAY)
    follow_up = FollowUp.objects.get(kind=FollowUpKind.RECORD_ATTENDANCE)
    assert (follow_up.assignee, follow_up.due_on) == (practitioner, MONDAY)
    tasks_page = client_for(practitioner).get(reverse("work:task-list")).content.decode()
    assert "Record the attendance and outcome of the appointment on 27 November 2026" in tasks_page
    assert "A reminder from the service" in tasks_page

    appointment.attendance = "attended"
    appointment.engagement = 4
    appointment.outcome = "Talked about school"
    appointment.save()

    follow_up.refresh_from_db()
    assert follow_up.done_on is not None and follow_up.done_by is None
    reminders.run(today=MONDAY + timedelta(days=1))
    assert not FollowUp.objects.filter(
        kind=FollowUpKind.RECORD_ATTENDANCE, done_on__isnull=True
    ).exists()


def test_a_no_contact_follow_up_closes_once_the_young_person_is_seen(practitioner, young_person):
    reminders.run()
    follow_up = FollowUp.objects.get(kind=FollowUpKind.MAKE_CONTACT)
    assert follow_up.description == "Make contact: no contact in 14 days"
    factories.AppointmentFactory(young_person=young_person, starts_at=timezone.now())
    reminders.run()
    follow_up.refresh_from_db()
    assert follow_up.done_on == timezone.localdate()


def test_an_attended_appointment_closes_the_make_contact_follow_up_at_once(
    practitioner, young_person
):
    reminders.run()
    follow_up = FollowUp.objects.get(kind=FollowUpKind.MAKE_CONTACT)
    factories.AppointmentFactory(
        young_person=young_person, starts_at=timezone.now(), attendance="", engagement=None
    )
    follow_up.refresh_from_db()
    assert follow_up.done_on is None  # booked, not yet seen
    factories.AppointmentFactory(young_person=young_person, starts_at=timezone.now())
    follow_up.refresh_from_db()
    assert follow_up.done_on == timezone.localdate()


def test_the_assignee_marks_a_follow_up_done_by_hand(practitioner, manager, young_person):
    reminders.run()
    follow_up = FollowUp.objects.get(kind=FollowUpKind.MAKE_CONTACT)
    url = reverse("work:follow-up-complete", args=[follow_up.pk])
    assert client_for(manager).post(url).status_code == 404
    response = client_for(practitioner).post(url)
    assert response["Location"] == reverse("work:task-list")
    follow_up.refresh_from_db()
    assert follow_up.done_by == practitioner
