"""Browser journeys: Debian's Chromium, driven by Playwright, against pytest-django's live server.

Every test in this folder is marked ``browser``. Without Chromium the tests are skipped, unless
``ECM_REQUIRE_BROWSER_TESTS=true`` (set it in CI), which turns the missing browser into a
failure so the journeys cannot silently stop running.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SKIP_REASON = "Chromium not installed (apt-get install chromium): browser tests skipped"
PASSWORD = "correct-horse-battery"

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE.parent.parent / "static"
AXE_SCRIPT = STATIC_DIR / "vendor" / "axe-core-4.14.1" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items, so mark only the ones in this folder.
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("ECM_REQUIRE_BROWSER_TESTS") == "true":
            pytest.fail(
                f"ECM_REQUIRE_BROWSER_TESTS is true but there is no Chromium at {CHROMIUM}. "
                "Install it with `apt-get install chromium`.",
                pytrace=False,
            )
        pytest.skip(SKIP_REASON)
    # Playwright's sync API keeps an asyncio loop running in this thread, so Django refuses
    # database calls from it (SynchronousOnlyOperation) while the browser is up; fixtures and
    # pytest-django's database flushes make such calls. Django's documented escape hatch for
    # this case is DJANGO_ALLOW_ASYNC_UNSAFE; it is set only while the browser runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def appointment_purposes(live_server):
    """The reference data migrations load (the live server's database starts empty): the
    appointment purposes every appointment form offers, and the retention schedule."""
    from cases.models import AppointmentPurpose
    from cases.reference_data import ensure_appointment_purposes
    from governance.schedules import ensure_retention_rules

    ensure_appointment_purposes(AppointmentPurpose)
    ensure_retention_rules()


@pytest.fixture
def context(browser, live_server, appointment_purposes):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def no_script_page(browser, live_server, appointment_purposes):
    """A page in a browser with JavaScript turned off, as some users and networks have it."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def sign_in(page, live_server, username, password=PASSWORD):
    """Open the sign-in page and sign in the way a person would: by label and button text."""
    page.goto(f"{live_server.url}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def assert_accessible(page):
    """Run axe-core on the page; fail on any serious or critical violation, listing each.

    How axe gets in: the pages send ``Content-Security-Policy: script-src 'self'``, so an inline
    ``<script>`` (``add_script_tag(content=...)``) is refused by the browser and ``axe`` never
    appears. Rather than weaken the policy (``bypass_csp=True`` would test a page users never
    get), axe is loaded the way the page loads its own scripts: from the live server's static
    URL, same-origin and so allowed. The URL is derived from the vendored file in the
    repository, which must exist.

    Call it once the page under test is showing (after an ``expect`` on its heading, say): a
    click on a link returns before the next page arrives, and axe injected into the page being
    left finds no document to join.
    """
    assert AXE_SCRIPT.is_file(), f"axe-core is not vendored at {AXE_SCRIPT.relative_to(HERE)}"
    axe_path = AXE_SCRIPT.relative_to(STATIC_DIR).as_posix()
    page.wait_for_load_state("domcontentloaded")
    page.add_script_tag(url=f"/{settings.STATIC_URL.strip('/')}/{axe_path}")
    results = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})
            .then(r => r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
            })))""",
        AXE_TAGS,
    )
    blocking = [v for v in results if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe found serious or critical violations on {page.url}:"]
        for violation in blocking:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            lines.extend(f"    {target}" for target in violation["targets"])
        pytest.fail("\n".join(lines), pytrace=False)
