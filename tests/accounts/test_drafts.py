"""Never lose typed text: drafts of long forms, the idle sign-out warning and keep-alive."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import LAST_ACTIVITY_KEY
from accounts.models import Draft
from cases.models import Appointment
from seed import factories
from tests.conftest import client_for

IDLE = 30 * 60
OUTCOME = "Talked about college; he wants to try the bricklaying course."


@pytest.fixture
def young_person(team_a, practitioner):
    return factories.YoungPersonFactory(team=team_a, practitioner=practitioner)


@pytest.fixture
def form_url(young_person):
    return reverse("cases:appointment-create", kwargs={"pk": young_person.pk})


def appointment_fields(**overrides) -> dict:
    fields = {
        "starts_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "kind": "one_to_one",
        "purpose_category": str(factories.appointment_purpose("review").pk),
        "purpose": "Weekly catch-up",
        "attendance": "attended",
        "engagement": "4",
        "outcome_code": "achieved",
        "outcome": OUTCOME,
    }
    return {**fields, **overrides}


def keep_draft(client, key, **fields):
    return client.post(reverse("accounts:draft-save"), {"ecm_draft_key": key, **fields})


def sign_in(client, user):
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302, "sign-in failed"


# --- Drafts kept while typing ---------------------------------------------------------------


def test_a_kept_draft_fills_the_form_in_when_it_is_opened_again(practitioner, form_url):
    client = client_for(practitioner)
    response = keep_draft(client, form_url, outcome=OUTCOME, purpose="Weekly catch-up")
    assert response.status_code == 200
    assert response.json()["seconds_left"] == IDLE

    page = client.get(form_url).content.decode()
    assert OUTCOME in page
    assert 'value="Weekly catch-up"' in page
    assert "We kept what you typed on" in page
    assert "Discard this draft" in page
    # Shown as typed, not as submitted: no error messages about missing fields.
    assert "There is a problem" not in page
    assert "csrfmiddlewaretoken" not in Draft.objects.get().data


def test_a_draft_is_shown_only_to_its_author(practitioner, manager, form_url):
    keep_draft(client_for(practitioner), form_url, outcome=OUTCOME)
    page = client_for(manager).get(form_url).content.decode()
    assert OUTCOME not in page
    assert "We kept what you typed" not in page


def test_the_same_user_and_page_keep_one_draft(practitioner, form_url):
    client = client_for(practitioner)
    keep_draft(client, form_url, outcome="First go")
    keep_draft(client, form_url, outcome="Second go")
    assert [draft.data["outcome"] for draft in Draft.objects.all()] == [["Second go"]]


def test_saving_the_form_deletes_the_draft(practitioner, young_person, form_url):
    client = client_for(practitioner)
    keep_draft(client, form_url, outcome=OUTCOME)
    response = client.post(form_url, appointment_fields())
    assert response.status_code == 302
    assert Appointment.objects.get(young_person=young_person).outcome == OUTCOME
    assert not Draft.objects.exists()


def test_a_form_with_errors_keeps_the_draft(practitioner, form_url):
    client = client_for(practitioner)
    keep_draft(client, form_url, outcome=OUTCOME)
    response = client.post(form_url, appointment_fields(purpose_category=""))
    assert "Select the purpose of the appointment" in response.content.decode()
    assert Draft.objects.exists()


def test_discarding_the_draft_deletes_it_and_shows_the_form_as_before(practitioner, form_url):
    client = client_for(practitioner)
    keep_draft(client, form_url, outcome=OUTCOME)
    response = client.post(
        reverse("accounts:draft-discard"), {"ecm_draft_key": form_url}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == form_url
    assert "What you typed earlier has been deleted." in page
    assert OUTCOME not in page
    assert not Draft.objects.exists()


def test_discarding_touches_only_the_users_own_draft(practitioner, manager, form_url):
    keep_draft(client_for(practitioner), form_url, outcome=OUTCOME)
    client_for(manager).post(reverse("accounts:draft-discard"), {"ecm_draft_key": form_url})
    assert Draft.objects.get().owner == practitioner


@pytest.mark.parametrize(
    "key",
    ["/", "https://example.com/young-people/1/appointments/new/", "//example.com/", "", "x" * 600],
)
def test_only_pages_that_keep_drafts_can_have_one(practitioner, key):
    response = keep_draft(client_for(practitioner), key, outcome=OUTCOME)
    assert response.status_code == 404
    assert not Draft.objects.exists()


def test_a_page_that_keeps_drafts_tells_its_script_where(practitioner, form_url):
    page = client_for(practitioner).get(form_url).content.decode()
    assert f'data-key="{form_url}"' in page
    assert f'data-save-url="{reverse("accounts:draft-save")}"' in page


def test_other_pages_do_not_keep_drafts(practitioner):
    page = client_for(practitioner).get(reverse("home")).content.decode()
    assert 'id="ecm-drafts"' not in page


@pytest.mark.parametrize(
    ("url_name", "kwargs_of"),
    [
        ("formulation:formulation-edit", lambda world: {"meeting_pk": world["meeting"].pk}),
        ("supervision:session-edit", lambda world: {"session_pk": world["session"].pk}),
    ],
)
def test_formulation_and_supervision_notes_keep_drafts(
    url_name, kwargs_of, practitioner, psychologist, young_person
):
    from formulation import services as formulation_services
    from supervision import services as supervision_services

    world = {
        "meeting": formulation_services.meeting_schedule(
            by=psychologist,
            young_person=young_person,
            held_on=timezone.localdate() - timedelta(days=1),
            kind="initial",
            agencies=[],
        ),
        "session": supervision_services.session_record(
            by=psychologist,
            practitioner=practitioner,
            team=young_person.team,
            held_on=timezone.localdate(),
            cases=[young_person],
            shared_notes="Shared",
            private_notes="Private",
        ),
    }
    url = reverse(url_name, kwargs=kwargs_of(world))
    client = client_for(psychologist)
    assert keep_draft(client, url, shared_notes=OUTCOME, presenting=OUTCOME).status_code == 200
    assert OUTCOME in client.get(url).content.decode()


@pytest.mark.parametrize("field", ["title", "responsible_person"])
def test_the_intervention_plan_forms_keep_drafts(field, practitioner, young_person):
    from cases.models import TRMStage
    from formulation import services as formulation_services
    from formulation.models import InterventionItem

    formulation_services.intervention_add(
        by=practitioner,
        young_person=young_person,
        title="Boxing club",
        trm_stage=TRMStage.objects.get(number=1),
        responsible_person="Dai Jones",
    )
    item = InterventionItem.objects.get()
    client = client_for(practitioner)
    for url in (
        reverse("formulation:item-create", kwargs={"pk": young_person.pk}),
        reverse("formulation:item-edit", kwargs={"pk": young_person.pk, "item_pk": item.pk}),
    ):
        assert 'id="ecm-drafts"' in client.get(url).content.decode()
        assert keep_draft(client, url, **{field: OUTCOME}).status_code == 200
        assert OUTCOME in client.get(url).content.decode()


def test_the_eligibility_override_keeps_a_draft_of_its_reason(manager, practitioner, young_person):
    from eligibility import services as eligibility_services

    decision = eligibility_services.eligibility_check(by=practitioner, young_person=young_person)
    url = reverse("eligibility:override-create", kwargs={"decision_pk": decision.pk})
    client = client_for(manager)

    assert keep_draft(client, url, eligible="true", reason=OUTCOME).status_code == 200

    page = client.get(url).content.decode()
    assert OUTCOME in page
    assert "We kept what you typed on" in page


# --- The idle sign-out: warning and keep-alive ----------------------------------------------


def test_every_signed_in_page_says_when_the_user_will_be_signed_out(practitioner):
    with time_machine.travel(datetime(2026, 12, 5, 10, 0, tzinfo=UTC)):
        page = client_for(practitioner).get(reverse("home")).content.decode()
    assert "If you do nothing, you will be signed out at" in page
    assert "10:30" in page
    assert "Stay signed in" in page
    assert 'data-warning-seconds="120"' in page


def test_stay_signed_in_restarts_the_idle_clock(practitioner):
    client = client_for(practitioner)
    with time_machine.travel(time.time(), tick=False) as clock:
        client.get(reverse("home"))
        clock.shift(25 * 60)
        response = client.post(
            reverse("accounts:keep-alive"), {"next": "/"}, HTTP_ACCEPT="application/json"
        )
        assert response.json()["seconds_left"] == IDLE
        clock.shift(25 * 60)
        assert client.get(reverse("home")).status_code == 200


def test_stay_signed_in_without_javascript_returns_to_the_page(practitioner, form_url):
    client = client_for(practitioner)
    response = client.post(reverse("accounts:keep-alive"), {"next": form_url}, follow=True)
    assert response.redirect_chain[-1][0] == form_url
    assert "You are still signed in" in response.content.decode()


def test_stay_signed_in_after_the_limit_signs_in_again_to_the_same_page(practitioner, form_url):
    client = client_for(practitioner)
    with time_machine.travel(time.time(), tick=False) as clock:
        client.get(form_url)
        clock.shift(IDLE + 1)
        response = client.post(reverse("accounts:keep-alive"), {"next": form_url})
    assert response["Location"] == f"{reverse('accounts:login')}?next={form_url}"


def test_keeping_a_draft_counts_as_activity(practitioner, form_url):
    client = client_for(practitioner)
    with time_machine.travel(time.time(), tick=False) as clock:
        client.get(form_url)
        clock.shift(25 * 60)
        keep_draft(client, form_url, outcome=OUTCOME)
        assert client.session[LAST_ACTIVITY_KEY] == int(time.time())
        clock.shift(25 * 60)
        assert client.get(form_url).status_code == 200


# --- A form submitted after the idle sign-out -----------------------------------------------


def test_a_form_submitted_after_the_limit_is_kept_and_offered_back_after_sign_in(
    practitioner, young_person, form_url
):
    client = client_for(practitioner)
    with time_machine.travel(time.time(), tick=False) as clock:
        client.get(form_url)
        clock.shift(IDLE + 1)
        response = client.post(form_url, appointment_fields())
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert not Appointment.objects.exists()  # not saved: the user must check it first

        sign_in_page = client.get(response["Location"]).content.decode()
        assert "What you typed has been kept, but it has not been saved yet." in sign_in_page
        sign_in(client, practitioner)
        page = client.get(form_url).content.decode()
    assert OUTCOME in page
    assert "Your form has not been saved yet" in page
    assert "You were signed out before it could be saved." in page

    response = client.post(form_url, appointment_fields())
    assert response.status_code == 302
    assert Appointment.objects.get(young_person=young_person).outcome == OUTCOME
    assert not Draft.objects.exists()


def test_a_late_form_is_offered_back_to_its_author_only(
    practitioner, manager, young_person, form_url
):
    client = client_for(practitioner)
    with time_machine.travel(time.time(), tick=False) as clock:
        client.get(form_url)
        clock.shift(IDLE + 1)
        client.post(form_url, appointment_fields())
    assert Draft.objects.get().owner == practitioner
    assert OUTCOME not in client_for(manager).get(form_url).content.decode()


def test_a_late_post_without_a_valid_csrf_token_is_not_kept(practitioner, form_url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(practitioner)
    with time_machine.travel(time.time(), tick=False) as clock:
        client.get(form_url)
        clock.shift(IDLE + 1)
        response = client.post(form_url, appointment_fields())
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Draft.objects.exists()


def test_a_late_post_to_a_page_without_drafts_is_not_kept(practitioner, young_person):
    url = reverse("cases:consent-create", kwargs={"pk": young_person.pk})
    client = client_for(practitioner)
    with time_machine.travel(time.time(), tick=False) as clock:
        client.get(url)
        clock.shift(IDLE + 1)
        client.post(url, {"note": OUTCOME})
    assert not Draft.objects.exists()


def test_a_late_draft_from_the_script_is_kept_for_its_page(practitioner, form_url):
    client = client_for(practitioner)
    with time_machine.travel(time.time(), tick=False) as clock:
        client.get(form_url)
        clock.shift(IDLE + 1)
        response = keep_draft(client, form_url, outcome=OUTCOME)
    assert response["Location"].startswith(reverse("accounts:login"))
    draft = Draft.objects.get()
    assert (draft.key, draft.data["outcome"], draft.submitted_after_sign_out) == (
        form_url,
        [OUTCOME],
        True,
    )


# --- Housekeeping -----------------------------------------------------------------------------


def test_drafts_left_alone_for_thirty_days_are_deleted(practitioner, form_url, settings):
    assert settings.ECM_DRAFT_KEEP_DAYS == 30
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        old = Draft.objects.create(owner=practitioner, key=form_url, data={})
    with time_machine.travel(timezone.now() - timedelta(days=29)):
        recent = Draft.objects.create(owner=practitioner, key="/other/", data={})
    call_command("delete_old_drafts")
    assert list(Draft.objects.all()) == [recent]
    assert not Draft.objects.filter(pk=old.pk).exists()


def test_beat_deletes_old_drafts_daily(practitioner, settings):
    from accounts.tasks import delete_old_drafts_task
    from ecm.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["drafts-housekeeping"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == timedelta(days=1)
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        Draft.objects.create(owner=practitioner, key="/", data={})
    assert delete_old_drafts_task.apply().get() == 1
    assert not Draft.objects.exists()
