"""Every user-facing string has a Welsh translation (DESIGN.md section 9, "Welsh").

Extracts the strings from the code and templates as they are now (`makemessages` in a copy
of the source tree) and checks each one against the committed Welsh catalogue.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "locale" / "cy" / "LC_MESSAGES" / "django.po"
SOURCES = [
    "manage.py",
    "ecm",
    "accounts",
    "cases",
    "eligibility",
    "formulation",
    "supervision",
    "reports",
    "work",
    "governance",
    "partners",
    "seed",
    "templates",
]


def read_catalogue(path):
    with path.open("rb") as po_file:
        return read_po(po_file, locale="cy")


def message_key(message):
    return (message.id if isinstance(message.id, str) else message.id[0], message.context)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    if not shutil.which("xgettext"):
        if os.environ.get("CI") == "true":
            pytest.fail("GNU gettext (xgettext) is needed to check the Welsh catalogue")
        pytest.skip("GNU gettext not installed: cannot extract strings to check the catalogue")
    tree = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tree / name)
    (tree / "locale").mkdir()
    env = {**os.environ, "ECM_DEMO": "true", "DJANGO_SETTINGS_MODULE": "ecm.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "cy", "--no-location"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return read_catalogue(tree / "locale" / "cy" / "LC_MESSAGES" / "django.po")


def test_every_string_on_screen_has_a_welsh_translation(extracted):
    committed = {message_key(m): m for m in read_catalogue(CATALOGUE) if m.id}
    missing = []
    for message in extracted:
        if not message.id:
            continue
        translated = committed.get(message_key(message))
        strings = (translated.string if translated else None) or ""
        values = strings if isinstance(strings, (list, tuple)) else [strings]
        if translated is None or translated.fuzzy or not all(values):
            missing.append(message_key(message)[0])
    assert missing == [], f"{len(missing)} strings lack Welsh: {missing[:20]}"


def test_the_catalogue_has_nothing_fuzzy_or_untranslated():
    catalogue = read_catalogue(CATALOGUE)
    problems = [m.id for m in catalogue if m.id and (m.fuzzy or not m.string)]
    assert problems == []
