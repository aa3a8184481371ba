import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import AccessLogEntry

SIGN_IN = reverse("accounts:login")
PASSWORD = "correct-horse-battery"  # seed.factories.UserFactory's password


def page_text(response, username):
    """The page with the typed username and the per-request CSRF token taken out."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return body.replace(username, "")


def sign_in(client, username, password):
    return client.post(SIGN_IN, {"username": username, "password": password})


def test_sign_in_lands_on_home_page(client, practitioner):
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "Welcome" in client.get(reverse("home")).content.decode()


def test_wrong_password_gets_a_clear_message(client, practitioner):
    response = sign_in(client, "alice", "not-the-password")
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()


def test_failed_sign_in_is_a_denied_row_in_the_access_log(client, practitioner):
    sign_in(client, "alice", "not-the-password")
    entry = AccessLogEntry.objects.get(action="sign-in")
    assert entry.allowed is False
    assert "alice" in entry.detail
    assert entry.ip_address == "127.0.0.1"


def test_empty_form_names_each_missing_field(client, db):
    body = client.post(SIGN_IN, {"username": "", "password": ""}).content.decode()
    assert "Enter your username" in body
    assert "Enter your password" in body


def test_non_ascii_username_gets_the_ordinary_message(client, practitioner):
    response = sign_in(client, "Siân-Ffion ❤ 李", "anything")
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()


def test_inactive_account_cannot_sign_in_and_is_not_told_why(client, practitioner):
    practitioner.is_active = False
    practitioner.save()
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()


def test_five_failures_lock_the_username_even_with_the_right_password(client, practitioner):
    for _attempt in range(5):
        sign_in(client, "alice", "wrong")
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed attempts to sign in" in body
    assert "30 minutes" in body
    assert "_auth_user_id" not in client.session


def test_lockout_reads_the_same_for_an_unknown_username(client, practitioner):
    for username in ("alice", "nobody-by-this-name"):
        for _attempt in range(5):
            sign_in(client, username, "wrong")
    known = sign_in(client, "alice", "wrong")
    unknown = sign_in(client, "nobody-by-this-name", "wrong")
    assert known.status_code == unknown.status_code == 429
    assert page_text(known, "alice") == page_text(unknown, "nobody-by-this-name")


def test_four_failures_then_success_signs_in(client, practitioner):
    for _attempt in range(4):
        sign_in(client, "alice", "wrong")
    assert sign_in(client, "alice", PASSWORD).status_code == 302


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(username=st.text(max_size=300), password=st.text(max_size=300))
def test_any_username_and_password_get_a_page_not_an_error(client, username, password):
    response = client.post(SIGN_IN, {"username": username, "password": password})
    assert response.status_code in (200, 429)
