"""The demonstration (`make run`): its SQLite database and the pages it shows when things go wrong.

Each test starts Django in a child process with the settings the demo really has (the
environment `make run` sets, read from the Makefile) and a temporary SQLite file, as the demo
uses, not the test suite's in-memory database.
"""

import json
import re

import pytest

from tests.ecm.test_settings import ROOT, run_django


def demo_environment(database):
    """The variables `make run` sets (DEMO_ENV in the Makefile), with its own database file."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = re.search(r"^DEMO_ENV :?= (.*)$", makefile, re.MULTILINE)
    assert line, "Makefile: DEMO_ENV not found"
    environment = dict(pair.split("=", 1) for pair in line.group(1).split())
    assert environment.get("ECM_DEMO") == "true"
    return {**environment, "DATABASE_URL": f"sqlite:///{database}"}


def run_in_demo(code, database):
    """Run `code` in a child process, Django set up with the demo's settings; its JSON result."""
    prologue = (
        "import json, os\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'ecm.settings'\n"
        "import django\n"
        "django.setup()\n"
    )
    result = run_django(prologue + code, demo_environment(database))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


CONCURRENT_WRITES = """
import threading, time
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.utils import timezone

assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
with connection.schema_editor() as editor:
    editor.create_model(Session)
connection.close()

THREADS, WRITES = 8, 5
start = threading.Barrier(THREADS)
errors = []


def writer(number):
    try:
        start.wait()
        for write in range(WRITES):
            # Read, then write, in one transaction: what a view saving a form does.
            with transaction.atomic():
                Session.objects.count()
                time.sleep(0.02)
                Session.objects.create(
                    session_key=f"writer-{number}-{write}",
                    session_data="x",
                    expire_date=timezone.now(),
                )
    except Exception as error:
        errors.append(f"{error.__class__.__name__}: {error}")
    finally:
        connection.close()


threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"errors": errors, "rows": Session.objects.count(), "expected": THREADS * WRITES}))
"""


def test_overlapping_writes_to_the_demo_database_wait_instead_of_failing(tmp_path):
    outcome = run_in_demo(CONCURRENT_WRITES, tmp_path / "db.sqlite3")
    assert outcome["errors"] == []
    assert outcome["rows"] == outcome["expected"] == 40


ERROR_PAGES = """
import sys

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.test import Client

import ecm.views
from accounts.models import Role
from seed.factories import TeamFactory, YoungPersonFactory, user_with_role

# Tables straight from the models (quicker than running every migration); nothing else
# about the demo's settings is changed.
settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
call_command("migrate", run_syncdb=True, verbosity=0)

own_team, other_team = TeamFactory(code="own"), TeamFactory(code="other")
practitioner = user_with_role(Role.PRACTITIONER, own_team, username="rhian")
hidden = YoungPersonFactory(team=other_team)


def broken_home(request):
    raise RuntimeError("something broke in the home page")


# A failing page: the home view, swapped before the URLs are first read.
assert "ecm.urls" not in sys.modules
ecm.views.home = broken_home

client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
client.force_login(practitioner)
pages = {}
for name, path in [
    ("hidden record", f"/young-people/{hidden.pk}/"),
    ("unknown page", "/no-such-page/"),
    ("refused", "/admin/"),
    ("failure", "/"),
    ("stylesheet", "/static/ecm/css/ecm.css"),
]:
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    pages[name] = {"status": response.status_code, "body": body.decode()}
print(json.dumps(pages))
"""

DEBUG_PAGE_MARKS = ("DEBUG = True", "Using the URLconf", "Traceback", "technical")


@pytest.fixture(scope="module")
def demo_pages(tmp_path_factory):
    return run_in_demo(ERROR_PAGES, tmp_path_factory.mktemp("demo") / "db.sqlite3")


def assert_service_page(page, status, heading):
    assert page["status"] == status
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in page["body"]
    for mark in DEBUG_PAGE_MARKS:
        assert mark not in page["body"]


def test_demo_shows_its_own_page_for_a_record_the_user_cannot_see(demo_pages):
    page = demo_pages["hidden record"]
    assert_service_page(page, 404, "Page not found")
    assert "the record may not be one you can see" in page["body"]
    assert "Demonstration" in page["body"]  # still the demo, with its banner


def test_demo_shows_its_own_page_for_an_unknown_address_without_listing_urls(demo_pages):
    page = demo_pages["unknown page"]
    assert_service_page(page, 404, "Page not found")
    assert "young-people/" not in page["body"]


def test_demo_shows_its_own_page_when_permission_is_refused(demo_pages):
    assert_service_page(demo_pages["refused"], 403, "You do not have permission to see this page")


def test_demo_shows_its_own_page_when_the_service_fails(demo_pages):
    page = demo_pages["failure"]
    assert_service_page(page, 500, "Sorry, there is a problem with the service")
    assert "something broke in the home page" not in page["body"]


def test_demo_serves_its_stylesheets_with_debug_off(demo_pages):
    page = demo_pages["stylesheet"]
    assert page["status"] == 200
    assert "govuk" in page["body"]
