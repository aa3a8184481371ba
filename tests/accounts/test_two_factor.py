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
    device = TOTPDevice.objects.get(user=practitioner)
    response = client.post(SETUP, {"code": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(HOME).status_code == 200


def test_code_with_a_space_in_the_middle_is_accepted(required, practitioner):
    client = client_for(practitioner)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=practitioner)
    code = current_code(device)
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
