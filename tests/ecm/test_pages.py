from django.urls import reverse

from tests.conftest import client_for

HOME = reverse("home")


def test_signed_in_pages_are_never_cached(practitioner):
    response = client_for(practitioner).get(HOME)
    assert "no-store" in response["Cache-Control"]


def test_content_security_policy_forbids_inline_script(client, db):
    policy = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if "script-src" in part)
    assert "'self'" in script_src
    assert "unsafe-inline" not in policy


def test_pages_carry_no_inline_script(client, practitioner):
    for page in (client.get(reverse("accounts:login")), client_for(practitioner).get(HOME)):
        body = page.content.decode()
        assert "<script>" not in body
        assert "<script " not in body.replace('<script type="module" src=', "")


def test_switching_to_welsh_shows_the_page_in_welsh(practitioner):
    client = client_for(practitioner)
    response = client.post(reverse("set_language"), {"language": "cy", "next": HOME}, follow=True)
    body = response.content.decode()
    assert '<html lang="cy"' in body
    assert "Croeso" in body


def test_an_unknown_language_code_leaves_the_language_alone(practitioner):
    client = client_for(practitioner)
    response = client.post(
        reverse("set_language"), {"language": "xx-klingon", "next": HOME}, follow=True
    )
    assert response.status_code == 200
    assert '<html lang="en-gb"' in response.content.decode()


def test_language_switch_refuses_to_redirect_off_site(client, db):
    response = client.post(
        reverse("set_language"), {"language": "cy", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")


def test_unknown_page_is_a_friendly_404(practitioner):
    response = client_for(practitioner).get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_non_admins_are_refused_the_admin_site(practitioner, administrator):
    assert client_for(practitioner).get("/admin/").status_code == 403
    assert client_for(administrator).get("/admin/").status_code == 200


def test_admin_site_lists_teams_but_no_case_data(administrator):
    body = client_for(administrator).get("/admin/").content.decode()
    assert "Teams" in body
    assert "Access log" not in body


def test_administrators_can_reset_two_factor_and_unlock_users(administrator):
    client = client_for(administrator)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 200
    assert client.get("/admin/axes/accessattempt/").status_code == 200


def test_admin_edits_reference_data_but_never_sees_case_records(administrator):
    client = client_for(administrator)
    assert client.get("/admin/cases/needcategory/").status_code == 200
    assert client.get("/admin/cases/trmstage/").status_code == 200
    for model in ("youngperson", "consent", "appointment", "offence", "need"):
        assert client.get(f"/admin/cases/{model}/").status_code == 404
