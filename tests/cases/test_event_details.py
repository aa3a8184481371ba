"""Every value a case event records is named on the history page in the reader's language.

Reads the source for what each `event_record(...)` (and `_save_record(...)`) call records, so
that a new event that records a new value fails here until it is given a label.
"""

import ast
from pathlib import Path

import pytest
from django.utils import translation

from cases import services

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "cases", "eligibility", "formulation", "supervision", "reports")
NOT_DATA = {"young_person", "action", "by"}


def _recorded_keys():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ("event_record", "_save_record"):
                    for keyword in node.keywords:
                        if keyword.arg and keyword.arg not in NOT_DATA:
                            yield path.relative_to(ROOT).as_posix(), keyword.arg


RECORDED = sorted(set(_recorded_keys()))


def test_the_source_records_event_values():
    assert ("cases/services.py", "order_type") in RECORDED
    assert len(RECORDED) > 20


@pytest.mark.parametrize(("where", "key"), RECORDED)
def test_each_recorded_value_has_a_label_in_welsh(where, key):
    detail = services.event_detail(key)
    assert detail is not None, f"{where} records {key!r} but no app describes it"
    if detail.shown == "hidden":
        return
    with translation.override("en-gb"):
        english = str(detail.label)
    with translation.override("cy"):
        welsh = str(detail.label)
    assert english and welsh != english, f"{key!r} has no Welsh label"
