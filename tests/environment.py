"""Test defaults for the environment, loaded (``-p tests.environment``) before Django starts.

Tests run with the production defaults except where a test client or a local browser needs
otherwise; anything already set in the environment (e.g. DATABASE_URL by
``make test-services``) wins.
"""

import os

TEST_ENVIRONMENT = {
    "DJANGO_SECRET_KEY": "test-only-key-9c1f2a7b5e3d4c6a8b0e1f2a3b4c5d6e7f8091a2b3c4d5e6f7",
    "DJANGO_DEBUG": "false",
    "ECM_STUDY_KEY": "test-study-key-0f3c9a61b2d84e57",
    "DJANGO_ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    # The test client and the local browser speak plain HTTP.
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_SECURE_COOKIES": "false",
    "ECM_REQUIRE_2FA": "false",
    "ECM_DEMO": "false",
    # Serve static files from their sources, without `collectstatic`.
    "DJANGO_STATIC_MANIFEST": "false",
    "CELERY_BROKER_URL": "",
}

for name, value in TEST_ENVIRONMENT.items():
    os.environ.setdefault(name, value)
