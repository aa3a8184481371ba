"""Recording about a young person through the pages (cases/views/records.py)."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import AccessLogEntry
from cases.models import (
    Appointment,
    Breach,
    CaseEvent,
    Consent,
    CustodyEpisode,
    Need,
    Offence,
    Order,
    TRMAssessment,
)
from seed import factories
from tests.conftest import client_for

#: Queries per page, whatever the number of records the young person has: session, user,
#: roles, young person, access log, the form's choices, and the session's activity stamp (3).
FORM_PAGE_BUDGET = 9
#: The consent page also reads the current decisions and offers the reasons for refusing or
#: withdrawing (issue 15): one query more.
CONSENT_PAGE_BUDGET = 10
#: Pages about one record also read it and log it, and the archive page shows what the
#: record points at (a need's category, a TRM stage, a breached order); the appointment's
#: page also lists the purposes offered, the young person's plan items and the one linked.
EDIT_PAGE_BUDGET = 13
#: The appointment form also lists the purposes offered and the young person's plan items.
APPOINTMENT_FORM_PAGE_BUDGET = FORM_PAGE_BUDGET + 1
ARCHIVE_PAGE_BUDGET = 11


def url(name, young_person, **kwargs):
    return reverse(f"cases:{name}", kwargs={"pk": young_person.pk, **kwargs})


def record_url(young_person):
    return reverse("cases:youngperson-detail", kwargs={"pk": young_person.pk})


def archive_url(record, kind):
    return reverse(
        "cases:record-archive",
        kwargs={"pk": record.young_person_id, "kind": kind, "record_pk": record.pk},
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def iso(day) -> str:
    return day.isoformat()


def local_moment(day, hour=10) -> str:
    return f"{day.isoformat()}T{hour:02d}:00"


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(
        team=team_a,
        practitioner=practitioner,
        given_name="Rhys",
        family_name="Evans",
        referral_date=timezone.localdate() - timedelta(days=60),
    )


@pytest.fixture
def client(practitioner):
    """Signed in as the young person's practitioner (alice, team A)."""
    return client_for(practitioner)


# --- Needs --------------------------------------------------------------------------------------


def test_need_form_offers_active_categories_only(client, young_person):
    factories.need_category("bereavement")
    retired = factories.need_category("looked_after")
    retired.active = False
    retired.save()
    body = client.get(url("need-create", young_person)).content.decode()
    assert "Bereavement" in body
    assert "Looked after child" not in body


def test_recording_a_need_returns_to_the_record_and_says_what_was_recorded(
    client, young_person, practitioner
):
    category = factories.need_category("bereavement")
    response = client.post(
        url("need-create", young_person),
        {"category": category.pk, "recorded_on": iso(timezone.localdate()), "evidence": "Told us"},
    )
    assert response.status_code == 302
    assert response["Location"] == record_url(young_person)
    assert messages_of(response) == ["Need recorded: Bereavement"]
    need = Need.objects.get(young_person=young_person)
    assert (need.category, need.evidence, need.recorded_by) == (category, "Told us", practitioner)


def test_need_without_a_category_or_date_asks_for_them(client, young_person):
    response = client.post(url("need-create", young_person), {})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Select the need" in body
    assert "Enter the date the need was identified" in body
    assert not Need.objects.exists()


def test_need_accepts_a_date_typed_day_first(client, young_person):
    category = factories.need_category("neglect")
    day = timezone.localdate() - timedelta(days=3)
    client.post(
        url("need-create", young_person),
        {"category": category.pk, "recorded_on": day.strftime("%d/%m/%Y")},
    )
    assert Need.objects.get().recorded_on == day


# --- Offences -----------------------------------------------------------------------------------


def offence_data(**overrides):
    data = {
        "committed_on": iso(timezone.localdate() - timedelta(days=70)),
        "description": "Theft of a bicycle",
        "gravity": "3",
        "proven_on": "",
    }
    return data | overrides


def test_recording_an_offence_saves_it(client, young_person):
    response = client.post(url("offence-create", young_person), offence_data())
    assert messages_of(response) == ["Offence recorded"]
    offence = Offence.objects.get(young_person=young_person)
    assert (offence.description, offence.gravity, offence.proven_on) == (
        "Theft of a bicycle",
        3,
        None,
    )


@pytest.mark.parametrize("gravity", ["0", "9", "abc", "2.5"])
def test_gravity_that_is_not_1_to_8_is_explained_beside_the_field(client, young_person, gravity):
    response = client.post(url("offence-create", young_person), offence_data(gravity=gravity))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_gravity-error"' in body
    assert "Gravity score must be a whole number from 1 to 8" in body
    assert not Offence.objects.exists()


def test_offence_proven_before_it_was_committed_is_explained(client, young_person):
    committed = timezone.localdate() - timedelta(days=70)
    response = client.post(
        url("offence-create", young_person),
        offence_data(committed_on=iso(committed), proven_on=iso(committed - timedelta(days=1))),
    )
    assert "Date proven cannot be before the date committed" in response.content.decode()


def test_offence_with_an_impossible_date_says_it_must_be_real(client, young_person):
    response = client.post(
        url("offence-create", young_person), offence_data(committed_on="31/02/2025")
    )
    assert "Date committed must be a real date" in response.content.decode()


# --- Orders, breaches and custody ---------------------------------------------------------------


def test_recording_an_order_names_it_in_the_message(client, young_person):
    start = timezone.localdate() - timedelta(days=30)
    response = client.post(
        url("order-create", young_person),
        {"order_type": "referral_order", "start_date": iso(start), "end_date": ""},
    )
    assert messages_of(response) == [
        f"Order recorded: Referral order from {date_format(start, 'j F Y')}"
    ]
    assert Order.objects.get().end_date is None


def test_order_ending_before_it_starts_is_explained(client, young_person):
    start = timezone.localdate() - timedelta(days=30)
    response = client.post(
        url("order-create", young_person),
        {
            "order_type": "referral_order",
            "start_date": iso(start),
            "end_date": iso(start - timedelta(days=1)),
        },
    )
    assert "End date must be the same as or after the start date" in response.content.decode()
    assert not Order.objects.exists()


def test_breach_form_lists_only_this_young_persons_orders(client, young_person, team_a):
    factories.OrderFactory(young_person=young_person, order_type="reparation_order")
    factories.OrderFactory(
        young_person=factories.YoungPersonFactory(team=team_a), order_type="youth_caution"
    )
    body = client.get(url("breach-create", young_person)).content.decode()
    assert "Reparation order from" in body
    assert "Youth caution" not in body


def test_recording_a_breach_of_an_order(client, young_person):
    order = factories.OrderFactory(young_person=young_person)
    response = client.post(
        url("breach-create", young_person),
        {
            "breach_date": iso(timezone.localdate()),
            "order": order.pk,
            "note": "Missed three sessions",
        },
    )
    assert messages_of(response) == ["Breach recorded"]
    assert Breach.objects.get().order == order


def test_breach_of_another_young_persons_order_is_refused(client, young_person, team_a):
    elsewhere = factories.OrderFactory(young_person=factories.YoungPersonFactory(team=team_a))
    response = client.post(
        url("breach-create", young_person),
        {"breach_date": iso(timezone.localdate()), "order": elsewhere.pk},
    )
    assert "Choose one of this young person&#x27;s orders" in response.content.decode()
    assert not Breach.objects.exists()


def test_recording_custody(client, young_person):
    start = timezone.localdate() - timedelta(days=20)
    response = client.post(
        url("custody-create", young_person),
        {"start_date": iso(start), "end_date": iso(start + timedelta(days=7))},
    )
    assert messages_of(response) == ["Custody episode recorded"]
    assert CustodyEpisode.objects.get().end_date == start + timedelta(days=7)


def test_custody_ending_before_it_starts_is_explained(client, young_person):
    start = timezone.localdate() - timedelta(days=20)
    response = client.post(
        url("custody-create", young_person),
        {"start_date": iso(start), "end_date": iso(start - timedelta(days=1))},
    )
    assert "End date must be the same as or after the start date" in response.content.decode()


# --- Consent ------------------------------------------------------------------------------------


def consent_data(young_person, **overrides):
    """The one-page consent form: the young person gives consent to take part; the other
    three questions are left at "No new decision"."""
    data = {
        "young_person_participation": "given",
        "young_person_evaluation": "unchanged",
        "parent_carer_participation": "unchanged",
        "parent_carer_evaluation": "unchanged",
        "decided_on": iso(young_person.referral_date),
        "note": "",
    }
    return data | overrides


def test_consent_page_explains_consent_is_not_the_lawful_basis(client, young_person):
    body = client.get(url("consent-create", young_person)).content.decode()
    assert "ethical agreement to take part" in body
    assert "public task" in body


def test_consent_page_asks_both_people_about_both_purposes(client, young_person):
    body = client.get(url("consent-create", young_person)).content.decode()
    for question in (
        "Young person – Taking part in ECM",
        "Young person – Use of information in the evaluation",
        "Parent or carer – Taking part in ECM",
        "Parent or carer – Use of information in the evaluation",
    ):
        assert question in body
    assert body.count('value="unchanged" checked') == 4


def test_consent_page_shows_each_current_decision(client, young_person):
    factories.ConsentFactory(
        young_person=young_person,
        party="parent_carer",
        purpose="evaluation",
        decision="refused",
        decided_on=young_person.referral_date,
    )
    body = client.get(url("consent-create", young_person)).content.decode()
    refused = date_format(young_person.referral_date, "j F Y")
    assert f"Current decision: Refused on {refused}." in body
    assert body.count("No decision recorded yet.") == 3


def test_consent_page_says_when_the_parents_consent_is_not_required(client, young_person):
    young_person.parent_consent_required = False
    young_person.save()
    body = client.get(url("consent-create", young_person)).content.decode()
    assert body.count("Their consent is not required for this young person.") == 2


def test_consent_page_asks_its_questions_in_welsh(client, young_person):
    client.cookies["django_language"] = "cy"
    body = client.get(url("consent-create", young_person)).content.decode()
    assert "Person ifanc – Cymryd rhan yn ECM" in body
    assert "Dim penderfyniad newydd" in body
    assert "Dim penderfyniad wedi'i gofnodi eto." in body
    assert "No new decision" not in body


def test_recording_consent_says_whose_and_what_for(client, young_person):
    response = client.post(url("consent-create", young_person), consent_data(young_person))
    assert messages_of(response) == ["Consent recorded: Young person – Taking part in ECM – Given"]
    assert Consent.objects.get().decision == "given"


def test_both_peoples_decisions_for_both_purposes_are_recorded_at_once(client, young_person):
    response = client.post(
        url("consent-create", young_person),
        consent_data(
            young_person,
            young_person_evaluation="refused",
            parent_carer_participation="given",
            parent_carer_evaluation="given",
            reason=str(factories.disengagement_reason("no_point").pk),
            own_words="I don't want my story in a report",
        ),
    )
    assert response.status_code == 302
    recorded = set(Consent.objects.values_list("party", "purpose", "decision"))
    assert recorded == {
        ("young_person", "participation", "given"),
        ("young_person", "evaluation", "refused"),
        ("parent_carer", "participation", "given"),
        ("parent_carer", "evaluation", "given"),
    }
    assert messages_of(response) == [
        "Consent recorded: Young person – Taking part in ECM – Given; "
        "Young person – Use of information in the evaluation – Refused; "
        "Parent or carer – Taking part in ECM – Given; "
        "Parent or carer – Use of information in the evaluation – Given"
    ]


def test_consent_with_no_decision_chosen_asks_for_one(client, young_person):
    response = client.post(
        url("consent-create", young_person),
        consent_data(young_person, young_person_participation="unchanged", note="Met at home"),
    )
    body = response.content.decode()
    assert "Select at least one decision to record, for either person" in body
    assert 'href="#id_young_person_participation"' in body
    assert "Met at home</textarea>" in body
    assert not Consent.objects.exists()


def test_consent_dated_before_the_referral_is_explained(client, young_person):
    day_before = young_person.referral_date - timedelta(days=1)
    response = client.post(
        url("consent-create", young_person), consent_data(young_person, decided_on=iso(day_before))
    )
    assert "Consent cannot be dated before the referral" in response.content.decode()
    assert not Consent.objects.exists()


def test_refusing_consent_records_the_reason_and_the_young_persons_words(client, young_person):
    reason = factories.disengagement_reason("too_many_appointments")
    client.post(
        url("consent-create", young_person),
        consent_data(
            young_person,
            young_person_participation="refused",
            reason=str(reason.pk),
            own_words="It's every week and I've got college",
        ),
    )
    consent = Consent.objects.get()
    assert (consent.decision, consent.reason, consent.own_words) == (
        "refused",
        reason,
        "It's every week and I've got college",
    )
    record = client.get(record_url(young_person)).content.decode()
    assert (
        "Reason: Too many appointments. "
        "In their words: “It&#x27;s every week and I&#x27;ve got college”" in record
    )


def test_refusing_consent_without_a_reason_asks_for_one(client, young_person):
    response = client.post(
        url("consent-create", young_person),
        consent_data(young_person, young_person_participation="refused"),
    )
    body = response.content.decode()
    assert 'id="id_reason-error"' in body
    assert "Select the reason given for refusing or withdrawing consent" in body
    assert not Consent.objects.exists()


def test_a_reason_with_consent_given_is_refused(client, young_person):
    response = client.post(
        url("consent-create", young_person),
        consent_data(young_person, reason=str(factories.disengagement_reason("other").pk)),
    )
    assert (
        "A reason and the young person&#x27;s words are recorded only when consent is refused "
        "or withdrawn" in response.content.decode()
    )
    assert not Consent.objects.exists()


def test_the_reasons_read_in_welsh_on_the_record(client, young_person):
    reason = factories.disengagement_reason("family_opposed")
    factories.ConsentFactory(
        young_person=young_person,
        party="young_person",
        purpose="participation",
        decision="refused",
        reason=reason,
    )
    client.cookies["django_language"] = "cy"
    record = client.get(record_url(young_person), HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert "Rheswm: Y teulu yn gwrthwynebu" in record


def test_withdrawing_consent_without_a_note_asks_for_one(client, young_person):
    response = client.post(
        url("consent-create", young_person),
        consent_data(young_person, parent_carer_evaluation="withdrawn"),
    )
    body = response.content.decode()
    assert 'id="id_note-error"' in body
    assert "Record what the young person or family said when withdrawing consent" in body
    assert 'value="withdrawn" checked' in body
    assert not Consent.objects.exists()


def test_recording_consent_returns_to_the_page_that_asked(client, young_person):
    start = reverse("eligibility:start", kwargs={"pk": young_person.pk})
    address = f"{url('consent-create', young_person)}?next={start}"
    page = client.get(address).content.decode()
    response = client.post(address, consent_data(young_person))
    assert f'href="{start}"' in page
    assert response.status_code == 302
    assert response["Location"] == start


@pytest.mark.parametrize(
    "elsewhere",
    ["https://evil.example/", "//evil.example/start/", "/\\evil.example/", "javascript:alert(1)"],
)
def test_recording_consent_never_returns_to_another_site(client, young_person, elsewhere):
    address = f"{url('consent-create', young_person)}?{urlencode({'next': elsewhere})}"
    page = client.get(address).content.decode()
    response = client.post(address, consent_data(young_person))
    assert not re.search(r'href="[^"]*evil\.example', page)
    assert f'href="{record_url(young_person)}"' in page
    assert response["Location"] == record_url(young_person)


def test_parent_requirement_is_preset_from_the_record(client, young_person):
    body = client.get(url("consent-parent-requirement", young_person)).content.decode()
    assert 'value="yes" checked' in body
    assert 'value="no" checked' not in body


def test_changing_the_parent_requirement_records_the_reason(client, young_person):
    response = client.post(
        url("consent-parent-requirement", young_person),
        {"required": "no", "reason": "Lives independently"},
    )
    young_person.refresh_from_db()
    assert messages_of(response) == ["Parent or carer consent is now not required"]
    assert young_person.parent_consent_required is False
    assert young_person.parent_consent_reason == "Lives independently"
    assert CaseEvent.objects.filter(action="consent.parent_requirement_changed").exists()


def test_changing_the_parent_requirement_needs_a_reason(client, young_person):
    response = client.post(url("consent-parent-requirement", young_person), {"required": "no"})
    young_person.refresh_from_db()
    assert "Explain why the requirement is changing" in response.content.decode()
    assert young_person.parent_consent_required is True


# --- TRM ----------------------------------------------------------------------------------------


def test_trm_form_shows_each_stage_with_its_underlying_need(client, young_person):
    stage = factories.trm_stage(2)
    body = client.get(url("trmassessment-create", young_person)).content.decode()
    assert str(stage) in body
    assert stage.underlying_need in body
    assert "govuk-radios__hint" in body


def test_a_psychologist_records_a_trm_assessment(psychologist, young_person):
    stage = factories.trm_stage(3)
    response = client_for(psychologist).post(
        url("trmassessment-create", young_person),
        {
            "stage": stage.pk,
            "assessed_on": iso(timezone.localdate()),
            "rationale": "Naming feelings now",
        },
    )
    assert messages_of(response) == [f"TRM stage recorded: {stage}"]
    assert TRMAssessment.objects.get().recorded_by == psychologist


def test_trm_assessment_without_a_rationale_asks_for_one(client, young_person):
    response = client.post(
        url("trmassessment-create", young_person),
        {"stage": factories.trm_stage(1).pk, "assessed_on": iso(timezone.localdate())},
    )
    assert "Explain why the young person is at this stage" in response.content.decode()


# --- Appointments -------------------------------------------------------------------------------


#: Every question of the appointment form (for the fuzz tests).
APPOINTMENT_FIELDS = (
    "starts_at",
    "kind",
    "duration_minutes",
    "purpose_category",
    "purpose",
    "attendance",
    "engagement",
    "outcome_code",
    "outcome",
)


def appointment_data(**overrides):
    data = {
        "starts_at": local_moment(timezone.localdate() - timedelta(days=3)),
        "kind": "home_visit",
        "duration_minutes": "60",
        "purpose_category": str(factories.appointment_purpose("review").pk),
        "purpose": "Check in after court",
        "attendance": "attended",
        "engagement": "4",
        "outcome_code": "achieved",
        "outcome": "Talked about school",
    }
    return data | overrides


def test_logging_an_appointment_names_its_day_in_the_message(client, young_person):
    day = timezone.localdate() - timedelta(days=3)
    response = client.post(url("appointment-create", young_person), appointment_data())
    assert response.status_code == 302
    assert messages_of(response) == [f"Appointment on {date_format(day, 'j F Y')} saved"]
    appointment = Appointment.objects.get()
    assert (appointment.kind, appointment.engagement) == ("home_visit", 4)


def test_planning_an_appointment_that_has_not_happened_yet(client, young_person):
    client.post(
        url("appointment-create", young_person),
        appointment_data(
            starts_at=local_moment(timezone.localdate() + timedelta(days=5)),
            attendance="not_happened_yet",
            engagement="not_rated",
            outcome_code="",
            outcome="",
        ),
    )
    assert Appointment.objects.get().attendance == ""


def test_engagement_offers_not_rated_and_starts_there(client, young_person):
    body = client.get(url("appointment-create", young_person)).content.decode()
    assert "Not rated" in body
    assert 'value="not_rated" checked' in body


def test_an_attended_appointment_may_be_saved_not_rated(client, young_person):
    response = client.post(
        url("appointment-create", young_person), appointment_data(engagement="not_rated")
    )
    assert response.status_code == 302
    assert Appointment.objects.get().engagement is None


def test_an_attended_appointment_needs_an_outcome_beside_the_outcome(client, young_person):
    response = client.post(
        url("appointment-create", young_person),
        appointment_data(outcome_code="", purpose="Check in after court"),
    )
    body = response.content.decode()
    error = body.split('id="id_outcome_code-error"', 1)[1].split("</p>", 1)[0]
    assert "Select the outcome: achieved, partly achieved, not achieved or not applicable" in error
    assert 'value="Check in after court"' in body
    assert not Appointment.objects.exists()


def test_an_outcome_for_an_appointment_not_yet_started_is_refused(client, young_person):
    response = client.post(
        url("appointment-create", young_person),
        appointment_data(
            starts_at=local_moment(timezone.localdate() + timedelta(days=5)),
            attendance="not_happened_yet",
            engagement="not_rated",
            outcome_code="",
            outcome="Went well",
        ),
    )
    body = response.content.decode()
    assert "The outcome can only be recorded once the appointment has started" in body
    assert "Went well</textarea>" in body
    assert not Appointment.objects.exists()


def test_appointment_without_a_purpose_is_refused(client, young_person):
    response = client.post(
        url("appointment-create", young_person), appointment_data(purpose_category="")
    )
    assert "Select the purpose of the appointment" in response.content.decode()
    assert not Appointment.objects.exists()


def test_engagement_is_cleared_when_the_young_person_did_not_attend(client, young_person):
    response = client.post(
        url("appointment-create", young_person),
        appointment_data(
            attendance="did_not_attend",
            engagement="3",
            outcome_code="not_applicable",
            outcome="Texted mum",
        ),
    )
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert (appointment.attendance, appointment.engagement, appointment.outcome) == (
        "did_not_attend",
        None,
        "Texted mum",
    )


def test_appointment_before_birth_is_explained(client, young_person):
    before_birth = young_person.date_of_birth - timedelta(days=1)
    response = client.post(
        url("appointment-create", young_person),
        appointment_data(starts_at=local_moment(before_birth)),
    )
    assert "before the young person&#x27;s date of birth" in response.content.decode()


@pytest.fixture
def appointment(young_person, practitioner):
    starts_at = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=2), time(14, 30))
    )
    return factories.AppointmentFactory(
        young_person=young_person,
        practitioner=practitioner,
        starts_at=starts_at,
        attendance="",
        engagement=None,
        outcome="",
    )


def edit_data(appointment, **overrides):
    data = {
        "starts_at": timezone.localtime(appointment.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "kind": appointment.kind,
        "duration_minutes": str(appointment.duration_minutes or ""),
        "purpose_category": str(appointment.purpose_category_id),
        "purpose": appointment.purpose,
        "attendance": appointment.attendance or "not_happened_yet",
        "engagement": "" if appointment.engagement is None else str(appointment.engagement),
        "outcome_code": appointment.outcome_code,
        "outcome": appointment.outcome,
        "version": str(appointment.version),
    }
    data |= overrides
    if data["attendance"] == "attended" and not data["outcome_code"]:
        data["outcome_code"] = "achieved"  # an attended appointment needs its outcome coded
    return data


def test_appointment_edit_form_shows_the_saved_values(client, appointment):
    body = client.get(
        url("appointment-edit", appointment.young_person, appointment_pk=appointment.pk)
    ).content.decode()
    starts_at = timezone.localtime(appointment.starts_at).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{starts_at}"' in body
    assert 'value="not_happened_yet" checked' in body
    assert 'name="version" value="1"' in body


def test_completing_an_appointment_records_attendance_and_a_new_version(client, appointment):
    response = client.post(
        url("appointment-edit", appointment.young_person, appointment_pk=appointment.pk),
        edit_data(appointment, attendance="attended", engagement="5", outcome="Good session"),
    )
    appointment.refresh_from_db()
    day = date_format(timezone.localtime(appointment.starts_at), "j F Y")
    assert messages_of(response) == [f"Appointment on {day} updated"]
    assert (appointment.attendance, appointment.engagement, appointment.version) == (
        "attended",
        5,
        2,
    )


def test_changing_attendance_away_from_attended_clears_the_rating(client, appointment):
    appointment.attendance, appointment.engagement = "attended", 4
    appointment.outcome = "Good session"
    appointment.save()
    client.post(
        url("appointment-edit", appointment.young_person, appointment_pk=appointment.pk),
        edit_data(appointment, attendance="cancelled_by_young_person"),
    )
    appointment.refresh_from_db()
    assert (appointment.attendance, appointment.engagement) == ("cancelled_by_young_person", None)


@pytest.fixture
def planned(young_person, practitioner):
    return factories.AppointmentFactory(
        young_person=young_person,
        practitioner=practitioner,
        starts_at=timezone.now() + timedelta(days=2),
        purpose="Plan the week",
        attendance="",
        engagement=None,
        outcome="",
    )


def test_an_appointment_not_yet_started_offers_only_its_plan(client, planned):
    body = client.get(
        url("appointment-edit", planned.young_person, appointment_pk=planned.pk)
    ).content.decode()
    assert (
        "Attendance, engagement and the outcome can be recorded once the appointment has started"
        in body
    )
    assert 'name="purpose"' in body
    assert 'name="attendance"' not in body
    assert 'name="outcome"' not in body


def test_changing_the_plan_of_an_appointment_not_yet_started(client, planned):
    response = client.post(
        url("appointment-edit", planned.young_person, appointment_pk=planned.pk),
        {
            key: value
            for key, value in edit_data(planned, purpose="Meet at college").items()
            if key not in ("attendance", "engagement", "outcome_code", "outcome")
        },
    )
    planned.refresh_from_db()
    assert response.status_code == 302
    assert (planned.purpose, planned.version) == ("Meet at college", 2)


def test_posting_an_outcome_before_the_appointment_starts_is_refused(client, planned):
    response = client.post(
        url("appointment-edit", planned.young_person, appointment_pk=planned.pk),
        edit_data(planned, attendance="attended", engagement="4", outcome="Went well"),
    )
    planned.refresh_from_db()
    assert response.status_code == 200
    assert (
        "This appointment has not started yet: record attendance and the outcome once it has"
        in response.content.decode()
    )
    assert (planned.attendance, planned.outcome, planned.version) == ("", "", 1)


def test_second_editor_from_the_same_version_gets_a_conflict_page(
    practitioner, manager, appointment
):
    edit = url("appointment-edit", appointment.young_person, appointment_pk=appointment.pk)
    first = client_for(practitioner).post(
        edit, edit_data(appointment, attendance="attended", outcome="Alice's account")
    )
    second = client_for(manager).post(
        edit, edit_data(appointment, attendance="did_not_attend", outcome="Mona's account")
    )
    appointment.refresh_from_db()
    body = second.content.decode()
    assert first.status_code == 302
    assert second.status_code == 409
    assert (appointment.outcome, appointment.attendance) == ("Alice's account", "attended")
    assert "Mona&#x27;s account</textarea>" in body
    assert 'name="version" value="2"' in body


def test_conflict_page_lists_only_the_fields_that_differ(practitioner, manager, appointment):
    edit = url("appointment-edit", appointment.young_person, appointment_pk=appointment.pk)
    client_for(practitioner).post(edit, edit_data(appointment, outcome="Alice's account"))
    second = client_for(manager).post(edit, edit_data(appointment, outcome="Mona's account"))
    table = second.content.decode().split('id="conflict-comparison"', 1)[1].split("</table>")[0]
    assert "Outcome" in table
    assert "Alice&#x27;s account" in table
    assert "Purpose" not in table
    assert "Date and time" not in table


def test_saving_the_conflict_page_again_overwrites_deliberately(practitioner, manager, appointment):
    edit = url("appointment-edit", appointment.young_person, appointment_pk=appointment.pk)
    client_for(practitioner).post(edit, edit_data(appointment, outcome="Alice's account"))
    client_for(manager).post(edit, edit_data(appointment, outcome="Mona's account"))
    again = client_for(manager).post(
        edit, edit_data(appointment, outcome="Mona's account", version="2")
    )
    appointment.refresh_from_db()
    assert again.status_code == 302
    assert appointment.outcome == "Mona's account"


def test_editing_another_young_persons_appointment_is_not_found(client, young_person, team_a):
    elsewhere = factories.AppointmentFactory(young_person=factories.YoungPersonFactory(team=team_a))
    response = client.get(url("appointment-edit", young_person, appointment_pk=elsewhere.pk))
    assert response.status_code == 404


# --- Archive ------------------------------------------------------------------------------------

RECORD_FACTORIES = {
    "need": factories.NeedFactory,
    "offence": factories.OffenceFactory,
    "order": factories.OrderFactory,
    "breach": factories.BreachFactory,
    "custody": factories.CustodyEpisodeFactory,
    "consent": factories.ConsentFactory,
    "trmassessment": factories.TRMAssessmentFactory,
    "appointment": factories.AppointmentFactory,
}


@pytest.mark.parametrize("kind", RECORD_FACTORIES)
def test_archiving_a_record_keeps_it_with_the_reason(client, young_person, kind, practitioner):
    record = RECORD_FACTORIES[kind](young_person=young_person)
    assert client.get(archive_url(record, kind)).status_code == 200
    response = client.post(archive_url(record, kind), {"reason": "Entered twice"})
    record.refresh_from_db()
    assert response["Location"] == record_url(young_person)
    assert messages_of(response) == [
        f"{record._meta.verbose_name[0].upper()}{record._meta.verbose_name[1:]} archived"
    ]
    assert (record.archived_reason, record.archived_by) == ("Entered twice", practitioner)


def test_archive_page_shows_what_is_being_archived(client, young_person):
    offence = factories.OffenceFactory(young_person=young_person, description="Shoplifting")
    body = client.get(archive_url(offence, "offence")).content.decode()
    assert "Archive this offence" in body
    assert "Shoplifting" in body


def test_archiving_without_a_reason_is_refused(client, young_person):
    offence = factories.OffenceFactory(young_person=young_person)
    response = client.post(archive_url(offence, "offence"), {"reason": ""})
    offence.refresh_from_db()
    assert "Give a reason for archiving" in response.content.decode()
    assert offence.archived_at is None


def test_an_archived_record_says_when_it_was_archived(client, young_person, practitioner):
    offence = factories.OffenceFactory(
        young_person=young_person,
        archived_at=timezone.now(),
        archived_by=practitioner,
        archived_reason="Duplicate",
    )
    body = client.get(archive_url(offence, "offence")).content.decode()
    assert "This record was archived on" in body
    assert 'name="reason"' not in body


def test_archiving_an_unknown_kind_is_not_found(client, young_person):
    offence = factories.OffenceFactory(young_person=young_person)
    assert client.get(archive_url(offence, "eligibilitydecision")).status_code == 404


def test_archiving_a_record_under_the_wrong_kind_is_not_found(client, young_person):
    offence = factories.OffenceFactory(young_person=young_person)
    assert client.post(archive_url(offence, "need"), {"reason": "x"}).status_code == 404


def test_archiving_another_young_persons_record_is_not_found(client, young_person, team_a):
    other = factories.OffenceFactory(young_person=factories.YoungPersonFactory(team=team_a))
    response = client.post(
        url("record-archive", young_person, kind="offence", record_pk=other.pk),
        {"reason": "Not mine"},
    )
    other.refresh_from_db()
    assert response.status_code == 404
    assert other.archived_at is None


# --- Who may record -----------------------------------------------------------------------------


def test_a_psychologist_may_not_record_an_offence(psychologist, young_person):
    response = client_for(psychologist).post(url("offence-create", young_person), offence_data())
    assert response.status_code == 403
    assert not Offence.objects.exists()


def test_a_psychologists_refusal_is_logged(psychologist, young_person):
    client_for(psychologist).get(url("need-create", young_person))
    entry = AccessLogEntry.objects.get(allowed=False)
    assert (entry.user, entry.object_id) == (psychologist, str(young_person.pk))


def test_recording_for_another_team_is_not_found_and_logged(other_practitioner, young_person):
    response = client_for(other_practitioner).post(
        url("offence-create", young_person), offence_data()
    )
    assert response.status_code == 404
    assert not Offence.objects.exists()
    assert AccessLogEntry.objects.filter(user=other_practitioner, allowed=False).exists()


def test_nothing_is_added_to_an_archived_case(client, young_person, practitioner):
    young_person.archived_at = timezone.now()
    young_person.archived_by = practitioner
    young_person.save()
    response = client.post(url("offence-create", young_person), offence_data())
    assert response["Location"] == record_url(young_person)
    assert messages_of(response) == ["This record is archived and can no longer be changed."]
    assert not Offence.objects.exists()


def test_other_methods_than_get_and_post_are_refused(client, young_person):
    assert client.delete(url("offence-create", young_person)).status_code == 405


def test_opening_a_form_logs_the_view_of_the_case(client, young_person, practitioner):
    client.get(url("consent-create", young_person))
    assert AccessLogEntry.objects.filter(
        user=practitioner, object_id=str(young_person.pk), allowed=True
    ).exists()


# --- Query budgets ------------------------------------------------------------------------------


def young_person_with_records(young_person, count):
    for factory in RECORD_FACTORIES.values():
        factory.create_batch(count, young_person=young_person)
    return young_person


FORM_PAGES = [
    "need-create",
    "offence-create",
    "order-create",
    "breach-create",
    "custody-create",
    "consent-create",
    "consent-parent-requirement",
    "trmassessment-create",
    "appointment-create",
]


@pytest.mark.parametrize("count", [1, 50])
@pytest.mark.parametrize("name", FORM_PAGES)
def test_form_page_query_budget(client, young_person, django_assert_max_num_queries, name, count):
    young_person_with_records(young_person, count)
    budget = {
        "consent-create": CONSENT_PAGE_BUDGET,
        "appointment-create": APPOINTMENT_FORM_PAGE_BUDGET,
    }.get(name, FORM_PAGE_BUDGET)
    with django_assert_max_num_queries(budget):
        response = client.get(url(name, young_person))
    assert response.status_code == 200


@pytest.mark.parametrize("name", FORM_PAGES)
def test_an_optional_box_says_so_once(client, young_person, name):
    # The form layout adds "(optional)" to every box that is not required.
    page = client.get(url(name, young_person)).content.decode()
    assert "(optional) (optional)" not in page


def test_the_appointment_form_marks_its_optional_boxes(client, young_person):
    page = client.get(url("appointment-create", young_person)).content.decode()
    for label in ("Purpose detail", "Outcome note"):
        assert f"{label} (optional)" in page


@pytest.mark.parametrize("count", [1, 50])
def test_appointment_edit_page_query_budget(
    client, young_person, django_assert_max_num_queries, count
):
    young_person_with_records(young_person, count)
    appointment = Appointment.objects.filter(young_person=young_person).first()
    with django_assert_max_num_queries(EDIT_PAGE_BUDGET):
        response = client.get(url("appointment-edit", young_person, appointment_pk=appointment.pk))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 50])
@pytest.mark.parametrize("kind", RECORD_FACTORIES)
def test_archive_page_query_budget(
    client, young_person, django_assert_max_num_queries, kind, count
):
    young_person_with_records(young_person, count)
    record = RECORD_FACTORIES[kind]._meta.model.objects.filter(young_person=young_person).first()
    with django_assert_max_num_queries(ARCHIVE_PAGE_BUDGET):
        response = client.get(archive_url(record, kind))
    assert response.status_code == 200


# --- Any input at all ---------------------------------------------------------------------------

#: Arbitrary text, and now and then something plausible so that the services see it too.
ANY_TEXT = st.one_of(
    st.text(max_size=600),
    st.sampled_from(
        [
            "",
            "0",
            "1",
            "8",
            "5",
            "-1",
            "9" * 5000,
            "2025-02-29",
            "0001-01-01",
            "9999-12-31",
            "9999-12-31T23:59",
            "0001-01-01T00:00",
            "2026-03-29T01:30",
            "29/02/2024",
            "attended",
            "not_happened_yet",
            "phone",
        ]
    ),
)

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(st.fixed_dictionaries(dict.fromkeys(offence_data(), ANY_TEXT)))
def test_any_text_in_the_offence_form_never_breaks_the_page(client, young_person, data):
    response = client.post(url("offence-create", young_person), data)
    assert response.status_code in (200, 302)


@FUZZ
@given(st.fixed_dictionaries(dict.fromkeys(APPOINTMENT_FIELDS, ANY_TEXT)))
def test_any_text_in_the_appointment_form_never_breaks_the_page(client, young_person, data):
    response = client.post(url("appointment-create", young_person), data)
    assert response.status_code in (200, 302)


@FUZZ
@given(st.fixed_dictionaries(dict.fromkeys([*APPOINTMENT_FIELDS, "version"], ANY_TEXT)))
def test_any_text_in_the_appointment_edit_form_never_breaks_the_page(client, appointment, data):
    edit = url("appointment-edit", appointment.young_person, appointment_pk=appointment.pk)
    response = client.post(edit, data)
    assert response.status_code in (200, 302, 409)
