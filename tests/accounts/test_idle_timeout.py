import time

import time_machine
from django.urls import reverse

from tests.conftest import client_for

HOME = reverse("home")


def test_thirty_minutes_idle_signs_the_user_out_with_a_message(practitioner):
    client = client_for(practitioner)
    with time_machine.travel(time.time(), tick=False) as clock:
        assert client.get(HOME).status_code == 200
        clock.shift(30 * 60 + 1)
        response = client.get(HOME)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        page = client.get(response["Location"]).content.decode()
    assert "You were signed out because you had not done anything for 30 minutes" in page
    assert "_auth_user_id" not in client.session


def test_activity_within_thirty_minutes_keeps_the_user_signed_in(practitioner):
    client = client_for(practitioner)
    with time_machine.travel(time.time(), tick=False) as clock:
        client.get(HOME)
        for _step in range(3):
            clock.shift(25 * 60)
            assert client.get(HOME).status_code == 200


def test_idle_limit_defaults_to_thirty_minutes(settings):
    assert settings.ECM_SESSION_IDLE_SECONDS == 30 * 60


def test_returning_hours_later_still_needs_a_new_sign_in(practitioner):
    client = client_for(practitioner)
    with time_machine.travel(time.time(), tick=False) as clock:
        client.get(HOME)
        clock.shift(24 * 60 * 60)
        response = client.get(HOME)
    assert response["Location"].startswith(reverse("accounts:login"))
