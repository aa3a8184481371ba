import re
from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import client_for

HOME = reverse("home")
SETUP = reverse("accounts:two-factor-setup")
VERIFY = reverse("accounts:two-factor-verify")


def current_code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def code_for_page(page) -> str:
    """The current code for the key a set-up page shows (as a user typing it in would get)."""
    shown = re.search(r'<code id="manual-key">([A-Z2-7 ]+)</code>', page.content.decode())
    key = shown.group(1).replace(" ", "")
    key_bytes = b32decode(key + "=" * (-len(key) % 8))
    return f"{totp(key_bytes, step=30, t0=0, digits=6):06d}"


@pytest.fixture
def required(settings):
    settings.ECM_REQUIRE_2FA = True


def test_when_required_a_user_without_a_device_must_set_one_up(required, practitioner):
    response = client_for(practitioner).get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_when_not_required_a_user_without_a_device_goes_straight_in(practitioner):
    assert client_for(practitioner).get(HOME).status_code == 200


def test_setting_up_with_a_correct_code_opens_the_service(required, practitioner):
    client = client_for(practitioner)
    page = client.get(SETUP)
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    response = client.post(SETUP, {"code": code_for_page(page)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=practitioner).confirmed
    assert client.get(HOME).status_code == 200


def test_code_with_a_space_in_the_middle_is_accepted(required, practitioner):
    client = client_for(practitioner)
    code = code_for_page(client.get(SETUP))
    assert client.post(SETUP, {"code": f"{code[:3]} {code[3:]}"}).status_code == 302


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the 6-digit code from your authenticator app"),
        ("12ab56", "Enter the code as 6 digits, for example 123456"),
        ("1234567", "Enter the code as 6 digits, for example 123456"),
        ("١٢٣٤٥٦", "Enter the code as 6 digits, for example 123456"),
        ("x" * 500, "Enter the code as 6 digits, for example 123456"),
    ],
)
def test_malformed_codes_get_a_specific_message(required, practitioner, typed, message):
    client = client_for(practitioner)
    client.get(SETUP)
    response = client.post(SETUP, {"code": typed})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_user_with_a_device_must_verify_after_signing_in(practitioner):
    device = TOTPDevice.objects.create(user=practitioner, name="phone", confirmed=True)
    client = client_for(practitioner)
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert client.post(VERIFY, {"code": current_code(device), "next": HOME})["Location"] == HOME
    assert client.get(HOME).status_code == 200


def test_a_wrong_code_is_refused_with_a_message(practitioner):
    device = TOTPDevice.objects.create(user=practitioner, name="phone", confirmed=True)
    client = client_for(practitioner)
    wrong = "000000" if current_code(device) != "000000" else "111111"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get(HOME).status_code == 302


def test_verify_refuses_to_redirect_off_site(practitioner):
    device = TOTPDevice.objects.create(user=practitioner, name="phone", confirmed=True)
    client = client_for(practitioner)
    response = client.post(VERIFY, {"code": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == HOME


def test_sign_out_is_reachable_before_verifying(practitioner):
    TOTPDevice.objects.create(user=practitioner, name="phone", confirmed=True)
    client = client_for(practitioner)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_demo_banner_says_two_factor_is_off(settings, client, db):
    settings.ECM_DEMO = True
    settings.ECM_REQUIRE_2FA = False
    body = client.get(reverse("accounts:login")).content.decode()
    assert "demonstration" in body.lower()
    assert "two-factor" in body.lower()


def test_showing_the_set_up_page_creates_no_device(required, practitioner):
    client_for(practitioner).get(SETUP)
    assert not TOTPDevice.objects.filter(user=practitioner).exists()


def test_each_showing_of_the_set_up_page_has_a_new_key(required, practitioner):
    client = client_for(practitioner)
    keys = {
        re.search(r'id="manual-key">([^<]+)<', client.get(SETUP).content.decode()).group(1)
        for _ in range(2)
    }
    assert len(keys) == 2


def test_a_key_shown_earlier_cannot_complete_set_up(required, practitioner):
    # Someone who knew the password and opened the page before the user did copied this key.
    client = client_for(practitioner)
    copied = client.get(SETUP)
    client.get(SETUP)  # the user opens the page later and scans what it shows
    response = client.post(SETUP, {"code": code_for_page(copied)})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=practitioner, confirmed=True).exists()


def test_a_wrong_code_keeps_the_key_just_scanned(required, practitioner):
    client = client_for(practitioner)
    page = client.get(SETUP)
    code = code_for_page(page)
    wrong = "000000" if code != "000000" else "111111"
    again = client.post(SETUP, {"code": wrong})
    assert code_for_page(again) == code
    assert client.post(SETUP, {"code": code}).status_code == 302


def test_confirming_removes_unconfirmed_devices(required, practitioner):
    TOTPDevice.objects.create(user=practitioner, name="left over", confirmed=False)
    client = client_for(practitioner)
    assert client.post(SETUP, {"code": code_for_page(client.get(SETUP))}).status_code == 302
    devices = list(TOTPDevice.objects.filter(user=practitioner))
    assert [(device.name, device.confirmed) for device in devices] == [("Authenticator app", True)]


def test_set_up_code_cannot_be_used_again_to_verify(required, practitioner):
    client = client_for(practitioner)
    code = code_for_page(client.get(SETUP))
    client.post(SETUP, {"code": code})
    device = TOTPDevice.objects.get(user=practitioner)
    assert device.verify_token(code) is False


def test_posting_a_code_without_having_seen_a_key_starts_again(required, practitioner):
    response = client_for(practitioner).post(SETUP, {"code": "123456"}, follow=True)
    assert response.status_code == 200
    assert "Your set-up had expired" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=practitioner).exists()
