"""Issue 11: the Django admin never answers 500, and never shows a TOTP secret."""

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import client_for

BAD_IDS = ("T034", "999999", "0x1", "%20")


def _admin_urls_for_a_missing_object():
    """Every object page of every registered model, for ids that are malformed or unknown."""
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for view in ("change", "delete", "history"):
            for bad in BAD_IDS:
                yield reverse(f"{info}_{view}", args=[bad])
        for bad in BAD_IDS:
            try:
                yield reverse(f"{info}_simple_history", args=[bad, "1"])
                yield reverse(f"{info}_simple_history", args=["1", bad])
            except NoReverseMatch:
                break


def test_every_admin_object_page_for_a_missing_object_is_not_found(administrator):
    client = client_for(administrator)
    answers = {url: client.get(url).status_code for url in _admin_urls_for_a_missing_object()}
    assert "/admin/accounts/team/T034/history/" in answers
    assert {url: status for url, status in answers.items() if status != 404} == {}


def test_two_factor_device_pages_for_a_missing_device_are_not_found(administrator):
    client = client_for(administrator)
    for view in ("config", "qrcode"):
        url = reverse(f"admin:otp_totp_totpdevice_{view}", kwargs={"pk": 999999})
        assert client.get(url).status_code == 404


def test_unused_admin_models_are_not_offered(administrator):
    registered = {model._meta.label for model in admin.site._registry}
    assert registered.isdisjoint(
        {"auth.Group", "otp_static.StaticDevice", "axes.AccessLog", "axes.AccessFailureLog"}
    )


# --- TOTP secrets ----------------------------------------------------------------------------


def test_an_administrator_never_sees_a_users_totp_key(administrator, practitioner):
    device = TOTPDevice.objects.create(user=practitioner, name="phone", confirmed=True)
    client = client_for(administrator)
    pages = [
        client.get(reverse("admin:otp_totp_totpdevice_changelist")),
        client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        assert device.key not in page.content.decode()
    for view in ("config", "qrcode"):
        url = reverse(f"admin:otp_totp_totpdevice_{view}", kwargs={"pk": device.pk})
        assert client.get(url).status_code == 404


def test_an_administrator_cannot_add_or_change_a_totp_key(administrator, practitioner):
    device = TOTPDevice.objects.create(user=practitioner, name="phone", confirmed=True)
    key = device.key
    client = client_for(administrator)
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    response = client.post(
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
        {"user": practitioner.pk, "name": "phone", "key": "00" * 20, "confirmed": "on"},
    )
    assert response.status_code == 403
    device.refresh_from_db()
    assert device.key == key


def test_an_administrator_may_delete_a_lost_authenticator(administrator, practitioner):
    device = TOTPDevice.objects.create(user=practitioner, name="phone", confirmed=True)
    response = client_for(administrator).post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
