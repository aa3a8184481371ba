"""Settings: production defaults, fail-fast on bad values, and `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SECRET_KEY": "k7$w!x2@q9#zr5^e8&t1*y6(u3)i0_o4-p+a=s[d]f{g}h|j;l:z,x.c/v<b>n",
    "DJANGO_ALLOWED_HOSTS": "ecm.example.gov.wales",
    "DJANGO_DEBUG": "false",
    "ECM_STUDY_KEY": "study-key-for-the-settings-tests-7d1e9b",
}


def run_django(code_or_args, env_overrides, *, command=False):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "ECM_", "DATABASE_URL", "CELERY_"))
    }
    env.update(env_overrides)
    args = (
        [sys.executable, "manage.py", *code_or_args]
        if command
        else [sys.executable, "-c", code_or_args]
    )
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def setting_value(name, env_overrides):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='ecm.settings'; "
        f"django.setup(); from django.conf import settings; print(repr(settings.{name}))"
    )
    result = run_django(code, env_overrides)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_check_deploy_is_clean_with_production_settings():
    result = run_django(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, command=True)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_defaults_require_two_factor_and_secure_transport():
    assert setting_value("ECM_REQUIRE_2FA", PRODUCTION) == "True"
    assert setting_value("SESSION_COOKIE_SECURE", PRODUCTION) == "True"
    assert setting_value("SECURE_SSL_REDIRECT", PRODUCTION) == "True"
    assert setting_value("SECURE_HSTS_SECONDS", PRODUCTION) == "31536000"
    assert setting_value("PASSWORD_HASHERS[0]", PRODUCTION) == (
        "'django.contrib.auth.hashers.Argon2PasswordHasher'"
    )


def test_demo_mode_turns_two_factor_off_by_default():
    assert setting_value("ECM_REQUIRE_2FA", {"ECM_DEMO": "true"}) == "False"


def test_missing_secret_key_stops_start_up_naming_the_variable():
    result = run_django(["check"], {"DJANGO_ALLOWED_HOSTS": "x"}, command=True)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY: must be set" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_DEBUG", "perhaps"),
        ("ECM_REQUIRE_2FA", "sometimes"),
        ("ECM_SESSION_IDLE_SECONDS", "half an hour"),
        ("DATABASE_URL", "nonsense://x"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(name, value):
    result = run_django(["check"], {**PRODUCTION, name: value}, command=True)
    assert result.returncode != 0
    assert name in result.stderr


def test_postgresql_connections_compile_no_jit_unless_told_otherwise():
    postgres = {**PRODUCTION, "DATABASE_URL": "postgres://ecm@127.0.0.1:5432/ecm"}
    options = "DATABASES['default']['OPTIONS']"
    assert "-c jit=off" in setting_value(options, postgres)
    assert "-c jit=on" in setting_value(options, {**postgres, "ECM_PG_JIT": "on"})
    assert "jit" not in setting_value(options, {**postgres, "ECM_PG_JIT": ""})
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='ecm.settings'; "
        "import django; django.setup()"
    )
    result = run_django(code, {**postgres, "ECM_PG_JIT": "sometimes"})
    assert result.returncode != 0
    assert "ECM_PG_JIT" in result.stderr


def test_postgresql_connections_price_index_probes_for_ssd_unless_told_otherwise():
    postgres = {**PRODUCTION, "DATABASE_URL": "postgres://ecm@127.0.0.1:5432/ecm"}
    options = "DATABASES['default']['OPTIONS']"
    assert "-c random_page_cost=1.1" in setting_value(options, postgres)
    assert "random_page_cost=2" in setting_value(
        options, {**postgres, "ECM_PG_RANDOM_PAGE_COST": "2"}
    )
    assert "random_page_cost" not in setting_value(
        options, {**postgres, "ECM_PG_RANDOM_PAGE_COST": ""}
    )
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='ecm.settings'; "
        "import django; django.setup()"
    )
    result = run_django(code, {**postgres, "ECM_PG_RANDOM_PAGE_COST": "fast"})
    assert result.returncode != 0
    assert "ECM_PG_RANDOM_PAGE_COST: must be a positive number" in result.stderr
